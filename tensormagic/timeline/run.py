"""``tensormagic.steps``: run a cell once under the recorder and the step tracer; return its :class:`Timeline`.

The run is :func:`tensormagic.runner.run_recorded`, the one ``tensormagic.explain`` and ``%%explain`` use (same
transparency: the cell runs once, its exception comes back unchanged), with the step tracer around the cell's
execution. The explanation of the same run gives each line its calls and notes.
"""

from __future__ import annotations

import contextlib
import linecache
from collections.abc import Callable
from typing import Any

from ..explanation import Explanation
from ..i18n import message, normalize_language
from ..runner import error_text, run_recorded
from .model import Timeline
from .recorder import StepRecorder

_COUNTER = iter(range(1, 1 << 62))


def line_notes(explanation: Explanation | None) -> dict[int, list[tuple[str, tuple[str, ...]]]]:
    """Each line's torch calls (name, ×count, or what it raised) with their notes' texts."""
    notes: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    if explanation is None:
        return notes
    for step in explanation.steps:
        calls = []
        for call in step.calls:
            label = call.name + (f" ×{call.count:,}" if call.count > 1 else "")
            if call.error is not None:
                label += f"  ✗ {call.error}"
            calls.append((label, tuple(note.text for note in call.notes)))
        if calls:
            notes[step.line] = calls
    return notes


def build_timeline(
    recorder: StepRecorder,
    language: str,
    explanation: Explanation | None,
    error: BaseException | None,
    warnings: list[str],
) -> Timeline:
    """The recorder's steps, with the explanation's notes and every fault of ours said once."""
    timeline = recorder.timeline(language, error_text(error))
    timeline.notes = line_notes(explanation)
    faults = [*warnings, *recorder.faults]
    if faults:
        timeline.warnings.append(message("steps.incomplete", language, error=faults[0]))
    if recorder.stopped is not None:
        timeline.warnings.append(message("steps.stopped", language, step=recorder.steps))
    return timeline


def steps(source: str, namespace: dict[str, Any], language: str = "en", *, max_lines: int = 40) -> Timeline:
    """Run ``source`` once in ``namespace`` (like ``exec``) and return its :class:`Timeline`.

    ``Timeline.frames`` are its executed lines in order, each with the names it touches (name → block id), the blocks
    (tensors and arrays: dtype, shape, strides, where their elements lie, values when small) and their memory. The
    user's exception propagates unchanged, with the timeline up to it attached as ``tensormagic_timeline``.
    """
    language = normalize_language(language)
    filename = f"<tensormagic-steps-{next(_COUNTER)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")  # a SyntaxError is raised before anything runs
    recorder = StepRecorder(filename, source)
    execute: Callable[[], Any] = lambda: recorder.run(lambda: exec(code, namespace))  # noqa: E731
    outcome = run_recorded(
        execute, filename=filename, source=source, namespace=namespace, language=language, max_lines=max_lines
    )
    timeline = build_timeline(recorder, language, outcome.explanation, outcome.error, outcome.warnings)
    error = outcome.error
    if error is not None:
        with contextlib.suppress(Exception):
            error.tensormagic_timeline = timeline  # type: ignore[attr-defined]
        traceback = error.__traceback__
        while traceback is not None and traceback.tb_frame.f_code.co_filename != filename:
            traceback = traceback.tb_next  # the user's frames start at the cell, as they would under exec()
        raise error.with_traceback(traceback)
    return timeline
