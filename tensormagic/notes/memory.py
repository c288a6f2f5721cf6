"""Memory notes: shares memory, a copy, a view — decided from storage byte ranges at the moment of the call."""

from __future__ import annotations

from ..explanation import Note
from ..ops import CONVERSIONS, is_inplace
from ..render.common import format_shape
from .context import CallContext
from .registry import note_code, rule

SHARES_MEMORY = note_code(
    "shares-memory",
    "the result shares memory with a named tensor or array: a write to one shows in the other",
    "结果与某个具名张量或数组共享内存：改动其一，另一个也随之改变",
)
COPY = note_code(
    "copy",
    "built from an existing array or tensor, but owns new memory",
    "由已有数组或张量构造，但拥有自己的新内存",
)
VIEW = note_code(
    "view",
    "the result is a view of an input: same memory, another shape or stride",
    "结果是输入的视图：同一块内存，不同的形状或步长",
)


VIEW_OPS = frozenset(
    {
        "getitem",
        "view",
        "view_as",
        "T",
        "mT",
        "H",
        "mH",
        "transpose",
        "t",
        "permute",
        "reshape",
        "reshape_as",
        "squeeze",
        "unsqueeze",
        "flatten",
        "unflatten",
        "narrow",
        "select",
        "expand",
        "expand_as",
        "detach",
        "diagonal",
        "unfold",
        "movedim",
        "moveaxis",
        "swapaxes",
        "swapdims",
        "split",
        "chunk",
        "unbind",
        "real",
        "imag",
        "as_strided",
        "contiguous",
        "ravel",
        "view_as_real",
        "view_as_complex",
        "tensor_split",
    }
)
_TRANSPOSES = frozenset({"T", "mT", "H", "mH", "t", "transpose", "permute", "swapaxes", "swapdims", "movedim"})
_LAYOUT_COPIERS = frozenset({"reshape", "reshape_as", "flatten", "contiguous", "ravel"})
SHARE_OPS = frozenset({"numpy", "from_numpy", "as_tensor", "asarray", "from_dlpack"})


# -- memory -----------------------------------------------------------------------------------------
@rule(rank=10, codes=[SHARES_MEMORY, COPY, VIEW])
def memory_notes(ctx: CallContext) -> list[Note]:
    notes: list[Note] = []
    op, site = ctx.op, ctx.site
    if site.kind == "dispatch":
        ctor = ctx.name.rsplit(".", 1)[-1]
        linked = site.linked_array
        if ctor == "from_numpy":
            notes.append(ctx.note("shares-memory", "note.shares.from_numpy", name=ctx.text(0, "ndarray")))
        elif linked is not None and linked.facts is not None and site.linked_relation == "copy":
            notes.append(ctx.note("copy", "note.copy.from", name=ctx.text(0, "data")))
        return notes + _now_sharing(ctx)
    if is_inplace(ctx.name):
        return notes
    result = ctx.result
    if result is None or result.kind not in ("tensor", "ndarray"):
        return notes
    inputs = ctx.tensor_inputs()
    if op in SHARE_OPS:
        for index, _value, text in inputs[:1]:
            relation = ctx.relation_of(index)
            if relation in ("shares", "view", "alias"):
                key = "note.shares.numpy" if op == "numpy" else "note.shares.generic"
                notes.append(ctx.note("shares-memory", key, name=text))
                if ctx.then_copy:
                    notes.append(ctx.note("copy", "note.copy.then_copy", name=text))
            elif relation == "copy":
                notes.append(ctx.note("copy", "note.copy.from", name=text))
        return notes + _now_sharing(ctx)
    if op in ("tensor", "clone", "copy", "asarray") or (op == "Tensor" and inputs):
        for index, value, text in inputs[:1]:
            if ctx.relation_of(index) == "copy" or value.kind == "ndarray":
                key = "note.copy.clone" if op == "clone" else "note.copy.from"
                notes.append(ctx.note("copy", key, name=text))
        return notes
    if not inputs:
        return notes
    index, value, text = inputs[0]
    relation = ctx.relation_of(index)
    if relation == "alias":
        if op in CONVERSIONS or op in ("to", "type"):
            return notes  # dtype notes say "already …, returned as it is"
        notes.append(ctx.note("view", "note.view.alias", name=text))
    elif relation in ("view", "shares"):
        if op in _TRANSPOSES and value.facts is not None and result.facts is not None:
            notes.append(
                ctx.note(
                    "view",
                    "note.view.transpose",
                    name=text,
                    shape_in=format_shape(value.facts.shape),
                    shape_out=format_shape(result.facts.shape),
                )
            )
        else:
            notes.append(ctx.note("view", "note.view.of", name=text))
    elif relation == "copy" and op in VIEW_OPS:
        if op == "getitem":
            notes.append(ctx.note("copy", "note.copy.index"))
        elif op in _LAYOUT_COPIERS:
            notes.append(ctx.note("copy", "note.copy.layout", name=text))
    return notes


def _now_sharing(ctx: CallContext) -> list[Note]:
    names = list(dict.fromkeys([*ctx.end_names, *(s.name for s in ctx.end_sharing)]))
    if len(names) >= 2:
        return [ctx.note("shares-memory", "note.shares.now", names=", ".join(names))]
    return []
