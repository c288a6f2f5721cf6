"""One recorded run of a cell, shared by :func:`tensormagic.explain` and the ``%%explain`` magic.

:func:`run_recorded` registers the cell's source for exactly as long as the explanation needs it, runs the
cell once under a :class:`~tensormagic.record.Recorder`, and builds the explanation. The user's exception is
returned, never swallowed and never changed; a fault of ours (the recorder would not start, the notes failed,
an interrupt while explaining a finished cell) becomes a warning, and the cell still runs exactly once.

Interrupts. While the cell runs, Ctrl-C / "Interrupt kernel" reaches it exactly as without tensormagic. Once it has
finished, and while the recorder is switched on, :class:`HeldInterrupts` holds SIGINT: an interrupt then stops
building or showing the explanation (one warning line) and never reaches the finished cell, nor leaves the recorder
or a patched shell behind; one pressed while the recorder was being switched on interrupts the cell before it starts.
"""

from __future__ import annotations

import contextlib
import importlib
import linecache
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import torch
from torch.utils._python_dispatch import _disable_current_modes

from .explanation import Explanation
from .i18n import message, normalize_language
from .record import Observer, Recorder, prune_exception
from .source import register, unregister

T = TypeVar("T")

#: The C functions behind :mod:`signal` (whose ``signal()`` and ``getsignal()`` add Python-level enum conversions).
_signal: Any = importlib.import_module("_signal")


@dataclass
class Outcome:
    """What a recorded run produced: the value ``execute`` returned, the user's error, and the explanation."""

    value: Any = None
    error: BaseException | None = None
    explanation: Explanation | None = None
    warnings: list[str] = field(default_factory=list)  # our own faults, one line each
    #: ``execute`` itself raised (rather than returning a value that carries the error, as ``run_cell`` does)
    raised: bool = False


class HeldInterrupts:
    """SIGINT while tensormagic works around the user's cell: remembered, or let stop our own work; never lost
    half-way through switching the recorder or the shell on or off, and never raised into the finished cell.

    :meth:`hold` installs our handler (when Python's own, or another Python function, handles SIGINT; off the main
    thread nothing changes: signals are not delivered there), :meth:`release` puts the previous one back. While
    :attr:`interruptible` (building and showing the explanation) an interrupt goes to the previous handler, which
    raises ``KeyboardInterrupt`` there for the caller to catch; otherwise it is only remembered.
    """

    def __init__(self) -> None:
        self.previous: Any = None
        self.installed = False
        self.interrupted = False
        #: set around building and showing the explanation (plain attribute stores: no Python call, so no
        #: place for an interrupt to land between the flag and the work)
        self.interruptible = False

    def hold(self) -> None:
        # ``_signal``'s own functions throughout: ``signal.signal`` runs Python code (enum conversions) around
        # them, each a point where an interrupt could land.
        previous = _signal.getsignal(signal.SIGINT)
        if previous == self._on_sigint or not callable(previous):  # held already; SIG_IGN / SIG_DFL: not ours
            return
        self.previous = previous
        try:
            _signal.signal(signal.SIGINT, self._on_sigint)
        except ValueError:  # not the main thread
            return
        self.installed = True

    def release(self) -> bool:
        """Hand SIGINT back; True when an interrupt came while it was held."""
        if self.installed and _signal.getsignal(signal.SIGINT) == self._on_sigint:
            self.installed = False
            _signal.signal(signal.SIGINT, self.previous)
        # (a cell that installed its own handler keeps it: that is not ours to undo)
        interrupted, self.interrupted = self.interrupted, False
        return interrupted

    def _on_sigint(self, signum: int, frame: Any) -> None:
        self.interrupted = True
        if self.interruptible:
            self.previous(signum, frame)


def run_unheld(execute: Callable[[], T], interrupts: HeldInterrupts) -> T:
    """``execute()`` (the user's cell) with SIGINT handed back to its previous handler, held again from the
    instant the cell returns or raises.

    For callers that switch something on and off around the cell inside code they do not control step by step
    (a ``with`` block's entry and exit): they hold SIGINT before, and this releases it only for the cell. An
    interrupt pressed while it was held interrupts the cell before it starts, as it would have without us; after
    the cell, there is no point before the hold where one could cut the tidying up short. :func:`run_recorded`
    does the same inline (one frame fewer under the user's code: recursion depth).
    """
    __tracebackhide__ = True  # noqa: F841
    try:
        if interrupts.release():
            raise KeyboardInterrupt  # pressed while we prepared: the cell is interrupted before it starts
        return execute()
    finally:
        try:
            interrupts.hold()
        except KeyboardInterrupt:  # pending as the cell finished: raised before our handler was in place
            interrupts.interrupted = True
            try:  # noqa: SIM105 - suppress() would run Python code (its __enter__) before the try takes hold
                interrupts.hold()
            except KeyboardInterrupt:
                pass


def run_recorded(
    execute: Callable[[], Any],
    *,
    filename: str,
    source: str,
    namespace: Mapping[str, Any] | None,
    language: str = "en",
    max_lines: int = 40,
    display_lines: list[str] | None = None,
    error_of: Callable[[Any], BaseException | None] | None = None,
    observer: Observer | None = None,
    after_cell: Callable[[Outcome], None] | None = None,
    present: Callable[[Outcome], None] | None = None,
) -> Outcome:
    """Run ``execute()`` once while recording code compiled under ``filename`` from ``source``; explain it.

    ``error_of(value)`` finds the user's error in ``execute``'s return value when it does not raise (IPython's
    ``run_cell`` returns an ``ExecutionResult``). Without a recorder (it failed to start) the cell still runs
    and the outcome carries a warning instead of an explanation.

    Once the cell has finished, ``after_cell(outcome)`` runs with interrupts held (for restoring what ``execute``
    changed and reporting the cell's result), then the explanation is built and ``present(outcome)`` shows it;
    an interrupt during those two only cuts them short (a warning, the cell's result unchanged).
    """
    __tracebackhide__ = True  # noqa: F841
    outcome = Outcome()
    interrupts = HeldInterrupts()
    recorder: Recorder | None = None
    try:
        interrupts.hold()  # switching the recorder on is not to be interrupted half-way
        try:
            register(filename, source)
            recorder = Recorder({filename}, source, observer)
            recorder.__enter__()
        except Exception as fault:  # noqa: BLE001 - without a recorder the cell still runs, unexplained
            outcome.warnings.append(fault_text(fault))
            _close(recorder, outcome)
            recorder = None
        try:
            if interrupts.release():
                raise KeyboardInterrupt  # pressed while we prepared: the cell is interrupted before it starts
            outcome.value = execute()
        except BaseException as error:  # noqa: BLE001 - handed back to the caller unchanged
            outcome.error = error
            outcome.raised = True
        # The cell has finished: from here on an interrupt is ours to absorb. No Python call of ours comes
        # between ``execute`` returning and this one, whose first instruction is where a pending SIGINT lands.
        try:
            interrupts.hold()
        except KeyboardInterrupt:  # pending as the cell finished: raised before our handler was in place
            interrupts.interrupted = True
            try:  # noqa: SIM105 - suppress() would run Python code (its __enter__) before the try takes hold
                interrupts.hold()
            except KeyboardInterrupt:
                pass
        _close(recorder, outcome)
        if outcome.error is None and error_of is not None:
            outcome.error = error_of(outcome.value)
        if outcome.error is not None:
            with contextlib.suppress(Exception):
                prune_exception(outcome.error)
        if after_cell is not None:
            try:
                after_cell(outcome)
            except Exception as fault:  # noqa: BLE001 - reported, never raised into the finished cell
                outcome.warnings.append(fault_text(fault))
        if recorder is not None:
            try:
                if interrupts.interrupted:
                    raise KeyboardInterrupt  # interrupted while we tidied up: do not start building
                interrupts.interruptible = True
                outcome.explanation = _explain(
                    recorder, source, namespace, language, max_lines, display_lines, outcome.error, outcome.warnings
                )
            except KeyboardInterrupt as fault:
                interrupts.interruptible = False
                if outcome.explanation is None:
                    outcome.explanation = _incomplete(source, language, max_lines, outcome, fault)
            finally:
                interrupts.interruptible = False
        if present is not None:
            try:
                interrupts.interruptible = not interrupts.interrupted
                present(outcome)
            except (Exception, KeyboardInterrupt) as fault:  # noqa: BLE001 - one warning, never a traceback
                interrupts.interruptible = False
                outcome.warnings.append(fault_text(fault))
            finally:
                interrupts.interruptible = False
    finally:
        unregister(filename)
        try:  # noqa: SIM105 - suppress()'s __exit__ is Python code: an interrupt could land in it, uncaught
            interrupts.release()
        except KeyboardInterrupt:  # arrived the instant SIGINT was handed back: the cell had finished
            pass
    return outcome


def _close(recorder: Recorder | None, outcome: Outcome) -> None:
    """Switch the recorder off (modes popped, generator restored); a fault of ours is a warning."""
    if recorder is None:
        return
    try:
        recorder.__exit__(None, None, None)
    except Exception as fault:  # noqa: BLE001 - the cell's result stands
        outcome.warnings.append(fault_text(fault))


def fault_text(fault: BaseException) -> str:
    try:
        text = f"{type(fault).__name__}: {fault}" if str(fault) else type(fault).__name__
    except Exception:  # noqa: BLE001 - an exception whose __str__ raises
        text = type(fault).__name__
    return (text.splitlines() or [""])[0][:200]


def error_text(error: BaseException | None) -> str | None:
    """The user's error as the explanation names it: ``TypeName: first line of the message``."""
    return None if error is None else fault_text(error)


def _incomplete(
    source: str, language: str, max_lines: int, outcome: Outcome, fault: BaseException
) -> Explanation:
    outcome.warnings.append(fault_text(fault))
    warning = message("explain.incomplete", language, error=fault_text(fault))
    return Explanation(
        source=source, language=language, warnings=[warning], error=error_text(outcome.error), max_lines=max_lines
    )


def _explain(
    recorder: Recorder,
    source: str,
    namespace: Mapping[str, Any] | None,
    language: str,
    max_lines: int,
    display_lines: list[str] | None,
    error: BaseException | None,
    warnings: list[str],
) -> Explanation:
    """The notes about the recorded sites, or an explanation that only says it is incomplete (and why)."""
    try:
        from .notes import build_explanation

        # A user's torch modes and subclasses (left on by an earlier cell) must not see what the notes compute.
        with torch._C.DisableTorchFunction(), _disable_current_modes():
            return build_explanation(
                recorder,
                source=source,
                display_lines=display_lines,
                namespace=namespace,
                language=language,
                max_lines=max_lines,
                error=error_text(error),
            )
    except (Exception, KeyboardInterrupt) as fault:  # noqa: BLE001 - the cell finished; our part is what failed
        warnings.append(fault_text(fault))
        warning = message("explain.incomplete", language, error=fault_text(fault))
        return Explanation(
            source=source, language=language, warnings=[warning], error=error_text(error), max_lines=max_lines
        )


_COUNTER = iter(range(1, 1 << 62))


def explain(
    source: str,
    namespace: dict[str, Any],
    language: str = "en",
    *,
    max_lines: int = 40,
    observer: Observer | None = None,
) -> Explanation:
    """Run ``source`` once in ``namespace`` (like ``exec``) and explain every torch call it made.

    Exceptions from the user's code propagate unchanged (same type, same traceback); the explanation of what
    ran before the error is attached to the exception as ``tensormagic_explanation``.
    """
    language = normalize_language(language)
    filename = f"<tensormagic-explain-{next(_COUNTER)}>"
    # Tracebacks show the user's lines, as they would for a file.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")  # a SyntaxError is raised before anything runs
    outcome = run_recorded(
        lambda: exec(code, namespace),
        filename=filename,
        source=source,
        namespace=namespace,
        language=language,
        max_lines=max_lines,
        observer=observer,
    )
    explanation = outcome.explanation or Explanation(
        source=source,
        language=language,
        warnings=[message("explain.incomplete", language, error=w) for w in outcome.warnings[:1]],
        error=error_text(outcome.error),
        max_lines=max_lines,
    )
    error = outcome.error
    if error is not None:
        with contextlib.suppress(Exception):
            error.tensormagic_explanation = explanation  # type: ignore[attr-defined]
        traceback = error.__traceback__
        if traceback is not None and traceback.tb_frame.f_code is run_recorded.__code__:
            traceback = traceback.tb_next  # the user's frames start below our runner, as they would under exec()
        raise error.with_traceback(traceback)
    return explanation
