"""Reductions: which axis collapses, the shape before and after, ``keepdim``, values and indices."""

from __future__ import annotations

from ..explanation import Note
from ..record import Value
from ..render.common import format_shape
from .context import CallContext, claim
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


def _dims(value: Value | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    if value.kind == "number" and isinstance(value.value, int):
        return (value.value,)
    if value.kind == "shape":
        return tuple(value.value)
    return None


#: Reductions whose ``dim`` defaults to the last axis rather than to all of them.
_LAST_AXIS_BY_DEFAULT = frozenset({"mode"})


@rule(rank=80, codes=[REDUCE_DIM], ops=REDUCTIONS)
def reduce_notes(ctx: CallContext) -> list[Note]:
    source = ctx.param("input", 0)
    result = ctx.result_facts()
    if source is None or source.facts is None or result is None:
        return []
    shape = tuple(source.facts.shape)
    dim_value = ctx.param("dim", 1)
    dims = _dims(dim_value)
    if dims is None and dim_value is not None and dim_value.kind != "none":
        return []  # e.g. max(t, other): element-wise, not a reduction
    if dims is None and ctx.op in _LAST_AXIS_BY_DEFAULT:
        dims = (-1,)
    shapes = [claim("shape", ctx.subject_of("input", 0), shape), claim("shape", "result", tuple(result.shape))]
    if not dims:  # no dim, or dim=(): every element
        claims = [*shapes, claim("reduced", "result", (shape, None, False))]
        return [
            ctx.note(
                REDUCE_DIM, "note.reduce.all", claims, op=ctx.op, count=source.facts.numel, shape=format_shape(shape)
            )
        ]
    ndim = max(len(shape), 1)
    axes = tuple(sorted({d % ndim for d in dims}))
    keep = ctx.param("keepdim", 2 if "dim" not in ctx.kwargs else 99)
    keepdim = bool(keep is not None and keep.kind == "bool" and keep.value)
    reduced = [*shapes, claim("reduced", "result", (shape, axes, keepdim))]
    dim_text = (
        str(dims[0]) if len(dims) == 1 and dim_value is not None and dim_value.kind == "number" else str(tuple(dims))
    )
    params = dict(op=ctx.op, dim=dim_text, shape=format_shape(shape), result=format_shape(result.shape))
    notes: list[Note] = []
    if len(axes) > 1:
        notes.append(ctx.note(REDUCE_DIM, "note.reduce.dims", reduced, axes=axes, **params))
    elif len(shape) == 2 and not keepdim:
        if axes[0] == 0:
            notes.append(ctx.note(REDUCE_DIM, "note.reduce.per_column", reduced, n=shape[1], axis=axes[0], **params))
        else:
            notes.append(ctx.note(REDUCE_DIM, "note.reduce.per_row", reduced, n=shape[0], axis=axes[0], **params))
    else:
        notes.append(ctx.note(REDUCE_DIM, "note.reduce.dim", reduced, axis=axes[0], **params))
    if keepdim:
        notes.append(
            ctx.note(
                REDUCE_DIM,
                "note.reduce.keepdim",
                reduced,
                axes=axes,
                count=len(axes),
                result=format_shape(result.shape),
            )
        )
    if ctx.op in _VALUES_INDICES and ctx.result is not None and ctx.result.kind == "tuple":
        pair = [claim("result-count", "result", 2), claim("shape", "result", tuple(result.shape))]
        notes.append(
            ctx.note(
                REDUCE_DIM, "note.reduce.values_indices", pair, op=ctx.op, axes=axes, result=format_shape(result.shape)
            )
        )
    return notes
