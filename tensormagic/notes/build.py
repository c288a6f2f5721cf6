"""From recorded call sites to an :class:`~tensormagic.explanation.Explanation`.

Runs after the cell: it names each site the way the user wrote it (:mod:`.naming`), merges sites per
``(line, name)``, and applies the registered rules (:mod:`.registry`) to each.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from typing import Any

from ..explanation import Call, Explanation, Note, Step
from ..i18n import message
from ..ops import canonical_op
from ..record import Recorder, Site
from ..render.common import format_number, format_shape
from ..source import CellSource, Position, node_at, registered
from .context import CallContext
from .naming import qualified_name, source_context
from .registry import rules_for

__all__ = ["build_explanation", "notes_for"]


def notes_for(ctx: CallContext) -> list[Note]:
    """Every registered rule's notes about one call, in rank order."""
    notes: list[Note] = []
    for rule in rules_for(ctx.op, ctx.site.error is not None):
        notes.extend(rule.function(ctx))
    return notes


def _result_text(site: Site, language: str) -> str:
    result = site.result
    if result is None or result.kind in ("tensor", "ndarray"):
        return ""
    if result.kind in ("number", "bool"):
        value = format_number(result.value, 6) if result.kind == "number" else str(result.value)
        return message("explain.python_value", language, type_name=result.type_name, value=value)
    if result.kind == "tuple":
        shapes = ", ".join(format_shape(v.facts.shape) for v in result.items if v.facts is not None)
        return message("explain.tuple", language, count=len(result.items), shapes=shapes)
    if result.kind == "none":
        return ""
    return message("explain.no_value", language, type_name=result.type_name)


_SEPARATE_LIMIT = 3  # at most this many calls of one name on one line before their notes are merged
_COUNTED_KEYS = frozenset({"note.rng.draw"})  # notes whose numbers add up over a merged call's sites


def _site_call(
    name: str,
    members: list[tuple[Site, ast.AST | None, Position]],
    language: str,
    namespace: Mapping[str, Any] | None,
    problems: list[str],
    merged_notes: list[list[Note]] | None = None,
) -> tuple[Call, int]:
    """One :class:`Call` for sites of one name on one line (described by the first), and its first order."""
    members = sorted(members, key=lambda m: m[0].order)
    first, node, pos = members[0]
    last = members[-1][0]
    count = sum(m[0].count for m in members)
    errors = sum(m[0].errors for m in members)
    ctx = CallContext(name=name, op=canonical_op(name), site=first, count=count, language=language)
    try:
        # Texts from the cell's AST only describe calls the cell's expression made itself.
        source = registered(first.code.co_filename)
        expression = source_context(ctx, node, source) if first.direct else ""
        notes: list[Note] = notes_for(ctx)
    except Exception as fault:  # noqa: BLE001 - one call's notes missing must not lose the rest
        problems.append(f"{type(fault).__name__}: {fault}")
        expression, notes = "", []
    if merged_notes is not None:  # and the other sites' distinct notes, in order
        seen: dict[tuple[str, str], Note] = {(note.code, note.text): note for note in notes}
        for site_notes in merged_notes[1:]:
            for note in site_notes:
                if note.key not in _COUNTED_KEYS:  # said once, with the merged count
                    seen.setdefault((note.code, note.text), note)
        notes = list(seen.values())
    result_facts = ctx.result_facts()
    error_text = None
    if first.error is not None:
        error_text = f"{first.error.type_name}: {first.error.message.splitlines()[0][:200]}"
    inputs = tuple(v.facts for _, v, _ in ctx.tensor_inputs() if v.facts is not None)
    if first.linked_array is not None and first.linked_array.facts is not None:
        inputs = (first.linked_array.facts, *inputs)
    call = Call(
        name=name,
        count=count,
        result=result_facts,
        notes=notes,
        inputs=inputs,
        expression=expression,
        result_text=_result_text(first, language),
        first_shape=result_facts.shape if result_facts is not None else None,
        last_shape=tuple(last.last_shape) if last.last_shape is not None else None,
        error=error_text,
        errors=errors,
        layer=first.layer.path if first.layer is not None else None,
        group=first.layer.top if first.layer is not None else None,
        group_kind=first.layer.top_kind if first.layer is not None else "",
        forward=_forward_text(node, registered(first.code.co_filename)) if first.layer is not None else "",
        forward_at=_forward_at(first, pos),
    )
    return call, first.order


def _forward_at(site: Site, pos: Position) -> tuple[int, int, int, int] | None:
    """Where the cell's call that ran a forward pass is (a layer call's site is that call's instruction)."""
    if site.layer is None:
        return None
    return (pos.line, pos.end_line, pos.col, pos.end_col)


def _forward_text(node: ast.AST | None, source: CellSource | None) -> str:
    """The cell's call that ran a forward pass as written (``model(x)``), or "" when the source is not at hand."""
    if node is None or source is None:
        return ""
    return source.segment(node) or ""


def _layer_once(calls: list[Call]) -> None:
    """A layer is introduced once per forward pass, on its first call (a layer's other calls need no second label);
    ``model(a) + model(b)`` are two passes, each shown as a group of its own, each labelled."""
    seen: set[tuple[tuple[int, int, int, int] | None, str]] = set()
    for call in calls:
        if call.layer is None:
            continue
        if (call.forward_at, call.layer) in seen:
            call.notes = [note for note in call.notes if note.key != "note.layer.call"]
        seen.add((call.forward_at, call.layer))


def build_explanation(
    recorder: Recorder,
    *,
    source: str,
    display_lines: list[str] | None = None,
    namespace: Mapping[str, Any] | None = None,
    language: str = "en",
    max_lines: int = 40,
    error: str | None = None,
    warnings: Iterable[str] = (),
) -> Explanation:
    """Merge the recorder's sites per (line, name), in line order, and attach their notes."""
    lines = display_lines if display_lines is not None else source.splitlines()
    problems = list(warnings) + recorder.internal_errors
    # Keyed by the forward pass too: ``model(a) + model(b)`` are two passes, each with its own calls.
    groups: dict[tuple[int, str, tuple[int, int, int, int] | None], list[tuple[Site, ast.AST | None, Position]]] = {}
    for site in sorted(recorder.sites.values(), key=lambda s: s.order):
        try:
            node, pos = node_at(site.code, site.lasti)
            name = qualified_name(site, node, pos)
        except Exception as fault:  # noqa: BLE001 - reported as "explanation incomplete"
            problems.append(f"{type(fault).__name__}: {fault}")
            continue
        groups.setdefault((pos.line, name, _forward_at(site, pos)), []).append((site, node, pos))
    steps: dict[int, list[tuple[int, Call]]] = {}
    for (line, name, _), members in groups.items():
        # Several sites of one name on one line (``torch.tensor([1.5]) + torch.tensor([1, 2])``, the two
        # Linear layers of a Sequential): sites whose notes say the same are one call (counts added);
        # different notes make separate calls, up to a few; beyond that one call with the notes' union.
        built = [_site_call(name, [member], language, namespace, problems) for member in members]
        clusters: dict[tuple[tuple[str, str], ...], list[int]] = {}
        for index, (call, _) in enumerate(built):
            clusters.setdefault(tuple((n.code, n.text) for n in call.notes), []).append(index)
        if len(clusters) == 1 or len(clusters) > _SEPARATE_LIMIT:
            parts = [list(range(len(members)))]
        else:
            parts = list(clusters.values())
        for part in parts:
            chosen = [members[i] for i in part]
            call = (
                built[part[0]][0]
                if len(part) == 1
                else _site_call(name, chosen, language, namespace, problems, [built[i][0].notes for i in part])[0]
            )
            steps.setdefault(line, []).append((built[part[0]][1], call))
    incomplete = [message("explain.incomplete", language, error=problems[0])] if problems else []
    result_steps = []
    for line in sorted(steps):
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        calls = [call for _, call in sorted(steps[line], key=lambda item: item[0])]
        _layer_once(calls)
        result_steps.append(Step(line=line, source=text.rstrip(), calls=calls))
    return Explanation(
        source=source,
        steps=result_steps,
        language=language,
        warnings=incomplete,
        error=error,
        max_lines=max_lines,
    )
