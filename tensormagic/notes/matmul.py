"""The matrix-multiplication shape rule, with the real numbers: ``(n, m) @ (m, p) -> (n, p)``."""

from __future__ import annotations

from ..explanation import Note
from ..render.common import format_shape
from .context import SHAPE_ERROR, CallContext, claim, subject
from .registry import note_code, rule

MATMUL_SHAPE = note_code(
    "matmul-shape",
    "the matrix-multiplication shape rule with the real sizes",
    "矩阵乘法的形状规则，带实际尺寸",
)


MATMUL_OPS = frozenset({"matmul", "mm", "bmm", "mv", "dot", "vdot", "inner"})


@rule(rank=30, codes=[MATMUL_SHAPE, SHAPE_ERROR], ops=MATMUL_OPS, on_error=True)
def matmul_notes(ctx: CallContext) -> list[Note]:
    operands = [(i, v, t) for i, v, t in ctx.tensor_inputs() if v.facts is not None][:2]
    if len(operands) < 2:
        return []
    (ia, va, left), (ib, vb, right) = operands
    a, b = tuple(va.facts.shape), tuple(vb.facts.shape)  # type: ignore[union-attr]
    if not a or not b:
        return []
    shapes = [claim("shape", subject(ia), a), claim("shape", subject(ib), b)]
    if ctx.site.error is not None:
        k1 = a[-1]
        k2 = b[0] if len(b) == 1 else b[-2]
        if k1 == k2:
            return []
        key = "note.error.matmul" if len(b) <= 2 else "note.error.matmul_batched"
        claims = [*shapes, claim("raised", "call", True)]
        return [ctx.note(SHAPE_ERROR, key, claims, a=format_shape(a), b=format_shape(b), k1=k1, k2=k2)]
    result = ctx.result_facts()
    if result is None:
        return []
    claims = [*shapes, claim("shape", "result", tuple(result.shape)), claim("matmul", "result", (a, b))]
    common = dict(
        a=format_shape(a), b=format_shape(b), result=format_shape(result.shape), left=left, right=right, inner=a[-1]
    )
    if len(a) == 1 and len(b) == 1:
        return [ctx.note(MATMUL_SHAPE, "note.matmul.dot", claims, **common)]
    if len(a) == 2 and len(b) == 1:
        return [ctx.note(MATMUL_SHAPE, "note.matmul.mv", claims, rows=a[0], **common)]
    if len(a) == 1 and len(b) == 2:
        return [ctx.note(MATMUL_SHAPE, "note.matmul.vm", claims, **common)]
    if len(a) == 2 and len(b) == 2:
        return [ctx.note(MATMUL_SHAPE, "note.matmul.2d", claims, **common)]
    batch = format_shape(tuple(result.shape[:-2]))
    key = "note.matmul.bmm" if ctx.op == "bmm" else "note.matmul.batched"
    return [ctx.note(MATMUL_SHAPE, key, claims, batch=batch, **common)]
