"""One recorded run of a cell, shared by :func:`tensormagic.explain` and the ``%%explain`` magic.

:func:`run_recorded` registers the cell's source for exactly as long as the explanation needs it, runs the
cell once under a :class:`~tensormagic.record.Recorder`, and builds the explanation. The user's exception is
returned, never swallowed and never changed; a fault of ours (the recorder would not start, the notes failed,
an interrupt while explaining a finished cell) becomes a warning, and the cell still runs exactly once.
"""

from __future__ import annotations

import contextlib
import linecache
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.utils._python_dispatch import _disable_current_modes

from .explanation import Explanation
from .i18n import message, normalize_language
from .record import Observer, Recorder, prune_traceback
from .source import register, unregister


@dataclass
class Outcome:
    """What a recorded run produced: the value ``execute`` returned, the user's error, and the explanation."""

    value: Any = None
    error: BaseException | None = None
    explanation: Explanation | None = None
    warnings: list[str] = field(default_factory=list)  # our own faults, one line each


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
) -> Outcome:
    """Run ``execute()`` once while recording code compiled under ``filename`` from ``source``; explain it.

    ``error_of(value)`` finds the user's error in ``execute``'s return value when it does not raise (IPython's
    ``run_cell`` returns an ``ExecutionResult``). Without a recorder (it failed to start) the cell still runs
    and the outcome carries a warning instead of an explanation.
    """
    __tracebackhide__ = True  # noqa: F841
    outcome = Outcome()
    register(filename, source)
    try:
        try:
            recorder: Recorder | None = Recorder({filename}, source, observer)
            recorder.__enter__()  # type: ignore[union-attr]
        except Exception as fault:  # noqa: BLE001 - without a recorder the cell still runs, unexplained
            outcome.warnings.append(_fault_text(fault))
            recorder = None
        try:
            outcome.value = execute()
        except BaseException as error:  # noqa: BLE001 - handed back to the caller unchanged
            outcome.error = error
        finally:
            if recorder is not None:
                recorder.__exit__(None, None, None)
        if outcome.error is None and error_of is not None:
            outcome.error = error_of(outcome.value)
        if outcome.error is not None:
            with contextlib.suppress(Exception):
                prune_traceback(outcome.error.__traceback__)
        if recorder is not None:
            outcome.explanation = _explain(
                recorder, source, namespace, language, max_lines, display_lines, outcome.error, outcome.warnings
            )
    finally:
        unregister(filename)
    return outcome


def _fault_text(fault: BaseException) -> str:
    try:
        text = f"{type(fault).__name__}: {fault}"
    except Exception:  # noqa: BLE001 - an exception whose __str__ raises
        text = type(fault).__name__
    return (text.splitlines() or [""])[0][:200]


def error_text(error: BaseException | None) -> str | None:
    """The user's error as the explanation names it: ``TypeName: first line of the message``."""
    return None if error is None else _fault_text(error)


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
        warnings.append(_fault_text(fault))
        warning = message("explain.incomplete", language, error=_fault_text(fault))
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
