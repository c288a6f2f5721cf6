"""``.item()``: a Python number taken out of a one-element tensor."""

from __future__ import annotations

import math

import numpy as np

from ..explanation import Note
from ..render.common import format_shape
from .context import CallContext, claim
from .registry import note_code, rule

ITEM = note_code(
    "item",
    "a Python number was taken out of a one-element tensor",
    "从只有一个元素的张量中取出了 Python 数字",
)


@rule(rank=140, codes=[ITEM], ops={"item"}, on_error=True)
def item_notes(ctx: CallContext) -> list[Note]:
    source = ctx.param("self", 0)
    name = ctx.text(0)
    if ctx.site.error is not None:
        if source is not None and source.facts is not None and source.facts.numel != 1:
            claims = [claim("numel", "arg0", source.facts.numel), claim("raised", "call", True)]
            return [
                ctx.note(
                    ITEM,
                    "note.item.error",
                    claims,
                    name=name,
                    count=source.facts.numel,
                    shape=format_shape(source.facts.shape),
                )
            ]
        return []
    result = ctx.result
    if result is None or result.kind not in ("number", "bool"):
        return []
    claims = [claim("value", "result", result.value), claim("numel", "arg0", 1)]
    value = result.value
    dtype = source.facts.dtype if source is not None and source.facts is not None else ""
    short = _shortest(value, dtype)
    if short is not None:  # float32 0.1 comes out as 0.10000000149011612: say why
        claims.append(claim("nearest", dtype, (short, value)))
        return [
            ctx.note(
                ITEM,
                "note.item.widened",
                claims,
                name=name,
                value=repr(value),
                short=short,
                dtype=dtype.removeprefix("torch."),
            )
        ]
    return [ctx.note(ITEM, "note.item.value", claims, name=name, type_name=result.type_name, value=repr(value))]


_NARROW_FLOATS = {"torch.float32": np.float32, "torch.float16": np.float16, "torch.bfloat16": None}


def _shortest(value: object, dtype: str) -> str | None:
    """The shortest spelling of a float32/float16 value when Python's float shows more digits (else None)."""
    kind = _NARROW_FLOATS.get(dtype)
    if kind is None or not isinstance(value, float) or not math.isfinite(value):
        return None
    short = str(kind(value))
    if float(short) == value:
        return None
    return short
