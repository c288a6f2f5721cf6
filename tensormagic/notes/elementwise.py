"""Element-wise notes: broadcasting (aligned shapes, stretched axes), unary functions, powers."""

from __future__ import annotations

from ..explanation import Note
from ..ops import BINARY_SYMBOLS, is_inplace
from ..render.common import format_shape
from .context import CallContext
from .registry import note_code, rule

BROADCAST = note_code(
    "broadcast",
    "operand shapes differed and were broadcast (aligned shapes shown)",
    "操作数形状不同，发生了广播（给出对齐后的形状）",
)
ELEMENTWISE = note_code(
    "elementwise",
    "an element-by-element operation on equal shapes",
    "形状相同的逐元素运算",
)


UNARY_ELEMENTWISE = frozenset(
    {
        "sqrt",
        "exp",
        "log",
        "log2",
        "log10",
        "abs",
        "neg",
        "negative",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sigmoid",
        "relu",
        "exp2",
        "expm1",
        "log1p",
        "rsqrt",
        "square",
        "floor",
        "ceil",
        "round",
        "trunc",
        "sign",
        "reciprocal",
        "clamp",
        "clip",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "erf",
        "frac",
        "positive",
        "bitwise_not",
        "logical_not",
        "isnan",
        "isinf",
        "isfinite",
        "nan_to_num",
        "softplus",
        "gelu",
        "silu",
    }
)


# -- broadcasting, element-wise, matmul -------------------------------------------------------------
def aligned(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    width = max(len(a), len(b))
    return (1,) * (width - len(a)) + a, (1,) * (width - len(b)) + b


def broadcast_conflict(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, int, int] | None:
    """The first axis (counted from the left of the aligned shapes) where sizes differ and neither is 1."""
    pa, pb = aligned(a, b)
    for axis, (x, y) in enumerate(zip(pa, pb, strict=True)):
        if x != y and x != 1 and y != 1:
            return axis - len(pa), x, y
    return None


@rule(rank=60, codes=[BROADCAST, ELEMENTWISE], ops=BINARY_SYMBOLS)
def broadcast_notes(ctx: CallContext) -> list[Note]:
    if ctx.op not in BINARY_SYMBOLS or ctx.site.error is not None:
        return []
    symbol = ctx.binary_symbol or BINARY_SYMBOLS[ctx.op]
    result = ctx.result_facts()
    operands = [(i, v, t) for i, v, t in ctx.tensor_inputs() if v.kind == "tensor"][:2]
    if len(operands) == 1:
        _, value, text = operands[0]
        first = operands[0][0] in (0, "input", "self")
        scalar = ctx.param("other", 1) if first else ctx.param("input", 0)
        if scalar is not None and scalar.kind in ("number", "bool") and value.facts is not None:
            other_text = ctx.text(1, "other") if first else ctx.text(0, "input")
            return [
                ctx.note(
                    "broadcast",
                    "note.broadcast.scalar",
                    scalar=other_text,
                    name=text,
                    shape=format_shape(value.facts.shape),
                )
            ]
        return []
    if len(operands) < 2:
        return []
    (_, va, ta), (_, vb, tb) = operands
    if va.facts is None or vb.facts is None:
        return []
    a, b = va.facts.shape, vb.facts.shape
    if a == b:
        return [ctx.note("elementwise", "note.elementwise.binary", shape=format_shape(a))]
    pa, pb = aligned(a, b)
    shape_result = result.shape if result is not None else tuple(max(x, y) for x, y in zip(pa, pb, strict=True))
    notes = [
        ctx.note(
            "broadcast",
            "note.broadcast.shapes",
            a=format_shape(a),
            b=format_shape(b),
            symbol=symbol,
            aligned_a=format_shape(pa),
            aligned_b=format_shape(pb),
            result=format_shape(shape_result),
        )
    ]
    for name, mine, other in ((ta, pa, pb), (tb, pb, pa)):
        axes = [str(i) for i, (x, y) in enumerate(zip(mine, other, strict=True)) if x == 1 and y != 1]
        if axes:
            notes.append(
                ctx.note("broadcast", "note.broadcast.stretch", name=name, axes=", ".join(axes), count=len(axes))
            )
    notes.append(ctx.note("broadcast", "note.broadcast.rule"))
    return notes


@rule(rank=150, codes=[ELEMENTWISE], ops=UNARY_ELEMENTWISE)
def unary_notes(ctx: CallContext) -> list[Note]:
    if ctx.op not in UNARY_ELEMENTWISE or is_inplace(ctx.name) or ctx.site.error is not None:
        return []
    if ctx.op in ("neg", "negative") and ctx.unused:
        return []
    result = ctx.result_facts()
    if result is None:
        return []
    return [ctx.note("elementwise", "note.elementwise.unary", op=ctx.op, shape=format_shape(result.shape))]


@rule(rank=70, codes=[BROADCAST], ops={"pow"})
def pow_notes(ctx: CallContext) -> list[Note]:
    """``torch.pow(t, exponent=2)``: the exponent is a number combined with every element."""
    if ctx.op != "pow" or ctx.site.error is not None:
        return []
    base = ctx.param("input", 0) or ctx.param("self", 0)
    exponent = ctx.param("exponent", 1)
    if base is None or base.facts is None or exponent is None or exponent.kind != "number":
        return []
    return [
        ctx.note(
            "broadcast",
            "note.broadcast.scalar",
            scalar=ctx.text(1, "exponent"),
            name=ctx.text(0, "input"),
            shape=format_shape(base.facts.shape),
        )
    ]
