"""The matrix-multiplication shape rule, with the real numbers: ``(n, m) @ (m, p) -> (n, p)``."""

from __future__ import annotations

from ..explanation import Note
from ..render.common import format_shape
from .context import SHAPE_ERROR, CallContext
from .registry import note_code, rule

MATMUL_SHAPE = note_code(
    "matmul-shape",
    "the matrix-multiplication shape rule with the real sizes",
    "矩阵乘法的形状规则，带实际尺寸",
)


MATMUL_OPS = frozenset({"matmul", "mm", "bmm", "mv", "dot", "vdot", "inner"})


@rule(rank=30, codes=[MATMUL_SHAPE, SHAPE_ERROR], ops=MATMUL_OPS)
def matmul_notes(ctx: CallContext) -> list[Note]:
    if ctx.op not in MATMUL_OPS:
        return []
    operands = [(v, t) for _, v, t in ctx.tensor_inputs() if v.facts is not None][:2]
    if len(operands) < 2:
        return []
    (va, left), (vb, right) = operands
    a, b = va.facts.shape, vb.facts.shape  # type: ignore[union-attr]
    if not a or not b:
        return []
    if ctx.site.error is not None:
        k1 = a[-1]
        k2 = b[0] if len(b) == 1 else b[-2]
        if k1 != k2:
            key = "note.error.matmul" if len(b) <= 2 else "note.error.matmul_batched"
            return [ctx.note("shape-error", key, a=format_shape(a), b=format_shape(b), k1=k1, k2=k2)]
        return []
    result = ctx.result_facts()
    shape_r = format_shape(result.shape) if result is not None else "?"
    common = dict(a=format_shape(a), b=format_shape(b), result=shape_r, left=left, right=right, inner=a[-1])
    if len(a) == 1 and len(b) == 1:
        return [ctx.note("matmul-shape", "note.matmul.dot", **common)]
    if len(a) == 2 and len(b) == 1:
        return [ctx.note("matmul-shape", "note.matmul.mv", rows=a[0], **common)]
    if len(a) == 1 and len(b) == 2:
        return [ctx.note("matmul-shape", "note.matmul.vm", **common)]
    if len(a) == 2 and len(b) == 2:
        return [ctx.note("matmul-shape", "note.matmul.2d", **common)]
    batch_a, batch_b = a[:-2], b[:-2] if len(b) > 2 else ()
    batch = result.shape[:-2] if result is not None and len(result.shape) >= 2 else batch_a or batch_b
    return [ctx.note("matmul-shape", "note.matmul.batched", batch=format_shape(batch), **common)]
