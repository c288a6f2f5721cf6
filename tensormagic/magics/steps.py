"""``%%explain --steps``: the cell runs once under the step tracer, then the timeline widget is shown.

Kept apart from :mod:`.explain`, which prepares the cell's run exactly as for ``%%explain`` (execution number,
trailing ``;``, tracebacks) and hands it here. The step tracer replaces the call recorder: a loop's thousands of
steps stay affordable (``benchmarks/steps.py``). Everything of ours runs inside a guard: a fault is one warning line
on stderr, never a traceback, and never changes the cell's own result.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from IPython.display import display

from ..i18n import message
from ..runner import HeldInterrupts, run_unheld
from ..timeline.recorder import StepRecorder
from ..timeline.run import build_timeline

if TYPE_CHECKING:
    from . import TensorMagics


def recorder_for(filename: str, transformed: str, display_lines: list[str]) -> StepRecorder:
    """The step tracer for the cell compiled under ``filename`` from ``transformed`` (shown as ``display_lines``)."""
    return StepRecorder(filename, transformed, display_lines)


def _warn(language: str, error: BaseException | str) -> None:
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    print(message("steps.incomplete", language, error=(text.splitlines() or [""])[0][:200]), file=sys.stderr)


def run_steps(
    magics: TensorMagics,
    recorder: StepRecorder,
    execute: Callable[[], Any],
    after_cell: Callable[[Any, BaseException | None], None],
    language: str,
) -> None:
    """Run the cell once (``execute``: IPython's ``run_cell``) under the tracer; display its timeline.

    ``after_cell(result, raised)`` puts the shell back and reports the cell's result to the cell around the magic
    (so a failing cell fails as without it), before the timeline is built.
    """
    __tracebackhide__ = True  # noqa: F841
    error: BaseException | None = None
    result: Any = None
    raised: BaseException | None = None
    # SIGINT is held while the tracer goes on, and, once the cell has finished, while it comes off and the shell is
    # put back (an interrupt there would leave the tracer on, or the shell patched); then it may only cut the
    # timeline short.
    interrupts = HeldInterrupts()
    try:
        try:
            interrupts.hold()
            result = recorder.run(partial(run_unheld, execute, interrupts))
            error = getattr(result, "error_before_exec", None) or getattr(result, "error_in_exec", None)
        except BaseException as exception:  # noqa: BLE001 - run_cell reports the user's errors itself; this is the rest
            error = raised = exception
        try:
            after_cell(result, raised)
        except Exception as fault:  # noqa: BLE001 - one warning line, never a traceback
            _warn(language, fault)
        try:
            if interrupts.interrupted:
                raise KeyboardInterrupt  # interrupted as the cell finished: do not start building
            interrupts.interruptible = True
            _show_timeline(magics, recorder, language, error)
        except (Exception, KeyboardInterrupt) as fault:  # noqa: BLE001 - one warning line, never a traceback
            interrupts.interruptible = False
            _warn(language, fault)
        finally:
            interrupts.interruptible = False
    finally:
        try:  # noqa: SIM105 - suppress()'s __exit__ is Python code: an interrupt could land in it, uncaught
            interrupts.release()
        except KeyboardInterrupt:  # arrived the instant SIGINT was handed back: the cell had finished
            pass


def _show_timeline(magics: TensorMagics, recorder: StepRecorder, language: str, error: BaseException | None) -> None:
    timeline = build_timeline(recorder, language, error)
    magics.last_timeline = timeline  # type: ignore[attr-defined]
    if recorder.faults:
        _warn(language, recorder.faults[0])
    if timeline.frames or timeline.warnings or error is None:  # a cell that never ran (a syntax error): nothing
        from ..widgets.steps import StepsView

        bundle: dict[str, Any] = StepsView(timeline)._repr_mimebundle_()
        display(bundle, raw=True)
