"""``%%explain --steps``: the step tracer around the cell's run, then the timeline widget instead of the explanation.

Kept apart from :mod:`.explain` (which runs the cell): that module only asks :func:`recorder_for` for a tracer and
hands the outcome to :func:`show_timeline`. Everything here runs inside a guard: a fault of ours is one warning
line on stderr, never a traceback, and never changes the cell's own result.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from IPython.display import display

from ..i18n import message
from ..runner import Outcome
from ..timeline.recorder import StepRecorder
from ..timeline.run import build_timeline

if TYPE_CHECKING:
    from . import TensorMagics


def recorder_for(filename: str, transformed: str, display_lines: list[str]) -> StepRecorder:
    """The step tracer for the cell compiled under ``filename`` from ``transformed`` (shown as ``display_lines``)."""
    return StepRecorder(filename, transformed, display_lines)


def _warn(language: str, error: BaseException | str) -> None:
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    print(message("steps.incomplete", language, error=text.splitlines()[0][:200] if text else ""), file=sys.stderr)


def show_timeline(magics: TensorMagics, recorder: StepRecorder, outcome: Outcome, language: str) -> None:
    """Display the cell's timeline (widget, with text and image fallbacks); keep it as ``last_timeline``."""
    try:
        timeline = build_timeline(recorder, language, outcome.explanation, outcome.error, [])
        magics.last_timeline = timeline  # type: ignore[attr-defined]
        if outcome.explanation is not None:
            magics.last_explanation = outcome.explanation  # type: ignore[attr-defined]
        if recorder.faults:
            _warn(language, recorder.faults[0])
        from ..widgets.steps import StepsView

        bundle: dict[str, Any] = StepsView(timeline)._repr_mimebundle_()
        display(bundle, raw=True)
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - one warning line, never a traceback
        _warn(language, error)
