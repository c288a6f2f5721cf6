"""Creation: half-open ranges, ``linspace``'s both ends, memory whose contents are whatever was there."""

from __future__ import annotations

import math

from ..explanation import Note
from ..render.common import format_number
from .context import CallContext, claim, number
from .registry import note_code, rule

HALF_OPEN = note_code(
    "half-open",
    "the range excludes its end (arange, randint)",
    "范围不包含终点（arange、randint）",
)
BOTH_ENDS = note_code(
    "both-ends",
    "linspace includes both its start and its end",
    "linspace 同时包含起点和终点",
)
UNINITIALIZED = note_code(
    "uninitialized",
    "the contents are whatever was in memory (torch.empty, torch.Tensor(size))",
    "内容是内存里原有的任意值（torch.empty、torch.Tensor(size)）",
)


_UNINITIALIZED = frozenset({"empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided"})


# -- ranges, memory contents, random numbers, item --------------------------------------------------
def _plain(value: float | int) -> str:
    return format_number(value, 6)


@rule(rank=110, codes=[HALF_OPEN, BOTH_ENDS], ops={"arange", "randint", "linspace"})
def range_notes(ctx: CallContext) -> list[Note]:
    op = ctx.op
    result = ctx.result_facts()
    if ctx.is_method or result is None:
        return []
    if op == "arange":
        positional = [number(v) for v in ctx.args[:3]]
        start = number(ctx.kwargs.get("start"))
        end = number(ctx.kwargs.get("end"))
        step = number(ctx.kwargs.get("step"))
        if len(positional) == 1 and end is None and start is None:
            start, end = 0, positional[0]
        else:
            start = start if start is not None else (positional[0] if len(positional) > 0 else 0)
            end = end if end is not None else (positional[1] if len(positional) > 1 else None)
            step = step if step is not None else (positional[2] if len(positional) > 2 else None)
        step = 1 if step is None else step
        if start is None or end is None or not step:
            return []
        count = max(0, math.ceil((end - start) / step))
        values = [start + i * step for i in range(min(count, 4))]
        shown = ", ".join(_plain(v) for v in values[:3])
        if count > 4:
            shown += f", …, {_plain(start + (count - 1) * step)}"
        elif count == 4:
            shown += f", {_plain(values[3])}"
        claims = [
            claim("numel", "result", count),
            claim("first-values", "result", tuple(values)),
            claim("below", "result", (end, step)),
        ]
        return [
            ctx.note(
                HALF_OPEN,
                "note.halfopen.arange",
                claims,
                start=_plain(start),
                end=_plain(end),
                values=shown,
                count=count,
            )
        ]
    if op == "randint":
        low = number(ctx.kwargs.get("low"))
        high = number(ctx.kwargs.get("high"))
        given = [v for v in ctx.args[:2] if v.kind == "number"]
        if high is None:
            if low is None and len(given) == 1:
                low, high = 0, given[0].value
            elif len(given) >= 2:
                low, high = given[0].value, given[1].value
            elif low is not None and given:
                high = given[0].value
        low = 0 if low is None else low
        if high is None:
            return []
        claims = [claim("within", "result", (low, high)), claim("dtype-kind", "result", "int")]
        return [ctx.note(HALF_OPEN, "note.halfopen.randint", claims, low=low, last=high - 1, high=high)]
    if op == "linspace":
        start = number(ctx.param("start", 0))
        end = number(ctx.param("end", 1))
        steps = number(ctx.param("steps", 2))
        if start is None or end is None or not steps:
            return []
        if steps == 1:  # no step to speak of: torch returns just the start
            claims = [claim("numel", "result", 1), claim("first-values", "result", (start,))]
            return [ctx.note(BOTH_ENDS, "note.linspace.one", claims, start=_plain(start))]
        step = (end - start) / (steps - 1)
        claims = [claim("numel", "result", int(steps)), claim("ends", "result", (start, end))]
        return [
            ctx.note(
                BOTH_ENDS,
                "note.linspace.both_ends",
                claims,
                start=_plain(start),
                end=_plain(end),
                steps=int(steps),
                step=format_number(step, 6),
            )
        ]
    return []


@rule(rank=120, codes=[UNINITIALIZED])
def uninitialized_notes(ctx: CallContext) -> list[Note]:
    result = ctx.result_facts()
    if result is None:
        return []
    if ctx.op in _UNINITIALIZED or (ctx.site.kind == "dispatch" and "empty" in ctx.site.op):
        claims = [claim("shape", "result", tuple(result.shape)), claim("dtype", "result", result.dtype)]
        return [ctx.note(UNINITIALIZED, "note.uninitialized", claims)]
    return []
