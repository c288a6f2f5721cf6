"""Joining tensors: ``cat`` along an existing axis, ``stack`` along a new one; both copy."""

from __future__ import annotations

from ..explanation import Note
from ..render.common import format_shape
from .context import CallContext, claim, number
from .registry import note_code, rule

JOIN = note_code(
    "join",
    "cat joins along an existing axis, stack adds a new one; both make a new tensor",
    "cat 沿已有的轴拼接，stack 新增一个轴；两者都得到新的张量",
)
_CATS = frozenset({"cat", "concat", "concatenate"})


@rule(rank=85, codes=[JOIN], ops=_CATS | {"stack"})
def join_notes(ctx: CallContext) -> list[Note]:
    items = ctx.param("tensors", 0)
    result = ctx.result_facts()
    if items is None or not items.items or result is None:
        return []
    shapes = [tuple(v.facts.shape) for v in items.items if v.facts is not None]
    if not shapes or len(shapes) != len(items.items):
        return []
    dim_value = number(ctx.param("dim", 1))
    dim = int(dim_value) if dim_value is not None else 0
    claims = [
        claim("item-shapes", ctx.subject_of("tensors", 0), tuple(shapes)),
        claim("shape", "result", tuple(result.shape)),
        claim("unshared", "result"),
    ]
    shown = ", ".join(format_shape(s) for s in shapes[:4]) + (", …" if len(shapes) > 4 else "")
    params = dict(count=len(shapes), shapes=shown, result=format_shape(result.shape), dim=dim)
    if ctx.op == "stack":
        return [ctx.note(JOIN, "note.join.stack", claims, **params)]
    return [ctx.note(JOIN, "note.join.cat", claims, **params)]
