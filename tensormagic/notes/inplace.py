"""In-place notes: which variable a call changed, and who else sees the change through shared memory."""

from __future__ import annotations

import torch

from ..explanation import Claim, Note
from ..ops import BINARY_SYMBOLS, is_inplace
from .context import CallContext, claim
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


def _target(ctx: CallContext) -> tuple[str, str]:
    """The changed tensor as written (``t1[0]``) and its claim subject (the name itself when it is one)."""
    if "out" in ctx.kwargs and ctx.kwargs["out"].facts is not None:
        text = ctx.text(99, "out")
        return text, (f"name:{text}" if ctx.is_name(text) else "kw:out")
    text = ctx.text(0)
    return text, (f"name:{text}" if ctx.is_name(text) else "arg0")


@rule(rank=20, codes=[IN_PLACE, NOT_IN_PLACE])
def inplace_notes(ctx: CallContext) -> list[Note]:
    if "out" in ctx.kwargs and ctx.kwargs["out"].facts is not None:
        target, subject = _target(ctx)
        out = ctx.note(IN_PLACE, "note.inplace.out", [claim("written", subject)], target=target, method=ctx.op)
        return [out, *_shared(ctx, target)]
    if not is_inplace(ctx.name):
        return _discarded(ctx)
    target, subject = _target(ctx)
    written = [claim("written", subject)]
    short = ctx.name.rsplit(".", 1)[-1]
    notes: list[Note] = []
    if short == "__setitem__":
        notes.append(
            ctx.note(IN_PLACE, "note.inplace.setitem", written, value=ctx.text(2), target=target, index=ctx.text(1))
        )
    elif short.startswith("__i"):
        symbol = (ctx.binary_symbol or "?") + "="
        notes.append(ctx.note(IN_PLACE, "note.inplace.op", written, target=target, symbol=symbol))
    else:
        notes.append(ctx.note(IN_PLACE, "note.inplace.method", written, target=target))
        if ctx.target and ctx.target != target and ctx.is_name(ctx.target):
            same = [
                claim("same-object", "result", "arg0"),
                claim("same-object", f"name:{ctx.target}", "arg0", "statement"),
            ]
            notes.append(ctx.note(IN_PLACE, "note.inplace.returns_self", same, result=ctx.target, target=target))
    return notes + _shared(ctx, target)


def _shared(ctx: CallContext, target: str) -> list[Note]:
    """Every other name bound, at the moment of the call, to the changed tensor or to memory the call wrote."""
    sharing = [s for s in ctx.site.target_sharing if s.name != target]
    aliases = list(dict.fromkeys(s.name for s in sharing if s.relation == "alias"))
    others = list(dict.fromkeys(s.name for s in sharing if s.relation != "alias" and s.name not in aliases))
    notes: list[Note] = []
    if aliases:
        claims: list[Claim] = [claim("written", f"name:{name}") for name in aliases]
        notes.append(ctx.note(IN_PLACE, "note.inplace.alias", claims, names=", ".join(aliases), count=len(aliases)))
    if others:
        claims = [claim("written", f"name:{name}") for name in others]
        notes.append(ctx.note(IN_PLACE, "note.inplace.shared", claims, names=", ".join(others), count=len(others)))
    return notes


def _discarded(ctx: CallContext) -> list[Note]:
    """``x.add(1)`` on a line of its own: x is unchanged and the new tensor is thrown away."""
    if not (ctx.unused and ctx.is_method and (ctx.op in BINARY_SYMBOLS or ctx.op in UNARY_ELEMENTWISE)):
        return []
    source = ctx.param("self", 0)
    result = ctx.result_facts()
    if source is None or source.facts is None or result is None:
        return []
    target = ctx.text(0)
    claims = [claim("unchanged", "arg0"), claim("independent", "result", "arg0")]
    # The in-place twin works only where the result fits into the input: same shape, same dtype.
    fits = result.shape == source.facts.shape and result.dtype == source.facts.dtype
    if fits and hasattr(torch.Tensor, f"{ctx.op}_"):
        claims += [claim("has-method", "torch.Tensor", f"{ctx.op}_"), claim("fits", "result", "arg0")]
        return [ctx.note(NOT_IN_PLACE, "note.not_inplace", claims, target=target, method=ctx.op)]
    return [ctx.note(NOT_IN_PLACE, "note.not_inplace_store", claims, target=target, method=ctx.op)]


@rule(rank=20, codes=[IN_PLACE], on_error=True)
def failed_inplace_notes(ctx: CallContext) -> list[Note]:
    """An in-place call that raised changed nothing: say so, and why when the reason is a classic."""
    if not is_inplace(ctx.name) and "out" not in ctx.kwargs:
        return []
    error = ctx.site.error
    if error is None or ctx.site.changed is not False:
        return []
    target, subject = _target(ctx)
    unchanged = [claim("unchanged", subject), claim("raised", "call", True)]
    if "leaf Variable that requires grad" in error.message:
        return [ctx.note(IN_PLACE, "note.inplace.leaf_grad", unchanged, target=target)]
    return [ctx.note(IN_PLACE, "note.inplace.unchanged", unchanged, target=target)]
