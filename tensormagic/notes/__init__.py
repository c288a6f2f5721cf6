"""From recorded call sites to an :class:`~tensormagic.explanation.Explanation`.

Runs after the cell: it names each site the way the user wrote it (``Tensor.__mul__`` for ``a * b``,
``torch.from_numpy``), reads the argument texts from the cell's AST, merges sites per
``(line, name)``, and applies the rules in :mod:`tensormagic.notes.rules`.
"""

from __future__ import annotations

import ast
import dis
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from ..explanation import Call, Explanation, Note, Step
from ..i18n import message
from ..render.common import format_number, format_shape
from ..sharing import find_sharing, names_of
from ..trace import _SOURCES, LEGACY_CONSTRUCTORS, Position, Recorder, Site, func_short_name, node_at
from .rules import SHARE_OPS, CallContext, canonical_op, notes_for

__all__ = ["build_explanation", "qualified_name"]

_NB_DUNDER = {
    "ADD": "add",
    "AND": "and",
    "FLOOR_DIVIDE": "floordiv",
    "LSHIFT": "lshift",
    "MATRIX_MULTIPLY": "matmul",
    "MULTIPLY": "mul",
    "REMAINDER": "mod",
    "OR": "or",
    "POWER": "pow",
    "RSHIFT": "rshift",
    "SUBTRACT": "sub",
    "TRUE_DIVIDE": "truediv",
    "XOR": "xor",
}
_CMP_DUNDER = {"<": "lt", "<=": "le", "==": "eq", "!=": "ne", ">": "gt", ">=": "ge"}
_UNARY_DUNDER = {"UNARY_NEGATIVE": "neg", "UNARY_INVERT": "invert", "UNARY_POSITIVE": "pos"}
_AST_SYMBOLS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}
_TORCH_MODULES = frozenset(
    {"torch", "torch.functional", "torch._C._VariableFunctions", "torch.random", "torch._tensor", "torch.serialization"}
)
#: C extension modules behind public namespaces (``nn.Linear`` calls ``torch._C._nn.linear``).
_PUBLIC_MODULES = {
    "torch._C._nn": "torch.nn.functional",
    "torch._C._linalg": "torch.linalg",
    "torch._C._fft": "torch.fft",
    "torch._C._special": "torch.special",
    "torch._C._nested": "torch.nested",
}
_TEXT_LIMIT = 48


def function_name(func: Any) -> str:
    """``torch.tensor``, ``Tensor.neg_``, ``torch.nn.functional.relu``: how the function is reached."""
    short = func_short_name(func)
    qualname = str(getattr(func, "__qualname__", "") or "")
    if qualname.startswith(("TensorBase.", "Tensor.", "_TensorBase.")):
        return f"Tensor.{short}"
    module = str(getattr(func, "__module__", "") or "")
    if module in _TORCH_MODULES or not module:
        return f"torch.{short}"
    return f"{_PUBLIC_MODULES.get(module, module)}.{short}"


def _callee_last(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def qualified_name(site: Site, node: ast.AST | None, pos: Position) -> str:
    """The call's name as the user wrote it: operators as their dunder, methods on ``Tensor``."""
    if site.kind == "seed":
        return str(site.func)
    if site.kind == "dispatch":
        if isinstance(node, ast.Call) and site.direct:
            last = _callee_last(node.func)
            if last == "from_numpy" or last in LEGACY_CONSTRUCTORS:
                return f"torch.{last}"
        return "torch.Tensor" if "empty" in site.op else "torch.from_numpy"
    short = func_short_name(site.func)
    if site.kind == "descriptor":
        return f"Tensor.{short}"
    if not site.direct:  # made inside a function the cell called: the cell's instruction is that call
        return function_name(site.func)
    opname = pos.opname
    if opname == "BINARY_OP" and pos.oparg < len(dis._nb_ops):  # type: ignore[attr-defined]
        if short.startswith("__r") and short.endswith("__"):
            return f"Tensor.{short}"
        core = dis._nb_ops[pos.oparg][0].removeprefix("NB_")  # type: ignore[attr-defined]
        inplace = core.startswith("INPLACE_")
        dunder = _NB_DUNDER.get(core.removeprefix("INPLACE_"))
        if dunder:
            return f"Tensor.__{'i' if inplace else ''}{dunder}__"
    if opname == "BINARY_SUBSCR":
        return "Tensor.__getitem__"
    if opname == "STORE_SUBSCR":
        return "Tensor.__setitem__"
    # COMPARE_OP's argument: the comparison index (3.11), shifted left by 4 (3.12) or 5 (3.13+).
    compare = pos.oparg >> (0 if sys.version_info < (3, 12) else 4 if sys.version_info < (3, 13) else 5)
    if opname == "COMPARE_OP" and compare < len(dis.cmp_op):
        dunder = _CMP_DUNDER.get(dis.cmp_op[compare])
        if dunder:
            return f"Tensor.__{dunder}__"
    if opname in _UNARY_DUNDER:
        return f"Tensor.__{_UNARY_DUNDER[opname]}__"
    return function_name(site.func)


_LINES: dict[str, list[bytes]] = {}


def _source_segment(source: str, node: ast.AST) -> str | None:
    """``ast.get_source_segment`` without re-splitting the whole source for every node (offsets are UTF-8)."""
    lines = _LINES.get(source)
    if lines is None:
        if len(_LINES) > 64:
            _LINES.clear()
        lines = _LINES[source] = [line.encode("utf-8") for line in source.splitlines(keepends=True)]
    start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
    if start is None or end is None or col is None or end_col is None or end > len(lines):
        return None
    if start == end:
        return lines[start - 1][col:end_col].decode("utf-8", "replace")
    parts = [lines[start - 1][col:], *lines[start : end - 1], lines[end - 1][:end_col]]
    return b"".join(parts).decode("utf-8", "replace")


def _segment(source: str | None, node: ast.AST) -> str:
    text = _source_segment(source, node) if source else None
    if not text:
        try:
            text = ast.unparse(node)
        except Exception:  # noqa: BLE001 - a display string only
            text = "?"
    text = " ".join(text.split())
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1] + "…"


def _parent(node: ast.AST) -> ast.AST | None:
    return getattr(node, "_tm_parent", None)


def _source_context(ctx: CallContext, node: ast.AST | None, source: str | None) -> str:
    """Fill the argument texts, assignment target and statement facts of ``ctx``; return the expression text."""
    if node is None:
        return ""
    seg = lambda n: _segment(source, n)  # noqa: E731
    if isinstance(node, ast.Call):
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        method = (
            ctx.is_method
            and receiver is not None
            and seg(receiver) not in ("torch.Tensor", "Tensor", "torch._C.TensorBase")
        )
        ctx.texts = ([seg(receiver)] if method and receiver is not None else []) + [seg(a) for a in node.args]
        ctx.kw_texts = {k.arg: seg(k.value) for k in node.keywords if k.arg}
    elif isinstance(node, ast.BinOp):
        ctx.binary_symbol = _AST_SYMBOLS.get(type(node.op))
        reflected = ctx.name.rsplit(".", 1)[-1].startswith("__r")
        ctx.texts = [seg(node.right), seg(node.left)] if reflected else [seg(node.left), seg(node.right)]
    elif isinstance(node, ast.AugAssign):
        ctx.binary_symbol = _AST_SYMBOLS.get(type(node.op))
        ctx.texts = [seg(node.target), seg(node.value)]
    elif isinstance(node, ast.Subscript):
        ctx.texts = [seg(node.value), seg(node.slice)]
        parent = _parent(node)
        if isinstance(parent, ast.Assign) and ctx.name.endswith("__setitem__"):
            ctx.texts.append(seg(parent.value))
    elif isinstance(node, ast.Attribute):
        ctx.texts = [seg(node.value)]
    elif isinstance(node, ast.Compare):
        ctx.texts = [seg(node.left), *(seg(c) for c in node.comparators[:1])]
    elif isinstance(node, ast.UnaryOp):
        ctx.texts = [seg(node.operand)]
    parent = _parent(node)
    if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1:
        ctx.target = seg(parent.targets[0])
    elif isinstance(parent, ast.AnnAssign | ast.NamedExpr) and parent.value is node:
        ctx.target = seg(parent.target)
    if isinstance(parent, ast.Expr) and parent.value is node:
        holder = _parent(parent)
        last_of_cell = isinstance(holder, ast.Module) and holder.body and holder.body[-1] is parent
        ctx.unused = not last_of_cell
    if isinstance(parent, ast.Attribute) and parent.attr == "copy":
        grand = _parent(parent)
        ctx.then_copy = isinstance(grand, ast.Call) and grand.func is parent
    return seg(node)


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


def _end_names(site: Site, namespace: Mapping[str, Any] | None) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """Names bound to / sharing memory with the first result, if it is still alive after the cell."""
    if namespace is None or site.result_ref is None:
        return (), ()
    obj = site.result_ref()
    if obj is None:
        return (), ()
    try:
        return tuple(names_of(obj, namespace)), find_sharing(obj, namespace)
    finally:
        del obj  # never outlive this function


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
    first, node, _pos = members[0]
    last = members[-1][0]
    count = sum(m[0].count for m in members)
    errors = sum(m[0].errors for m in members)
    ctx = CallContext(name=name, op=canonical_op(name), site=first, count=count, language=language)
    try:
        # Texts from the cell's AST only describe calls the cell's expression made itself.
        expression = _source_context(ctx, node, _SOURCES.get(first.code.co_filename)) if first.direct else ""
        if ctx.op in SHARE_OPS:
            ctx.end_names, ctx.end_sharing = _end_names(first, namespace)
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
    )
    return call, first.order


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
    groups: dict[tuple[int, str], list[tuple[Site, ast.AST | None, Position]]] = {}
    for site in sorted(recorder.sites.values(), key=lambda s: s.order):
        try:
            node, pos = node_at(site.code, site.lasti)
            name = qualified_name(site, node, pos)
        except Exception as fault:  # noqa: BLE001 - reported as "explanation incomplete"
            problems.append(f"{type(fault).__name__}: {fault}")
            continue
        groups.setdefault((pos.line, name), []).append((site, node, pos))
    steps: dict[int, list[tuple[int, Call]]] = {}
    for (line, name), members in groups.items():
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
        result_steps.append(Step(line=line, source=text.rstrip(), calls=calls))
    return Explanation(
        source=source,
        steps=result_steps,
        language=language,
        warnings=incomplete,
        error=error,
        max_lines=max_lines,
    )
