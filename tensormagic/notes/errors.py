"""A call that raised: the shapes that did not fit, said plainly; never a note that presumes it worked."""

from __future__ import annotations

import math

from ..explanation import Note
from ..ops import BINARY_SYMBOLS
from ..render.common import format_shape
from .context import SHAPE_ERROR, CallContext, number
from .elementwise import broadcast_conflict
from .layers import CONVS, conv_notes, linear_notes
from .matmul import MATMUL_OPS
from .registry import note_code, rule

ERROR = note_code(
    "error",
    "the call raised an error (the message, and what it means)",
    "调用报错（错误信息及其含义）",
)


# -- errors -----------------------------------------------------------------------------------------
@rule(rank=160, codes=[SHAPE_ERROR, ERROR])
def error_notes(ctx: CallContext) -> list[Note]:
    error = ctx.site.error
    if error is None:
        return []
    op = ctx.op
    shapes = [v.facts.shape for _, v, _ in ctx.tensor_inputs() if v.facts is not None]
    if op in BINARY_SYMBOLS and len(shapes) >= 2:
        conflict = broadcast_conflict(shapes[0], shapes[1])
        if conflict is not None:
            axis, x, y = conflict
            return [
                ctx.note(
                    "shape-error",
                    "note.error.broadcast",
                    a=format_shape(shapes[0]),
                    b=format_shape(shapes[1]),
                    axis=axis,
                    x=x,
                    y=y,
                )
            ]
    if op in MATMUL_OPS:
        return []  # matmul_notes explains it
    if (op == "linear" and linear_notes(ctx)) or ((op in CONVS) and conv_notes(ctx)):
        return []  # a layer's shape error, explained by its own rule
    if op in ("cat", "concat", "concatenate", "stack", "hstack", "vstack"):
        items = ctx.param("tensors", 0)
        if items is not None and items.items:
            item_shapes = [v.facts.shape for v in items.items if v.facts is not None]
            dim_value = number(ctx.param("dim", 1))
            dim = int(dim_value) if dim_value is not None else 0
            for axis in range(max((len(s) for s in item_shapes), default=0)):
                sizes = {s[axis] for s in item_shapes if axis < len(s)}
                if (op == "stack" or axis != dim % max(len(item_shapes[0]), 1)) and len(sizes) > 1:
                    return [
                        ctx.note(
                            "shape-error",
                            "note.error.cat",
                            op=op,
                            dim=dim,
                            shapes=", ".join(format_shape(s) for s in item_shapes),
                            axis=axis,
                            sizes=" vs ".join(str(s[axis]) for s in item_shapes if axis < len(s)),
                        )
                    ]
    if op in ("view", "reshape") and shapes:
        source = ctx.args[0].facts if ctx.args and ctx.args[0].facts is not None else None
        if source is not None:
            request = [v.value for v in ctx.args[1:] if v.kind == "number"]
            shape_arg = next((v.value for v in ctx.args[1:] if v.kind == "shape"), None)
            dims = list(shape_arg) if shape_arg is not None else request
            if dims and -1 not in dims:
                need = math.prod(dims)
                if need != source.numel:
                    return [
                        ctx.note(
                            "shape-error",
                            "note.error.view",
                            request=format_shape(tuple(dims)),
                            need=need,
                            name=ctx.text(0),
                            have=source.numel,
                            shape=format_shape(source.shape),
                        )
                    ]
            if "stride" in error.message or "contiguous" in error.message:
                return [ctx.note("shape-error", "note.error.view_layout", name=ctx.text(0))]
    if op == "item":
        return []
    return [ctx.note("error", "note.error.generic", error=f"{error.type_name}: {error.message.splitlines()[0][:160]}")]
