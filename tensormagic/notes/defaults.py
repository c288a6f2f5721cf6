"""The element type a creation call chose when none was given, or that ``dtype=`` overrode, and why."""

from __future__ import annotations

from ..explanation import Note
from ..ops import LEGACY_CONSTRUCTORS
from ..render.common import format_shape
from .context import CallContext, claim, dtype_label, is_float
from .registry import note_code, rule

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

_DEFAULT_FLOAT_FACTORIES = frozenset({"ones", "zeros", "rand", "randn", "empty", "eye", "linspace", "logspace"})
_LIKE_FACTORIES = frozenset(
    {"ones_like", "zeros_like", "full_like", "empty_like", "rand_like", "randn_like", "randint_like"}
)
_DATA_FACTORIES = frozenset({"tensor", "as_tensor", "asarray"})


@rule(rank=100, codes=[DEFAULT_DTYPE, DTYPE_EXPLICIT])
def default_dtype_notes(ctx: CallContext) -> list[Note]:
    result = ctx.result_facts()
    if result is None:
        return []
    if ctx.site.kind == "dispatch":
        return _constructor_notes(ctx, result.dtype)
    if ctx.is_method:
        return []
    dtype = result.dtype
    made = [claim("dtype", "result", dtype)]
    default_float = [*made, claim("default-dtype", "torch", dtype)]
    dtype_arg = ctx.kwargs.get("dtype")
    if dtype_arg is not None and dtype_arg.kind == "dtype":
        default = _default_for(ctx)
        if default is None:
            return []
        claims = [*made, claim("default-dtype", "torch", ctx.site.default_dtype)] if is_float(default) else made
        key = "note.dtype_explicit_same" if default == dtype else "note.dtype_explicit"
        return [ctx.note(DTYPE_EXPLICIT, key, claims, dtype=dtype_label(dtype), default=dtype_label(default))]
    op = ctx.op
    if op in _DATA_FACTORIES:
        return _data_notes(ctx, dtype)
    if op == "arange":
        if _has_float_argument(ctx) and is_float(dtype):
            return [ctx.note(DEFAULT_DTYPE, "note.default.arange_float", default_float, dtype=dtype_label(dtype))]
        if dtype == "torch.int64":
            return [ctx.note(DEFAULT_DTYPE, "note.default.arange_int", made)]
        return []
    if op in _DEFAULT_FLOAT_FACTORIES and is_float(dtype):
        return [ctx.note(DEFAULT_DTYPE, "note.default.factory_float", default_float, dtype=dtype_label(dtype))]
    if op == "full":
        fill = ctx.param("fill_value", 1)
        if fill is not None and fill.kind in ("number", "bool"):
            claims = default_float if isinstance(fill.value, float) else made
            value = ctx.text(1, "fill_value")
            return [
                ctx.note(
                    DEFAULT_DTYPE,
                    "note.default.full",
                    claims,
                    value=value,
                    type_name=fill.type_name,
                    dtype=dtype_label(dtype),
                )
            ]
    if op == "randint" and dtype == "torch.int64":
        return [ctx.note(DEFAULT_DTYPE, "note.default.randint", made)]
    if op in _LIKE_FACTORIES:
        source = ctx.param("input", 0)
        if source is not None and source.facts is not None:
            like = ctx.subject_of("input", 0)
            claims = [*made, claim("dtype", like, source.facts.dtype), claim("shape", "result", source.facts.shape)]
            return [
                ctx.note(
                    DEFAULT_DTYPE,
                    "note.default.like",
                    claims,
                    shape=format_shape(source.facts.shape),
                    dtype=dtype_label(dtype),
                    name=ctx.text(0, "input"),
                )
            ]
    return []


def _constructor_notes(ctx: CallContext, dtype: str) -> list[Note]:
    """``torch.from_numpy(n1)`` keeps the array's type; ``torch.Tensor(...)`` makes the default float type."""
    ctor = ctx.name.rsplit(".", 1)[-1]
    made = [claim("dtype", "result", dtype)]
    if ctor == "from_numpy":
        name = ctx.site.linked_name or ctx.text(0, "ndarray")
        claims = [*made, claim("dtype", f"name:{name}", dtype)] if ctx.site.linked_name else made
        return [ctx.note(DEFAULT_DTYPE, "note.default.keeps", claims, name=name, dtype=dtype_label(dtype))]
    if ctor == "Tensor":
        claims = [*made, claim("default-dtype", "torch", dtype)]
        return [ctx.note(DEFAULT_DTYPE, "note.default.legacy", claims, dtype=dtype_label(dtype))]
    fixed = LEGACY_CONSTRUCTORS.get(ctor)
    if fixed is not None and fixed == dtype:
        return [ctx.note(DEFAULT_DTYPE, "note.default.legacy_typed", made, ctor=ctx.name, dtype=dtype_label(dtype))]
    return []


def _data_notes(ctx: CallContext, dtype: str) -> list[Note]:
    """``torch.tensor(data)``: the type follows the data (Python numbers, a NumPy array, a tensor)."""
    data = ctx.param("data", 0)
    if data is None:
        return []
    made = [claim("dtype", "result", dtype)]
    source = ctx.subject_of("data", 0)
    if data.kind == "ndarray" and data.facts is not None:
        claims = [*made, claim("dtype", source, data.facts.dtype)]
        if data.facts.dtype == "float64" and dtype == "torch.float64" and ctx.site.default_dtype != "torch.float64":
            claims.append(claim("default-dtype", "torch", ctx.site.default_dtype))
            default = dtype_label(ctx.site.default_dtype)
            return [ctx.note(DEFAULT_DTYPE, "note.default.numpy_float64", claims, dtype="float64", default=default)]
        if dtype_label(data.facts.dtype) == dtype_label(dtype):
            return [ctx.note(DEFAULT_DTYPE, "note.default.numpy", claims, dtype=data.facts.dtype)]
        return []
    if data.kind == "tensor" and data.facts is not None:
        if data.facts.dtype != dtype:
            return []
        claims = [*made, claim("dtype", source, dtype)]
        return [
            ctx.note(DEFAULT_DTYPE, "note.default.keeps", claims, name=ctx.text(0, "data"), dtype=dtype_label(dtype))
        ]
    kinds = _data_kinds(ctx)
    if kinds is None:
        return []
    # Each sentence is checked against the dtype torch actually chose (the data walk is bounded, and
    # torch.set_default_dtype can change the default), so a note is never wrong, at worst absent.
    if kinds <= {"float", "int", "bool"} and "float" in kinds and is_float(dtype):
        key = "note.default.mixed" if "int" in kinds else "note.default.float"
        return [ctx.note(DEFAULT_DTYPE, key, [*made, claim("default-dtype", "torch", dtype)], dtype=dtype_label(dtype))]
    if kinds == {"int"} and dtype == "torch.int64":
        return [ctx.note(DEFAULT_DTYPE, "note.default.int", made)]
    if kinds == {"bool"} and dtype == "torch.bool":
        return [ctx.note(DEFAULT_DTYPE, "note.default.bool", made)]
    return []


def _data_kinds(ctx: CallContext) -> frozenset[str] | None:
    """The kinds of Python numbers in ``torch.tensor``'s data: {"int"}, {"float", "int"}, {"bool"} …"""
    data = ctx.param("data", 0)
    if data is None:
        return None
    if data.kind == "number":
        return frozenset(
            {"float" if isinstance(data.value, float) else "complex" if isinstance(data.value, complex) else "int"}
        )
    if data.kind == "bool":
        return frozenset({"bool"})
    if data.data is not None:
        return data.data.kinds
    return None


def _has_float_argument(ctx: CallContext) -> bool:
    numbers = [v for v in (*ctx.args[:3], *(ctx.kwargs.get(k) for k in ("start", "end", "step"))) if v is not None]
    return any(v.kind == "number" and isinstance(v.value, float) for v in numbers)


def _default_for(ctx: CallContext) -> str | None:
    """The dtype this creation call would have chosen without ``dtype=`` (None: cannot tell)."""
    op = ctx.op
    default_float = ctx.site.default_dtype or "torch.float32"
    if op in _DEFAULT_FLOAT_FACTORIES:
        return default_float
    if op == "randint":
        return "torch.int64"
    if op == "arange":
        return default_float if _has_float_argument(ctx) else "torch.int64"
    if op == "full":
        fill = ctx.param("fill_value", 1)
        if fill is None or fill.kind not in ("number", "bool"):
            return None
        return (
            "torch.bool" if fill.kind == "bool" else default_float if isinstance(fill.value, float) else "torch.int64"
        )
    if op == "tensor":
        kinds = _data_kinds(ctx)
        if kinds is None or not kinds or not kinds <= {"float", "int", "bool"}:
            return None
        if "float" in kinds:
            return default_float
        return "torch.int64" if "int" in kinds else "torch.bool"
    return None
