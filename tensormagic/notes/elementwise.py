"""Element-wise notes: broadcasting (aligned shapes, stretched axes), unary functions, powers."""

from __future__ import annotations

from ..explanation import Note
from ..ops import BINARY_SYMBOLS, is_inplace
from ..render.common import format_shape
from .context import CallContext, claim, subject
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
    symbol = ctx.binary_symbol or BINARY_SYMBOLS[ctx.op]
    result = ctx.result_facts()
    if result is None:
        return []
    operands = [(i, v, t) for i, v, t in ctx.tensor_inputs() if v.kind == "tensor" and v.facts is not None][:2]
    if len(operands) == 1:
        index, value, text = operands[0]
        first = index in (0, "input", "self")
        if ctx.op == "pow":
            scalar = ctx.param("exponent", 1) if first else ctx.param("self", 0)
            other_text = ctx.text(1, "exponent") if first else ctx.text(0, "self")
        else:
            scalar = ctx.param("other", 1) if first else ctx.param("input", 0)
            other_text = ctx.text(1, "other") if first else ctx.text(0, "input")
        if scalar is None or scalar.kind not in ("number", "bool") or value.facts is None:
            return []
        shape = tuple(value.facts.shape)
        claims = [claim("shape", subject(index), shape), claim("shape", "result", shape)]
        return [
            ctx.note(
                BROADCAST, "note.broadcast.scalar", claims, scalar=other_text, name=text, shape=format_shape(shape)
            )
        ]
    if len(operands) < 2:
        return []
    (ia, va, ta), (ib, vb, tb) = operands
    a, b = tuple(va.facts.shape), tuple(vb.facts.shape)  # type: ignore[union-attr]
    shapes = [claim("shape", subject(ia), a), claim("shape", subject(ib), b)]
    if a == b:
        claims = [*shapes, claim("shape", "result", tuple(result.shape))]
        return [ctx.note(ELEMENTWISE, "note.elementwise.binary", claims, shape=format_shape(a))]
    pa, pb = aligned(a, b)
    shape_result = tuple(result.shape)
    broadcast = [*shapes, claim("broadcast", "result", (a, b))]
    notes = [
        ctx.note(
            BROADCAST,
            "note.broadcast.shapes",
            broadcast,
            a=format_shape(a),
            b=format_shape(b),
            symbol=symbol,
            aligned_a=format_shape(pa),
            aligned_b=format_shape(pb),
            result=format_shape(shape_result),
        )
    ]
    for index, name, mine, other in ((ia, ta, pa, pb), (ib, tb, pb, pa)):
        axes = [i for i, (x, y) in enumerate(zip(mine, other, strict=True)) if x == 1 and y != 1]
        if axes:
            stretched = [claim("stretched", subject(index), tuple(axes))]
            notes.append(
                ctx.note(
                    BROADCAST,
                    "note.broadcast.stretch",
                    stretched,
                    name=name,
                    axes=", ".join(str(axis) for axis in axes),
                    count=len(axes),
                )
            )
    notes.append(ctx.note(BROADCAST, "note.broadcast.rule", broadcast))
    return notes


@rule(rank=150, codes=[ELEMENTWISE], ops=UNARY_ELEMENTWISE)
def unary_notes(ctx: CallContext) -> list[Note]:
    if is_inplace(ctx.name) or (ctx.op in ("neg", "negative") and ctx.unused):
        return []
    result = ctx.result_facts()
    source = ctx.param("input", 0)
    if result is None or source is None or source.facts is None:
        return []
    shape = tuple(result.shape)
    claims = [claim("shape", ctx.subject_of("input", 0), shape), claim("shape", "result", shape)]
    return [ctx.note(ELEMENTWISE, "note.elementwise.unary", claims, op=ctx.op, shape=format_shape(shape))]
