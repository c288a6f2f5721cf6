"""In-place notes: which variable a call changed, and who else sees the change through shared memory."""

from __future__ import annotations

from ..explanation import Note
from ..ops import BINARY_SYMBOLS, is_inplace
from .context import CallContext
from .elementwise import UNARY_ELEMENTWISE
from .registry import note_code, rule

IN_PLACE = note_code(
    "in-place",
    "the call changed a tensor in place (names every variable that sees the change)",
    "调用原地修改了张量（列出所有能看到这一改动的变量）",
)
NOT_IN_PLACE = note_code(
    "not-in-place",
    "a method that returns a new tensor was called and its result thrown away",
    "调用了返回新张量的方法，却丢弃了结果",
)


@rule(rank=20, codes=[IN_PLACE, NOT_IN_PLACE])
def inplace_notes(ctx: CallContext) -> list[Note]:
    if "out" in ctx.kwargs and ctx.kwargs["out"].facts is not None:
        return [ctx.note("in-place", "note.inplace.out", target=ctx.text(99, "out"), method=ctx.op)]
    if not is_inplace(ctx.name):
        if ctx.unused and ctx.is_method and ctx.op in BINARY_SYMBOLS | dict.fromkeys(UNARY_ELEMENTWISE):
            return [ctx.note("not-in-place", "note.not_inplace", target=ctx.text(0), method=ctx.op)]
        return []
    target = ctx.text(0)
    short = ctx.name.rsplit(".", 1)[-1]
    notes: list[Note] = []
    if short == "__setitem__":
        notes.append(ctx.note("in-place", "note.inplace.setitem", value=ctx.text(2), target=target, index=ctx.text(1)))
    elif short.startswith("__i"):
        notes.append(ctx.note("in-place", "note.inplace.op", target=target, symbol=(ctx.binary_symbol or "?") + "="))
    else:
        notes.append(ctx.note("in-place", "note.inplace.method", target=target))
        if ctx.target and ctx.target != target:
            notes.append(ctx.note("in-place", "note.inplace.returns_self", result=ctx.target, target=target))
    others = [s.name for s in ctx.site.target_sharing if s.name != target and s.relation != "alias"]
    if others:
        notes.append(ctx.note("in-place", "note.inplace.shared", names=", ".join(dict.fromkeys(others))))
    return notes
