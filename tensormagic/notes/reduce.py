"""Reductions: which axis collapses, the shape before and after, ``keepdim``, values and indices."""

from __future__ import annotations

from ..explanation import Note
from ..record import Value
from ..render.common import format_shape
from .context import CallContext
from .registry import note_code, rule

REDUCE_DIM = note_code(
    "reduce-dim",
    "a reduction collapsed an axis (which one, the shape before and after, keepdim)",
    "归约消去了一个轴（哪个轴、前后形状、keepdim）",
)


REDUCTIONS = frozenset(
    {
        "sum",
        "mean",
        "prod",
        "std",
        "var",
        "max",
        "min",
        "amax",
        "amin",
        "argmax",
        "argmin",
        "median",
        "nansum",
        "nanmean",
        "norm",
        "all",
        "any",
        "logsumexp",
        "count_nonzero",
        "mode",
        "nanmedian",
    }
)
_VALUES_INDICES = frozenset({"max", "min", "median", "mode", "nanmedian", "kthvalue", "sort", "topk"})


# -- reductions -------------------------------------------------------------------------------------
def _dims(value: Value | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    if value.kind == "number" and isinstance(value.value, int):
        return (value.value,)
    if value.kind == "shape":
        return tuple(value.value)
    return None


@rule(rank=80, codes=[REDUCE_DIM], ops=REDUCTIONS)
def reduce_notes(ctx: CallContext) -> list[Note]:
    if ctx.op not in REDUCTIONS or ctx.site.error is not None:
        return []
    source = ctx.param("input", 0)
    if source is None or source.facts is None:
        return []
    shape = source.facts.shape
    dims = _dims(ctx.param("dim", 1))
    result = ctx.result_facts()
    if result is None:
        return []
    op = ctx.op
    if dims is None:
        if ctx.param("dim", 1) is not None and ctx.param("dim", 1).kind not in ("none",):  # type: ignore[union-attr]
            return []  # e.g. max(t, other): element-wise, not a reduction
        return [ctx.note("reduce-dim", "note.reduce.all", op=op, count=source.facts.numel, shape=format_shape(shape))]
    ndim = max(len(shape), 1)
    norm = tuple(d % ndim for d in dims)
    keep = ctx.param("keepdim", 2 if not ctx.kwargs.get("dim") else 99)
    keepdim = bool(keep is not None and keep.kind == "bool" and keep.value)
    dim_text = ", ".join(str(d) for d in dims) if len(dims) > 1 else str(dims[0])
    params = dict(op=op, dim=dim_text, shape=format_shape(shape), result=format_shape(result.shape))
    notes: list[Note] = []
    if len(shape) == 2 and len(norm) == 1 and not keepdim:
        if norm[0] == 0:
            notes.append(ctx.note("reduce-dim", "note.reduce.per_column", n=shape[1], **params))
        else:
            notes.append(ctx.note("reduce-dim", "note.reduce.per_row", n=shape[0], **params))
    else:
        notes.append(ctx.note("reduce-dim", "note.reduce.dim", **params))
    if keepdim:
        notes.append(ctx.note("reduce-dim", "note.reduce.keepdim", dim=dim_text, result=format_shape(result.shape)))
    if op in _VALUES_INDICES and ctx.result is not None and ctx.result.kind == "tuple":
        notes.append(
            ctx.note("reduce-dim", "note.reduce.values_indices", op=op, dim=dim_text, result=format_shape(result.shape))
        )
    return notes
