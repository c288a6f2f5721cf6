"""Element types: conversions (truncation said with real values), promotion, the default dtype."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..explanation import Note
from ..ops import BINARY_SYMBOLS, CONVERSIONS, LEGACY_CONSTRUCTORS, is_inplace
from ..render.common import format_number, format_shape
from .context import CallContext, dtype_label, is_float, is_int
from .registry import note_code, rule

DTYPE_CHANGE = note_code(
    "dtype-change",
    "the result's element type differs from the input's (truncation said plainly)",
    "结果的元素类型与输入不同（截断会明确说明）",
)
DEFAULT_DTYPE = note_code(
    "default-dtype",
    "the element type was chosen by default (Python floats become the default float type)",
    "元素类型由默认规则决定（Python 浮点数变为默认浮点类型）",
)
DTYPE_EXPLICIT = note_code(
    "dtype-explicit",
    "the element type was given explicitly with dtype=",
    "元素类型由 dtype= 明确指定",
)


_FLOAT_RESULT_OPS = frozenset(
    {
        "sqrt",
        "exp",
        "log",
        "log2",
        "log10",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sigmoid",
        "exp2",
        "expm1",
        "log1p",
        "rsqrt",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "erf",
        "mean",
        "std",
        "var",
        "div",
        "true_divide",
        "divide",
        "reciprocal",
    }
)
_DEFAULT_FLOAT_FACTORIES = frozenset({"ones", "zeros", "rand", "randn", "empty", "eye", "linspace", "logspace"})
_LIKE_FACTORIES = frozenset(
    {"ones_like", "zeros_like", "full_like", "empty_like", "rand_like", "randn_like", "randint_like"}
)

# -- dtypes -----------------------------------------------------------------------------------------
_EXAMPLES = 4
_NUMPY_FLOATS = {"torch.float16": np.float16, "torch.float32": np.float32, "torch.float64": np.float64}


def _source_float(value: float, dtype: str) -> str:
    """A value of a float tensor as its shortest exact spelling in that dtype (``1.7``, not ``1.7000000476837158``)."""
    kind = _NUMPY_FLOATS.get(dtype, np.float32)
    return str(kind(value))


def _truncation_examples(values: tuple[tuple[Any, ...], tuple[Any, ...]] | None, src: str) -> str:
    """``1.7 → 1, -2.5 → -2, 3.2 → 3``: only when every value was truncated toward zero (not wrapped)."""
    if values is None:
        return ""
    before, after = values
    pairs = list(zip(before, after, strict=False))
    if not pairs or not all(isinstance(y, int) and math.isfinite(x) and math.trunc(x) == y for x, y in pairs):
        return ""  # NaN, infinities, overflow or a uint8 wrap-around: the general sentence stays right
    text = ", ".join(f"{_source_float(x, src)} → {y}" for x, y in pairs[:_EXAMPLES])
    return text + (", …" if len(pairs) > _EXAMPLES else "")


def _rounding_examples(values: tuple[tuple[Any, ...], tuple[Any, ...]] | None, src: str) -> str:
    """``0.1 → 0.0999756``: the values that float16 changed (none: nothing to say)."""
    if values is None:
        return ""
    changed = [(x, y) for x, y in zip(*values, strict=False) if isinstance(y, float) and x != y and x == x]
    return ", ".join(f"{_source_float(x, src)} → {y:.6g}" for x, y in changed[:_EXAMPLES])


@rule(rank=90, codes=[DTYPE_CHANGE])
def dtype_change_notes(ctx: CallContext) -> list[Note]:
    result = ctx.result_facts()
    site, op = ctx.site, ctx.op
    if site.kind == "dispatch":
        ctor = ctx.name.rsplit(".", 1)[-1]
        data = site.linked_array
        dst = LEGACY_CONSTRUCTORS.get(ctor)
        if dst is None or data is None or data.data is None:
            return []
        if "int" in dst and data.data.truncations:
            examples = ", ".join(f"{format_number(x)} → {y}" for x, y in data.data.truncations)
            return [ctx.note("dtype-change", "note.dtype.truncate_values", dst=dtype_label(dst), examples=examples)]
        if is_float(dst) and "int" in data.data.kinds and "float" not in data.data.kinds:
            return [ctx.note("dtype-change", "note.dtype.to_float", dst=dtype_label(dst))]
        return []
    if result is None or site.error is not None or is_inplace(ctx.name):
        return []
    inputs = [(v, t) for _, v, t in ctx.tensor_inputs() if v.facts is not None]
    if not inputs:
        return []
    src = inputs[0][0].facts.dtype  # type: ignore[union-attr]
    dst = result.dtype
    notes: list[Note] = []
    if op in CONVERSIONS or op in ("type", "to"):
        type_arg = ctx.param("dtype", 1)
        if type_arg is not None and type_arg.kind == "other" and str(type_arg.value).endswith("Tensor"):
            notes.append(
                ctx.note(
                    "dtype-change", "note.dtype.type_string", type_name=ctx.text(1, "dtype"), dtype=dtype_label(dst)
                )
            )
        if src == dst:
            if ctx.relation_of(0) == "alias":
                notes.append(ctx.note("dtype-change", "note.dtype.same", dtype=dtype_label(dst), name=inputs[0][1]))
            return notes
        if is_float(src) and (is_int(dst) or dst == "torch.uint8"):
            examples = _truncation_examples(site.values, src)
            if examples:
                notes.append(
                    ctx.note(
                        "dtype-change",
                        "note.dtype.truncate_seen",
                        src=dtype_label(src),
                        dst=dtype_label(dst),
                        examples=examples,
                    )
                )
            else:
                notes.append(
                    ctx.note("dtype-change", "note.dtype.truncate", src=dtype_label(src), dst=dtype_label(dst))
                )
        elif dst == "torch.float16":
            notes.append(ctx.note("dtype-change", "note.dtype.half", src=dtype_label(src)))
            examples = _rounding_examples(site.values, src)
            if examples:
                notes.append(ctx.note("dtype-change", "note.dtype.half_rounded", examples=examples))
        else:
            notes.append(ctx.note("dtype-change", "note.dtype.convert", src=dtype_label(src), dst=dtype_label(dst)))
        return notes
    if op in BINARY_SYMBOLS:
        dtypes = [v.facts.dtype for v, _ in inputs]  # type: ignore[union-attr]
        scalar = next((v for v in [*ctx.args, *ctx.kwargs.values()] if v.kind == "number"), None)
        if op in ("div", "true_divide", "divide") and all(is_int(d) for d in dtypes) and is_float(dst):
            b = dtype_label(dtypes[1]) if len(dtypes) > 1 else (scalar.type_name if scalar else "int")
            return [
                ctx.note("dtype-change", "note.dtype.true_div", a=dtype_label(dtypes[0]), b=b, result=dtype_label(dst))
            ]
        if op == "floor_divide" and all(is_int(d) for d in dtypes):
            return [ctx.note("dtype-change", "note.dtype.floor_div", result=dtype_label(dst))]
        if any(d != dst for d in dtypes):
            if len(dtypes) == 1 and scalar is not None and isinstance(scalar.value, float):
                return [
                    ctx.note("dtype-change", "note.dtype.int_float", a=dtype_label(dtypes[0]), result=dtype_label(dst))
                ]
            if len(dtypes) >= 2:
                return [
                    ctx.note(
                        "dtype-change",
                        "note.dtype.promotion",
                        a=dtype_label(dtypes[0]),
                        b=dtype_label(dtypes[1]),
                        result=dtype_label(dst),
                    )
                ]
        return []
    if src != dst and op in _FLOAT_RESULT_OPS and not is_float(src) and is_float(dst):
        return [ctx.note("dtype-change", "note.dtype.float_op", src=dtype_label(src), dst=dtype_label(dst), op=op)]
    if src != dst and op in ("sum", "prod", "cumsum", "nansum") and dst == "torch.int64":
        return [ctx.note("dtype-change", "note.dtype.sum_int", src=dtype_label(src))]
    return []


@rule(rank=100, codes=[DEFAULT_DTYPE, DTYPE_EXPLICIT])
def default_dtype_notes(ctx: CallContext) -> list[Note]:
    result = ctx.result_facts()
    site, op = ctx.site, ctx.op
    if site.kind == "dispatch":
        ctor = ctx.name.rsplit(".", 1)[-1]
        if ctor == "from_numpy" and result is not None:
            return [ctx.note("default-dtype", "note.default.keeps", name=ctx.text(0), dtype=dtype_label(result.dtype))]
        if ctor == "Tensor" and result is not None:
            return [ctx.note("default-dtype", "note.default.legacy", dtype=dtype_label(result.dtype))]
        if ctor in LEGACY_CONSTRUCTORS:
            return [
                ctx.note(
                    "default-dtype",
                    "note.default.legacy_typed",
                    ctor=ctx.name,
                    dtype=dtype_label(LEGACY_CONSTRUCTORS[ctor]),
                )
            ]
        return []
    if result is None or site.error is not None or ctx.is_method:
        return []
    dtype_arg = ctx.kwargs.get("dtype")
    if dtype_arg is not None and dtype_arg.kind == "dtype":
        if op in ("tensor", "arange", "full", "linspace", "ones", "zeros", "rand", "randn", "empty", "randint"):
            default = "int64" if op == "randint" else "float32"
            return [
                ctx.note("dtype-explicit", "note.dtype_explicit", dtype=dtype_label(dtype_arg.value), default=default)
            ]
        return []
    if op in ("tensor", "as_tensor", "asarray"):
        data = ctx.param("data", 0)
        if data is None:
            return []
        if data.kind == "ndarray" and data.facts is not None:
            key = "note.default.numpy_float64" if data.facts.dtype == "float64" else "note.default.numpy"
            return [ctx.note("default-dtype", key, dtype=data.facts.dtype)]
        if data.kind == "tensor" and data.facts is not None:
            return [
                ctx.note(
                    "default-dtype", "note.default.keeps", name=ctx.text(0, "data"), dtype=dtype_label(data.facts.dtype)
                )
            ]
        kinds: frozenset[str]
        if data.kind == "number":
            kinds = frozenset({"float" if isinstance(data.value, float) else "int"})
        elif data.kind == "bool":
            kinds = frozenset({"bool"})
        elif data.data is not None:
            kinds = data.data.kinds
        else:
            return []
        # Each claim is checked against the dtype torch actually chose (the data walk is bounded, and
        # torch.set_default_dtype can change the default), so a note is never wrong, at worst absent.
        dtype = dtype_label(result.dtype)
        if kinds <= {"float", "int", "bool"} and "float" in kinds and is_float(result.dtype):
            key = "note.default.mixed" if "int" in kinds else "note.default.float"
            return [ctx.note("default-dtype", key, dtype=dtype)]
        if kinds == {"int"} and result.dtype == "torch.int64":
            return [ctx.note("default-dtype", "note.default.int")]
        if kinds == {"bool"} and result.dtype == "torch.bool":
            return [ctx.note("default-dtype", "note.default.bool")]
        return []
    if op == "arange":
        numbers = [v for v in (*ctx.args[:3], *(ctx.kwargs.get(k) for k in ("start", "end", "step"))) if v is not None]
        if any(v.kind == "number" and isinstance(v.value, float) for v in numbers) and is_float(result.dtype):
            return [ctx.note("default-dtype", "note.default.arange_float", dtype=dtype_label(result.dtype))]
        if result.dtype == "torch.int64":
            return [ctx.note("default-dtype", "note.default.arange_int")]
        return []
    if op in _DEFAULT_FLOAT_FACTORIES and is_float(result.dtype):
        return [ctx.note("default-dtype", "note.default.factory_float", dtype=dtype_label(result.dtype))]
    if op == "full":
        fill = ctx.param("fill_value", 1)
        if fill is not None and fill.kind in ("number", "bool"):
            return [
                ctx.note(
                    "default-dtype",
                    "note.default.full",
                    value=ctx.text(1, "fill_value"),
                    type_name=fill.type_name,
                    dtype=dtype_label(result.dtype),
                )
            ]
    if op == "randint":
        return [ctx.note("default-dtype", "note.default.randint")]
    if op in _LIKE_FACTORIES:
        source = ctx.param("input", 0)
        if source is not None and source.facts is not None:
            return [
                ctx.note(
                    "default-dtype",
                    "note.default.like",
                    shape=format_shape(source.facts.shape),
                    dtype=dtype_label(result.dtype),
                    name=ctx.text(0, "input"),
                )
            ]
    return []
