"""Text and HTML for an :class:`~tensormagic.explanation.Explanation`: source lines beside their notes.

Both renderings cut at the same place: the explanation is first flattened into display rows (a line
of code, a call, a note), at most ``max_lines`` of them, with "N more" said where it was cut.

Two levels of detail (``Explanation.detail``): ``"full"`` (the teacher's default) shows each call with its
inputs and every note with its code; ``"brief"`` (student mode) gives each call one line, the code as written
(``t[0]``, ``a @ b``) and the point of its notes in their short wording (``tensormagic/i18n/brief.py``), and states
each general rule (broadcasting, matrix multiplication) in full once per cell, referring back to it after.
Plain text is wrapped to the output's width (:func:`~.text.output_width`) with hanging indents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..i18n import message
from ..i18n.brief import HIDDEN, RULES, STATEMENTS
from . import markdown as md
from .common import BADGE_STYLE, BOX_STYLE, MUTED_STYLE, WARN_STYLE, escape, format_shape
from .text import KEEP, Row, keep_shapes, keep_together, output_width, wrap_rows

if TYPE_CHECKING:
    from ..explanation import Call, Explanation, Note, Step
    from ..facts import Facts


@dataclass
class _Row:
    kind: Literal["step", "group", "call", "note"]
    step: Step
    call: Call | None = None
    note: Note | None = None
    text: str = ""  # brief mode: the call's whole line; a group: its header
    group: int | None = None  # the forward pass (a number per cell) the row belongs to, or is the header of
    size: int = 0  # a group: how many calls it has (also those a cut leaves out)


#: A forward pass with at most this many layer calls shows them open in HTML; a longer one (a CNN's ten layers)
#: starts closed, its header (the call, the model, the shapes in and out) standing for it.
OPEN_GROUP_CALLS = 4


def forward_passes(calls: list[Call]) -> list[list[Call]]:
    """A step's calls cut into runs: each forward pass (consecutive layer calls made by one call of the cell,
    ``model(x)``) is one run, every other call a run of its own. ``model(a) + model(b)`` are two passes."""
    runs: list[list[Call]] = []
    for call in calls:
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and call.forward_at is not None
            and call.forward_at == previous.forward_at
            and call.group == previous.group
        ):
            runs[-1].append(call)
        else:
            runs.append([call])
    return runs


def forward_header(calls: list[Call], language: str) -> str:
    """``model(x): Sequential forward pass, 3 layer calls, (5, 4) → (5, 2)``.

    The shapes are what the pass's own calls saw: the first call's first input and the last call's result, at
    their first run. Calls are listed in the order of their first run, so the last one listed is the last one run
    only when no call stands for several places of the pass (a parameterless layer used twice shares one call,
    ``relu ×2``): the shapes are said only when every call ran equally often, and the last gave a tensor.
    """
    first, last = calls[0], calls[-1]
    runs = sum(call.count for call in calls)
    values = {"call": first.forward or first.group or "", "kind": first.group_kind or first.group or "",
              "calls": len(calls), "runs": runs}
    head = message("explain.forward_runs" if runs > len(calls) else "explain.forward", language, **values)
    in_order = len({call.count for call in calls}) == 1
    if in_order and first.inputs and last.result is not None and last.error is None and not last.result_text:
        head = message(
            "explain.forward_shapes", language, head=head,
            shape_in=format_shape(first.inputs[0].shape), shape_out=format_shape(last.result.shape),
        )
    return head


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


#: How a student writes the operator a ``Tensor.__op__`` call stands for, when the source is not at hand
#: (the call was made inside a function): ``… @ …`` rather than ``Tensor.__matmul__``.
_OPERATORS = {
    "add": "+", "sub": "-", "mul": "*", "matmul": "@", "truediv": "/", "floordiv": "//", "mod": "%", "pow": "**",
    "and": "&", "or": "|", "xor": "^", "lshift": "<<", "rshift": ">>", "eq": "==", "ne": "!=", "lt": "<",
    "le": "<=", "gt": ">", "ge": ">=",
}


def written_name(call: Call) -> str:
    """The call as the student wrote it: its source (``t[0]``, ``a @ b``), else a readable spelling of its name."""
    if call.expression:
        return call.expression
    name = call.name
    method = name.removeprefix("Tensor.")
    if method.startswith("__") and method.endswith("__"):
        bare = method[2:-2]
        for prefix in ("", "r", "i"):  # a + b, 2 + a (__radd__), a += b (__iadd__)
            operator = _OPERATORS.get(bare[len(prefix):]) if bare.startswith(prefix) else None
            if operator is not None:
                return f"… {operator}= …" if prefix == "i" else f"… {operator} …"
        spelled = {"getitem": "…[…]", "setitem": "…[…] = …", "neg": "-…", "pos": "+…", "invert": "~…"}
        return spelled.get(bare, f".{method}")
    return f".{method}" if method != name else name


def _brief_note(note: Note, language: str) -> str | None:
    """A note's short wording, or None when brief mode leaves it out."""
    if not note.key:
        return note.text
    if note.key in HIDDEN:
        return None
    return message(f"{note.key}.brief", language, **note.params)


def brief_line(call: Call, line: int, stated: dict[str, int], language: str) -> str:
    """One call in student mode: ``a @ b → (2, 4) float32: inner size 3 disappears; matrix-multiplication rule: …``.

    ``stated`` maps each general rule already stated in full in this cell to its line; it is updated. A rule with a
    statement of its own (broadcasting, matrix multiplication) is added after the call's points; the others (an
    optimizer's update rule) are stated by their own note, which later calls replace by a reference.
    """
    head = written_name(call)
    if call.count > 1:
        head += " " + message("explain.times", language, count=f"{call.count:,}")
    if call.error is not None:
        key = "explain.call_failed" if call.errors >= call.count else "explain.call_failed_some"
        head += " ✗ " + message(key, language, error=call.error, errors=call.errors, count=call.count)
    elif call.result is not None:
        head += " → " + keep_together(call.result_text or _facts_text(call.result))
    elif call.result_text:
        head += " → " + call.result_text
    points: list[str] = []
    rules: list[str] = []
    earlier = dict(stated)
    for note in call.notes:
        rule = RULES.get(note.key)
        said_before = rule in earlier and rule not in STATEMENTS
        text = None if said_before else _brief_note(note, language)
        if text and text not in points:
            points.append(text)
        if rule is not None and rule not in rules:
            rules.append(rule)
    for rule in rules:
        if rule in earlier:
            name = message(f"brief.rule.name.{rule}", language)
            points.append(message("brief.rule.again", language, rule=name, line=earlier[rule]))
            continue
        stated[rule] = line
        if rule in STATEMENTS:
            points.append(message(f"brief.rule.{rule}", language))
    if not points:
        return head
    return message("brief.line", language, call=head, points=message("brief.and", language).join(points))


def _rows(explanation: Explanation) -> tuple[list[_Row], int]:
    brief = explanation.detail == "brief"
    rows: list[_Row] = []
    stated: dict[str, int] = {}
    passes = 0
    for step in explanation.steps:
        rows.append(_Row("step", step))
        for run in forward_passes(step.calls):
            group = None
            if len(run) > 1:  # one call needs no header: its layer note already says which model ran it
                passes += 1
                group = passes
                rows.append(_Row("group", step, run[0], text=forward_header(run, explanation.language), group=group,
                                 size=len(run)))
            for call in run:
                if brief:
                    text = brief_line(call, step.line, stated, explanation.language)
                    rows.append(_Row("call", step, call, text=text, group=group))
                    continue
                rows.append(_Row("call", step, call, group=group))
                rows.extend(_Row("note", step, call, note, group=group) for note in call.notes)
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


def text_rows(explanation: Explanation) -> list[Row]:
    """The explanation as (indent, hanging indent, text) rows: a code line, its calls, their notes."""
    rows, hidden = _rows(explanation)
    width = len(str(max((step.line for step in explanation.steps), default=1)))
    gutter = " " * width + " │ "
    out: list[Row] = [("", "  ", _title(explanation))]
    for row in rows:
        inset = "  " if row.group is not None and row.kind != "group" else ""  # a forward pass's calls
        if row.kind == "step":
            out.append((f"{row.step.line:>{width}} │ ", gutter + "    ", row.step.source.strip()))
        elif row.kind == "group":
            out.append((gutter + "  ", gutter + "      ", row.text))
        elif row.kind == "call" and row.call is not None:
            text = row.text or call_summary(row.call, explanation.language)
            out.append((gutter + inset + "  ", gutter + inset + "      ", text))
        elif row.note is not None:
            out.append((gutter + inset + "    ↳ ", gutter + inset + "      ", row.note.text))
    out.extend(("", "  ", line) for line in _footer(explanation, hidden))
    return out


def text_lines(explanation: Explanation) -> list[str]:
    """The explanation's lines, unwrapped."""
    return [(indent + text).replace(KEEP, " ").rstrip() for indent, _, text in text_rows(explanation)]


def to_text(explanation: Explanation, width: int | None = None) -> str:
    """The explanation wrapped to ``width`` columns (default: :func:`~.text.output_width`), no word broken."""
    return "\n".join(wrap_rows(text_rows(explanation), width or output_width()))


def to_html(explanation: Explanation) -> str:
    rows, hidden = _rows(explanation)
    language = explanation.language
    body: list[str] = []
    current: list[str] = []
    step: Step | None = None
    open_group: int | None = None  # the forward pass whose <details> is open

    def close_group() -> None:
        nonlocal open_group
        if open_group is not None:
            current.append("</div></details>")
            open_group = None

    def flush() -> None:
        close_group()
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
        if row.group != open_group:
            close_group()
        if row.kind == "step":
            flush()
            step, current = row.step, []
        elif row.kind == "group" and row.group is not None:
            shown = " open" if row.size <= OPEN_GROUP_CALLS else ""
            current.append(
                f'<details class="tensormagic-forward"{shown}><summary><b>{escape(keep_shapes(row.text))}</b>'
                '</summary><div style="margin-left:1em">'
            )
            open_group = row.group
        elif row.kind == "call" and row.call is not None:
            if row.text:  # brief: the whole line, the code as written in bold
                head = written_name(row.call)
                rest = row.text[len(head):] if row.text.startswith(head) else " " + row.text
                current.append(f"<div><b>{escape(head)}</b>{escape(keep_shapes(rest))}</div>")
            else:
                current.append(f"<div><b>{escape(keep_shapes(call_summary(row.call, language)))}</b></div>")
        elif row.note is not None:
            current.append(
                f'<div style="margin-left:1em">↳ <span style="{BADGE_STYLE}">{escape(row.note.code)}</span>'
                f"{escape(keep_shapes(row.note.text))}</div>"
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


def to_markdown(explanation: Explanation) -> str:
    """The explanation as Markdown: its title, then each code line as a code span with its calls in a list and
    their notes nested under them (the note's code as a code span), then the footer."""
    rows, hidden = _rows(explanation)
    language = explanation.language
    blocks = [f"**{md.text(_title(explanation))}**"]
    current: list[str] = []
    for row in rows:
        if row.kind == "step":
            if current:
                blocks.append("\n".join(current))
            label = md.text(message("explain.line", language))
            current = [f"**{label} {row.step.line}** {md.code(row.step.source.strip())}"]
        elif row.kind == "call" and row.call is not None:
            inset = "  " if row.group is not None else ""
            current.append(f"{inset}- {md.text(row.text or call_summary(row.call, language))}")
        elif row.kind == "group":
            current.append(f"- **{md.text(row.text)}**")
        elif row.note is not None:
            inset = "  " if row.group is not None else ""
            current.append(f"{inset}  - {md.code(row.note.code)} {md.text(row.note.text)}")
    if current:
        blocks.append("\n".join(current))
    blocks.extend(md.text(line) for line in _footer(explanation, hidden))
    return "\n\n".join(blocks)
