"""Element types: conversions (truncation said with real values) and type promotion, as torch decides it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from ..explanation import Note
from ..ops import BINARY_SYMBOLS, COMPARISONS, CONVERSIONS, CONVERTING_METHODS, is_inplace
from ..record import Value
from ..render.common import format_number
from .context import CallContext, category, claim, dtype_label, is_float, is_int, subject
from .registry import note_code, rule

DTYPE_CHANGE = note_code(
    "dtype-change",
    "the result's element type differs from the input's, or is bool (truncation said plainly)",
    "结果的元素类型与输入不同，或是布尔类型（截断会明确说明）",
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
# -- dtypes -----------------------------------------------------------------------------------------
_EXAMPLES = 4
_NUMPY_FLOATS = {"torch.float16": np.float16, "torch.float32": np.float32, "torch.float64": np.float64}


def _source_float(value: float, dtype: str) -> str:
    """A value of a float tensor as its shortest exact spelling in that dtype (``1.7``, not ``1.7000000476837158``)."""
    kind = _NUMPY_FLOATS.get(dtype, np.float32)
    return str(kind(value))


Pairs = tuple[tuple[Any, Any], ...]


def _truncation_examples(values: tuple[tuple[Any, ...], tuple[Any, ...]] | None, src: str) -> tuple[str, Pairs]:
    """``1.7 → 1, -2.5 → -2, 3.2 → 3`` and those pairs: only when every value was truncated toward zero."""
    if values is None:
        return "", ()
    before, after = values
    pairs = tuple(zip(before, after, strict=False))
    if not pairs or not all(isinstance(y, int) and math.isfinite(x) and math.trunc(x) == y for x, y in pairs):
        return "", ()  # NaN, infinities, overflow or a uint8 wrap-around: the general sentence stays right
    text = ", ".join(f"{_source_float(x, src)} → {y}" for x, y in pairs[:_EXAMPLES])
    return text + (", …" if len(pairs) > _EXAMPLES else ""), pairs


def _rounding_examples(values: tuple[tuple[Any, ...], tuple[Any, ...]] | None, src: str) -> tuple[str, Pairs]:
    """``0.1 → 0.0999756``: the values that float16 changed (none: nothing to say), and all the pairs."""
    if values is None:
        return "", ()
    pairs = tuple(zip(*values, strict=False))
    changed = [(x, y) for x, y in pairs if isinstance(y, float) and x != y and x == x]
    return ", ".join(f"{_source_float(x, src)} → {y:.6g}" for x, y in changed[:_EXAMPLES]), pairs


_DIVISIONS = frozenset({"div", "true_divide", "divide"})
_SUMS = frozenset({"sum", "prod", "cumsum", "cumprod", "nansum"})


@rule(rank=90, codes=[DTYPE_CHANGE])
def dtype_change_notes(ctx: CallContext) -> list[Note]:
    if ctx.site.kind == "dispatch":
        return _constructor_notes(ctx)
    result = ctx.result_facts()
    if result is None or is_inplace(ctx.name):
        return []
    inputs = [(i, v, t) for i, v, t in ctx.tensor_inputs() if v.facts is not None]
    if ctx.op in CONVERSIONS or ctx.op in CONVERTING_METHODS:
        return _conversion_notes(ctx, result.dtype, inputs)
    if ctx.op in COMPARISONS:
        return _comparison_notes(ctx, result.dtype, inputs)
    if ctx.op in BINARY_SYMBOLS or ctx.op == "where":
        return _promotion_notes(ctx, result.dtype, inputs)
    if not inputs:
        return []
    index, value, _text = inputs[0]
    src, dst = value.facts.dtype, result.dtype  # type: ignore[union-attr]
    claims = [claim("dtype", subject(index), src), claim("dtype", "result", dst)]
    if src != dst and ctx.op in _FLOAT_RESULT_OPS and not is_float(src) and is_float(dst):
        return [
            ctx.note(DTYPE_CHANGE, "note.dtype.float_op", claims, src=dtype_label(src), dst=dtype_label(dst), op=ctx.op)
        ]
    if src != dst and ctx.op in _SUMS and dst == "torch.int64":
        key = "note.dtype.sum_bool" if src == "torch.bool" else "note.dtype.sum_int"
        return [ctx.note(DTYPE_CHANGE, key, claims, src=dtype_label(src), op=ctx.op)]
    return []


def _constructor_notes(ctx: CallContext) -> list[Note]:
    """``torch.IntTensor([1.7, -2.5])``, ``torch.Tensor(n1)``: what the constructor made of the data."""
    site = ctx.site
    result = ctx.result_facts()
    data = site.linked_array
    if result is None or data is None:
        return []
    dst = result.dtype
    made = [claim("dtype", "result", dst)]
    if data.facts is not None:  # an array: its memory was used, or converted
        src = data.facts.dtype
        if dtype_label(src) == dtype_label(dst):
            return []
        claims = [*made, claim("dtype", f"name:{site.linked_name}", src)] if site.linked_name else made
        return [ctx.note(DTYPE_CHANGE, "note.dtype.convert", claims, src=dtype_label(src), dst=dtype_label(dst))]
    if data.data is None:
        return []
    if is_int(dst) and data.data.truncations:
        pairs = tuple(data.data.truncations)
        examples = ", ".join(f"{format_number(x)} → {y}" for x, y in pairs)
        claims = [*made, claim("truncates", dst, pairs)]
        return [ctx.note(DTYPE_CHANGE, "note.dtype.truncate_values", claims, dst=dtype_label(dst), examples=examples)]
    if is_float(dst) and "int" in data.data.kinds and "float" not in data.data.kinds:
        return [ctx.note(DTYPE_CHANGE, "note.dtype.to_float", made, dst=dtype_label(dst))]
    return []


def _conversion_notes(ctx: CallContext, dst: str, inputs: list[tuple[int | str, Value, str]]) -> list[Note]:
    """``t.int()``, ``t.to(torch.float16)``, ``t.type('torch.IntTensor')``, ``t.to('cpu')``."""
    if not inputs:
        return []
    index, value, text = inputs[0]
    src = value.facts.dtype  # type: ignore[union-attr]
    notes: list[Note] = []
    types = [claim("dtype", subject(index), src), claim("dtype", "result", dst)]
    type_arg = ctx.param("dtype", 1)
    if type_arg is not None and type_arg.kind == "other" and str(type_arg.value).endswith("Tensor"):
        notes.append(
            ctx.note(
                DTYPE_CHANGE, "note.dtype.type_string", types, type_name=ctx.text(1, "dtype"), dtype=dtype_label(dst)
            )
        )
    if src == dst:
        if ctx.relation_of(index) == "alias":
            same = [*types, claim("same-object", "result", subject(index))]
            device = value.facts.device  # type: ignore[union-attr]
            notes.append(
                ctx.note(DTYPE_CHANGE, "note.dtype.same", same, dtype=dtype_label(dst), device=device, name=text)
            )
        return notes
    if is_float(src) and is_int(dst):
        examples, pairs = _truncation_examples(ctx.site.values, src)
        if examples:
            claims = [*types, claim("converted", "result", pairs)]
            notes.append(
                ctx.note(
                    DTYPE_CHANGE,
                    "note.dtype.truncate_seen",
                    claims,
                    src=dtype_label(src),
                    dst=dtype_label(dst),
                    examples=examples,
                )
            )
        else:
            notes.append(
                ctx.note(DTYPE_CHANGE, "note.dtype.truncate", types, src=dtype_label(src), dst=dtype_label(dst))
            )
    elif dst == "torch.float16":
        half = [*types, claim("float16-range", "torch.float16", (65504.0, 3))]
        notes.append(ctx.note(DTYPE_CHANGE, "note.dtype.half", half, src=dtype_label(src)))
        examples, pairs = _rounding_examples(ctx.site.values, src)
        if examples:
            rounded = [*types, claim("converted", "result", pairs)]
            notes.append(ctx.note(DTYPE_CHANGE, "note.dtype.half_rounded", rounded, examples=examples))
    else:
        notes.append(ctx.note(DTYPE_CHANGE, "note.dtype.convert", types, src=dtype_label(src), dst=dtype_label(dst)))
    return notes


def _operands(ctx: CallContext, inputs: list[tuple[int | str, Value, str]]) -> list[tuple[str, Any, str, str]]:
    """The values that take part in type promotion, each as (claim subject, meta stand-in, text, kind).

    The stand-in is a meta tensor of the same dtype and number of dimensions (only those decide promotion) or
    the Python number itself. ``torch.where``'s condition takes no part.
    """
    found: list[tuple[str, Any, str, str]] = []
    skip_condition = ctx.op == "where"
    for index, value, text in inputs:
        if skip_condition and index in (0, "condition"):
            continue
        facts = value.facts
        if facts is None or value.kind != "tensor":
            continue
        dtype = getattr(torch, facts.dtype.removeprefix("torch."), None)
        if not isinstance(dtype, torch.dtype):
            return []
        stand_in = torch.empty((1,) * max(len(facts.shape), 0) if facts.shape else (), dtype=dtype, device="meta")
        kind = "tensor" if facts.shape else "zero-dim"
        found.append((subject(index), stand_in, text, kind))
    for position, value in enumerate(ctx.args):
        if value.kind == "number" and not (skip_condition and position == 0):
            found.append((f"arg{position}", value.value, ctx.text(position), "number"))
    for name, value in ctx.kwargs.items():
        if value.kind == "number":
            found.append((f"kw:{name}", value.value, ctx.kw_texts.get(name, name), "number"))
    return found[:2]


def _result_type(operands: list[tuple[str, Any, str, str]]) -> str | None:
    if len(operands) != 2:
        return None
    try:
        return str(torch.result_type(operands[0][1], operands[1][1]))
    except Exception:  # noqa: BLE001 - two Python numbers, or an unusual dtype: no promotion note
        return None


def _comparison_notes(ctx: CallContext, dst: str, inputs: list[tuple[int | str, Value, str]]) -> list[Note]:
    """``a > 1.5`` gives bool, always; promotion only decides the type the values are compared in."""
    operands = _operands(ctx, inputs)
    compared = _result_type(operands)
    if dst != "torch.bool" or compared is None:
        return []
    (_sa, _a, text_a, _ka), (_sb, _b, text_b, _kb) = operands
    claims = [claim("dtype", "result", "torch.bool"), claim("result-type", "operands", compared)]
    symbol = ctx.binary_symbol or BINARY_SYMBOLS.get(ctx.op, ctx.op)
    mixed = len({_dtype_of(o) for o in operands}) > 1
    key = "note.dtype.comparison_mixed" if mixed else "note.dtype.comparison"
    return [ctx.note(DTYPE_CHANGE, key, claims, a=text_a, b=text_b, symbol=symbol, compared=dtype_label(compared))]


def _dtype_of(operand: tuple[str, Any, str, str]) -> str:
    value = operand[1]
    return str(value.dtype) if isinstance(value, torch.Tensor) else type(value).__name__


_PRIORITY = {"tensor": 2, "zero-dim": 1, "number": 0}


def _promotion_notes(ctx: CallContext, dst: str, inputs: list[tuple[int | str, Value, str]]) -> list[Note]:
    """Why ``a + b`` has the type it has, by the rule torch applies (``torch.result_type``).

    Operands rank by priority: tensors with dimensions, then 0-d tensors, then Python numbers. A lower-priority
    operand changes the type only when it is of a higher kind (bool < int < float < complex); then a 0-d tensor
    brings its own dtype and a Python number the default type of its kind.
    """
    operands = _operands(ctx, inputs)
    if len(operands) != 2:
        return []
    if ctx.op in _DIVISIONS and is_float(dst) and all(_kind_of(o) <= 1 for o in operands):
        # / of integers is true division: the result is the default float type, whatever the integer types.
        return [
            ctx.note(
                DTYPE_CHANGE,
                "note.dtype.true_div",
                [claim("dtype", "result", dst), claim("default-dtype", "torch", dst)],
                a=_dtype_label_of(operands[0]),
                b=_dtype_label_of(operands[1]),
                result=dtype_label(dst),
            )
        ]
    if _result_type(operands) != dst:
        return []  # not a promotion we can state exactly
    types = [claim("dtype", "result", dst), claim("result-type", "operands", dst)]
    main, other = sorted(operands, key=lambda o: -_PRIORITY[o[3]])
    if ctx.op == "floor_divide" and is_int(dst) and all(_kind_of(o) <= 1 for o in operands):
        return [ctx.note(DTYPE_CHANGE, "note.dtype.floor_div", types, result=dtype_label(dst))]
    if main[3] == other[3]:  # both with dimensions, or both 0-d: the usual promotion
        if _dtype_of(main) == _dtype_of(other):
            return []
        claims = [*types, claim("dtype", main[0], _dtype_of(main)), claim("dtype", other[0], _dtype_of(other))]
        return [
            ctx.note(
                DTYPE_CHANGE,
                "note.dtype.promotion",
                claims,
                a=_dtype_label_of(operands[0]),
                b=_dtype_label_of(operands[1]),
                result=dtype_label(dst),
            )
        ]
    if _kind_of(other) > _kind_of(main):  # the lower-priority operand is of a higher kind: it decides
        if other[3] == "number":
            claims = [*types, claim("default-dtype", "torch", dst)] if is_float(dst) else types
            key = "note.dtype.scalar_float" if is_float(dst) else "note.dtype.scalar_kind"
            return [
                ctx.note(
                    DTYPE_CHANGE,
                    key,
                    claims,
                    a=_dtype_label_of(main),
                    kind=type(other[1]).__name__,
                    result=dtype_label(dst),
                )
            ]
        claims = [*types, claim("zero-dim", other[0]), claim("dtype", other[0], _dtype_of(other))]
        return [
            ctx.note(
                DTYPE_CHANGE,
                "note.dtype.zero_dim_higher_kind",
                claims,
                name=other[2],
                other=_dtype_label_of(other),
                a=_dtype_label_of(main),
                result=dtype_label(dst),
            )
        ]
    if other[3] == "zero-dim" and _dtype_of(other) != dst:  # float32 tensor + 0-d float64 -> float32
        claims = [*types, claim("zero-dim", other[0]), claim("dtype", other[0], _dtype_of(other))]
        return [
            ctx.note(
                DTYPE_CHANGE,
                "note.dtype.zero_dim_same_kind",
                claims,
                name=other[2],
                other=_dtype_label_of(other),
                result=dtype_label(dst),
            )
        ]
    return []


_KIND_RANK = {"bool": 0, "int": 1, "float": 2, "complex": 3, "other": 4}


def category_rank(dtype: str) -> int:
    return _KIND_RANK[category(dtype)]


def _kind_of(operand: tuple[str, Any, str, str]) -> int:
    value = operand[1]
    if isinstance(value, torch.Tensor):
        return category_rank(str(value.dtype))
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return 1
    if isinstance(value, float):
        return 2
    return 3


def _dtype_label_of(operand: tuple[str, Any, str, str]) -> str:
    value = operand[1]
    if isinstance(value, torch.Tensor):
        return dtype_label(str(value.dtype))
    return f"Python {type(value).__name__}"
