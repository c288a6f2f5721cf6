"""``tensormagic.steps``: run a cell once under the step tracer and return its :class:`Timeline`.

Like ``exec(source, namespace)``: the code runs once, its exception comes back unchanged (with the timeline up to
it attached), and the tracer is the only thing added: no torch function or dispatch mode, no RNG draw, no reference
to the cell's objects kept.
"""

from __future__ import annotations

import contextlib
import linecache
from typing import Any

from ..i18n import message, normalize_language
from .model import Timeline
from .recorder import StepRecorder

_COUNTER = iter(range(1, 1 << 62))


def _error_text(error: BaseException | None) -> str | None:
    if error is None:
        return None
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:  # noqa: BLE001 - an exception whose __str__ raises
        text = type(error).__name__
    return (text.splitlines() or [""])[0][:300]


def build_timeline(recorder: StepRecorder, language: str, error: BaseException | None) -> Timeline:
    """The recorder's kept steps as a :class:`Timeline`, with every fault of ours said once."""
    timeline = recorder.timeline(language, _error_text(error))
    if recorder.faults:
        timeline.warnings.append(message("steps.incomplete", language, error=recorder.faults[0]))
    if recorder.stopped is not None:
        timeline.warnings.append(message("steps.stopped", language, step=recorder.steps))
    return timeline


def steps(source: str, namespace: dict[str, Any], language: str = "en") -> Timeline:
    """Run ``source`` once in ``namespace`` (like ``exec``) and return its :class:`Timeline`.

    ``Timeline.frames`` are its executed lines in order (a loop's lines keep their first and last few runs), each
    with the names the code touches (name → block id), the blocks (tensors and arrays: dtype, shape, strides,
    where their elements lie, values when small) and their memory. The user's exception propagates unchanged, with
    the timeline up to it attached as ``tensormagic_timeline``.
    """
    language = normalize_language(language)
    filename = f"<tensormagic-steps-{next(_COUNTER)}>"
    # Tracebacks show the user's lines, as they would for a file.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    code = compile(source, filename, "exec")  # a SyntaxError is raised before anything runs
    recorder = StepRecorder(filename, source)
    error: BaseException | None = None
    try:
        recorder.run(lambda: exec(code, namespace))
    except BaseException as raised:  # noqa: BLE001 - handed back unchanged below
        error = raised
    timeline = build_timeline(recorder, language, error)
    if error is None:
        return timeline
    with contextlib.suppress(Exception):
        error.tensormagic_timeline = timeline  # type: ignore[attr-defined]
    traceback = error.__traceback__
    while traceback is not None and traceback.tb_frame.f_code.co_filename != filename:
        traceback = traceback.tb_next  # the user's frames start at the cell, as they would under exec()
    raise error.with_traceback(traceback if traceback is not None else error.__traceback__)
