"""``.item()``: a Python number taken out of a one-element tensor."""

from __future__ import annotations

from ..explanation import Note
from ..render.common import format_shape
from .context import CallContext
from .registry import note_code, rule

ITEM = note_code(
    "item",
    "a Python number was taken out of a one-element tensor",
    "从只有一个元素的张量中取出了 Python 数字",
)


@rule(rank=140, codes=[ITEM], ops={"item"})
def item_notes(ctx: CallContext) -> list[Note]:
    if ctx.op != "item":
        return []
    source = ctx.param("self", 0)
    name = ctx.text(0)
    if ctx.site.error is not None:
        if source is not None and source.facts is not None and source.facts.numel != 1:
            return [
                ctx.note(
                    "item",
                    "note.item.error",
                    name=name,
                    count=source.facts.numel,
                    shape=format_shape(source.facts.shape),
                )
            ]
        return []
    result = ctx.result
    if result is None or result.kind not in ("number", "bool"):
        return []
    return [ctx.note("item", "note.item.value", name=name, type_name=result.type_name, value=repr(result.value))]
