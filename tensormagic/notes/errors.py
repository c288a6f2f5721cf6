"""A call that raised: the shapes that did not fit, said plainly; never a note that presumes it worked."""

from __future__ import annotations

import math

from ..explanation import Claim, Note
from ..ops import BINARY_SYMBOLS, is_inplace
from ..render.common import format_shape
from .context import SHAPE_ERROR, CallContext, claim, number, subject
from .elementwise import broadcast_conflict
from .layers import CONVS, conv_notes, linear_notes
from .matmul import MATMUL_OPS
from .registry import note_code, rule

ERROR = note_code(
    "error",
    "the call raised an error (the message, and what it means)",
    "调用报错（错误信息及其含义）",
)


_JOINS = frozenset({"cat", "concat", "concatenate", "stack", "hstack", "vstack"})


@rule(rank=160, codes=[SHAPE_ERROR, ERROR], on_error=True)
def error_notes(ctx: CallContext) -> list[Note]:
    error = ctx.site.error
    if error is None:
        return []
    op = ctx.op
    raised = claim("raised", "call", True)
    inputs = [(i, v) for i, v, _ in ctx.tensor_inputs() if v.facts is not None]
    shapes = [tuple(v.facts.shape) for _, v in inputs]  # type: ignore[union-attr]
    if op in BINARY_SYMBOLS and len(shapes) >= 2:
        conflict = broadcast_conflict(shapes[0], shapes[1])
        if conflict is not None:
            axis, x, y = conflict
            claims = [
                claim("shape", subject(inputs[0][0]), shapes[0]),
                claim("shape", subject(inputs[1][0]), shapes[1]),
                claim("broadcast-fails", "operands", (shapes[0], shapes[1])),
                raised,
            ]
            return [
                ctx.note(
                    SHAPE_ERROR,
                    "note.error.broadcast",
                    claims,
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
    if is_inplace(ctx.name) and "leaf Variable that requires grad" in error.message:
        return []  # the in-place rule explains it
    if op in _JOINS:
        found = _join_error(ctx, raised)
        if found:
            return found
    if op in ("view", "reshape") and shapes:
        found = _view_error(ctx, raised, error.message)
        if found:
            return found
    if op == "item":
        return []
    claims = [raised, claim("error-type", "call", error.type_name)]
    text = f"{error.type_name}: {error.message.splitlines()[0][:160] if error.message else ''}"
    return [ctx.note(ERROR, "note.error.generic", claims, error=text)]


def _join_error(ctx: CallContext, raised: Claim) -> list[Note]:
    """``torch.cat`` needs equal sizes except along ``dim``; ``torch.stack`` needs equal shapes."""
    items = ctx.param("tensors", 0)
    if items is None or not items.items:
        return []
    item_shapes = [tuple(v.facts.shape) for v in items.items if v.facts is not None]
    if not item_shapes:
        return []
    dim_value = number(ctx.param("dim", 1))
    dim = int(dim_value) if dim_value is not None else 0
    claims = [claim("item-shapes", ctx.subject_of("tensors", 0), tuple(item_shapes)), raised]
    shapes_text = ", ".join(format_shape(s) for s in item_shapes)
    if ctx.op == "stack":
        if len(set(item_shapes)) > 1:
            return [ctx.note(SHAPE_ERROR, "note.error.stack", claims, shapes=shapes_text)]
        return []
    for axis in range(max(len(s) for s in item_shapes)):
        sizes = {s[axis] for s in item_shapes if axis < len(s)}
        if axis != dim % max(len(item_shapes[0]), 1) and len(sizes) > 1:
            return [
                ctx.note(
                    SHAPE_ERROR,
                    "note.error.cat",
                    claims,
                    op=ctx.op,
                    dim=dim,
                    shapes=shapes_text,
                    axis=axis,
                    sizes=" vs ".join(str(s[axis]) for s in item_shapes if axis < len(s)),
                )
            ]
    return []


def _view_error(ctx: CallContext, raised: Claim, message: str) -> list[Note]:
    """``t.view(4, 4)`` on 6 elements, or ``.view`` on a transposed tensor."""
    source = ctx.args[0].facts if ctx.args and ctx.args[0].facts is not None else None
    if source is None:
        return []
    request = [v.value for v in ctx.args[1:] if v.kind == "number"]
    shape_arg = next((v.value for v in ctx.args[1:] if v.kind == "shape"), None)
    dims = list(shape_arg) if shape_arg is not None else request
    if dims and -1 not in dims:
        need = math.prod(dims)
        if need != source.numel:
            claims = [claim("numel", "arg0", source.numel), claim("shape", "arg0", tuple(source.shape)), raised]
            return [
                ctx.note(
                    SHAPE_ERROR,
                    "note.error.view",
                    claims,
                    request=format_shape(tuple(dims)),
                    need=need,
                    name=ctx.text(0),
                    have=source.numel,
                    shape=format_shape(source.shape),
                )
            ]
    if "stride" in message or "contiguous" in message:
        claims = [claim("contiguous", "arg0", False), raised]
        return [ctx.note(SHAPE_ERROR, "note.error.view_layout", claims, name=ctx.text(0))]
    return []
