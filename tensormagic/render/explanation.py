"""Text and HTML for an :class:`~tensormagic.explanation.Explanation`: source lines beside their notes.

Both renderings cut at the same place: the explanation is first flattened into display rows (a line
of code, a call, a note), at most ``max_lines`` of them, with "N more" said where it was cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..i18n import message
from .common import BADGE_STYLE, BOX_STYLE, MUTED_STYLE, WARN_STYLE, escape, format_shape

if TYPE_CHECKING:
    from ..explanation import Call, Explanation, Note, Step
    from ..facts import Facts


@dataclass
class _Row:
    kind: Literal["step", "call", "note"]
    step: Step
    call: Call | None = None
    note: Note | None = None


def _facts_text(facts: Facts) -> str:
    dtype = facts.dtype.removeprefix("torch.")
    device = "" if facts.device == "cpu" else f" {facts.device}"
    return f"{format_shape(facts.shape)} {dtype}{device}"


def call_summary(call: Call, language: str) -> str:
    """``torch.matmul ×3  (2, 2) int64, (2, 3) int64 → (2, 3) int64``."""
    parts = [call.name]
    if call.count > 1:
        parts.append(message("explain.times", language, count=f"{call.count:,}"))
    shown = ", ".join(_facts_text(f) for f in call.inputs[:3])
    if call.error is not None:
        key = "explain.call_failed" if call.errors >= call.count else "explain.call_failed_some"
        outcome = message(key, language, error=call.error, errors=call.errors, count=call.count)
        return " ".join(parts) + ("  " + shown if shown else "") + "  ✗ " + outcome
    if call.result is not None:
        outcome = _facts_text(call.result)
        if call.result_text:
            outcome = call.result_text
    else:
        outcome = call.result_text
    text = " ".join(parts) + "  " + (shown + " → " if shown else "→ ") + (outcome or "None")
    if call.count > 1 and call.first_shape is not None and call.last_shape is not None:
        text += " · " + message(
            "explain.shapes", language, first=format_shape(call.first_shape), last=format_shape(call.last_shape)
        )
    return text


def _rows(explanation: Explanation) -> tuple[list[_Row], int]:
    rows: list[_Row] = []
    for step in explanation.steps:
        rows.append(_Row("step", step))
        for call in step.calls:
            rows.append(_Row("call", step, call))
            rows.extend(_Row("note", step, call, note) for note in call.notes)
    limit = max(explanation.max_lines - 2, 3)  # room for the title and the "N more" line
    if len(rows) <= limit:
        return rows, 0
    return rows[:limit], len(rows) - limit


def _title(explanation: Explanation) -> str:
    calls = sum(call.count for call in explanation.calls)
    if not explanation.steps:
        return message("explain.none", explanation.language)
    return message("explain.title", explanation.language, calls=calls, lines=len(explanation.steps))


def _footer(explanation: Explanation, hidden: int) -> list[str]:
    language = explanation.language
    lines = []
    if hidden:
        lines.append(message("explain.more", language, count=hidden, limit=explanation.max_lines))
    if explanation.error:
        lines.append("⚠ " + message("explain.failed", language, error=explanation.error))
    lines.extend("⚠ " + warning for warning in explanation.warnings)
    return lines


def text_lines(explanation: Explanation) -> list[str]:
    rows, hidden = _rows(explanation)
    width = len(str(max((step.line for step in explanation.steps), default=1)))
    lines = [_title(explanation)]
    for row in rows:
        if row.kind == "step":
            lines.append(f"{row.step.line:>{width}} │ {row.step.source.strip()}")
        elif row.kind == "call" and row.call is not None:
            lines.append(f"{'':>{width}} │   {call_summary(row.call, explanation.language)}")
        elif row.note is not None:
            lines.append(f"{'':>{width}} │     ↳ {row.note.text}")
    lines.extend(_footer(explanation, hidden))
    return lines


def to_html(explanation: Explanation) -> str:
    rows, hidden = _rows(explanation)
    language = explanation.language
    body: list[str] = []
    current: list[str] = []
    step: Step | None = None

    def flush() -> None:
        if step is None:
            return
        body.append(
            "<tr>"
            f'<td style="vertical-align:top;text-align:right;padding:2px 6px;{MUTED_STYLE}">{step.line}</td>'
            f'<td style="vertical-align:top;text-align:left;padding:2px 10px 2px 0">'
            f'<pre style="margin:0;white-space:pre;text-align:left">'
            f"{escape(step.source.strip())}</pre></td>"
            f'<td style="vertical-align:top;text-align:left;padding:2px 0">{"".join(current)}</td>'
            "</tr>"
        )

    for row in rows:
        if row.kind == "step":
            flush()
            step, current = row.step, []
        elif row.kind == "call" and row.call is not None:
            current.append(f"<div><b>{escape(call_summary(row.call, language))}</b></div>")
        elif row.note is not None:
            current.append(
                f'<div style="margin-left:1em">↳ <span style="{BADGE_STYLE}">{escape(row.note.code)}</span>'
                f"{escape(row.note.text)}</div>"
            )
    flush()
    head = (
        f'<tr><th style="{MUTED_STYLE};text-align:right;padding:0 6px">{escape(message("explain.line", language))}</th>'
        f'<th style="text-align:left">{escape(message("explain.code", language))}</th>'
        f'<th style="text-align:left">{escape(message("explain.what", language))}</th></tr>'
    )
    footer = "".join(
        f'<div><span style="{WARN_STYLE if line.startswith("⚠") else ""}">{escape(line)}</span></div>'
        for line in _footer(explanation, hidden)
    )
    table = f'<table style="border-collapse:collapse">{head}{"".join(body)}</table>' if body else ""
    return (
        f'<div class="tensormagic-explanation" style="{BOX_STYLE}"><div><b>{escape(_title(explanation))}</b></div>'
        f"{table}{footer}</div>"
    )
