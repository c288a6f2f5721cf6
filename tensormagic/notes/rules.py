"""Rules: one recorded call (its name, inputs and result facts) -> notes with stable codes.

Each rule looks at a :class:`CallContext` and returns zero or more :class:`Note`. Rules read recorded
facts only (shapes, dtypes, memory relations, small Python arguments); they never see a tensor.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..explanation import Note
from ..facts import Facts
from ..i18n import message
from ..render.common import format_number, format_shape
from ..sharing import Sharing
from ..trace import LEGACY_CONSTRUCTORS, RNG_FUNCTIONS, Site, Value

_BINARY_SYMBOLS = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "div": "/",
    "true_divide": "/",
    "floor_divide": "//",
    "pow": "**",
    "remainder": "%",
    "fmod": "fmod",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "le": "<=",
    "gt": ">",
    "ge": ">=",
    "and": "&",
    "or": "|",
    "xor": "^",
    "lshift": "<<",
    "rshift": ">>",
    "maximum": "maximum",
    "minimum": "minimum",
    "atan2": "atan2",
    "multiply": "*",
    "subtract": "-",
    "divide": "/",
    "logical_and": "and",
    "logical_or": "or",
    "logical_xor": "xor",
    "bitwise_and": "&",
    "bitwise_or": "|",
    "bitwise_xor": "^",
    "hypot": "hypot",
    "copysign": "copysign",
    "rsub": "-",
    "where": "where",
}
_DUNDER_OPS = {
    "add": "add",
    "sub": "sub",
    "mul": "mul",
    "truediv": "div",
    "floordiv": "floor_divide",
    "pow": "pow",
    "mod": "remainder",
    "matmul": "matmul",
    "and": "and",
    "or": "or",
    "xor": "xor",
    "lshift": "lshift",
    "rshift": "rshift",
    "eq": "eq",
    "ne": "ne",
    "lt": "lt",
    "le": "le",
    "gt": "gt",
    "ge": "ge",
    "neg": "neg",
    "abs": "abs",
    "invert": "bitwise_not",
    "getitem": "getitem",
    "setitem": "setitem",
    "pos": "positive",
}
MATMUL_OPS = frozenset({"matmul", "mm", "bmm", "mv", "dot", "vdot", "inner"})
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
CONVERSIONS = {
    "int": "torch.int32",
    "long": "torch.int64",
    "float": "torch.float32",
    "double": "torch.float64",
    "half": "torch.float16",
    "short": "torch.int16",
    "bool": "torch.bool",
    "byte": "torch.uint8",
    "char": "torch.int8",
    "bfloat16": "torch.bfloat16",
    "cfloat": "torch.complex64",
    "cdouble": "torch.complex128",
}
_LEGACY_DTYPES = {
    "Tensor": "torch.float32",
    "FloatTensor": "torch.float32",
    "DoubleTensor": "torch.float64",
    "HalfTensor": "torch.float16",
    "BFloat16Tensor": "torch.bfloat16",
    "IntTensor": "torch.int32",
    "LongTensor": "torch.int64",
    "ShortTensor": "torch.int16",
    "ByteTensor": "torch.uint8",
    "CharTensor": "torch.int8",
    "BoolTensor": "torch.bool",
}
UNARY_ELEMENTWISE = frozenset(
    {
        "sqrt",
        "exp",
        "log",
        "log2",
        "log10",
        "abs",
        "neg",
        "negative",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sigmoid",
        "relu",
        "exp2",
        "expm1",
        "log1p",
        "rsqrt",
        "square",
        "floor",
        "ceil",
        "round",
        "trunc",
        "sign",
        "reciprocal",
        "clamp",
        "clip",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "erf",
        "frac",
        "positive",
        "bitwise_not",
        "logical_not",
        "isnan",
        "isinf",
        "isfinite",
        "nan_to_num",
        "softplus",
        "gelu",
        "silu",
    }
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
_UNINITIALIZED = frozenset({"empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided"})


@dataclass
class CallContext:
    """What the rules know about one call site (first call), plus how the cell's source wrote it."""

    name: str
    op: str
    site: Site
    count: int
    language: str
    texts: list[str] = field(default_factory=list)
    kw_texts: dict[str, str] = field(default_factory=dict)
    target: str | None = None
    unused: bool = False
    then_copy: bool = False
    end_names: tuple[str, ...] = ()
    end_sharing: tuple[Sharing, ...] = ()
    binary_symbol: str | None = None

    @property
    def args(self) -> tuple[Value, ...]:
        return self.site.args

    @property
    def kwargs(self) -> dict[str, Value]:
        return self.site.kwargs

    @property
    def result(self) -> Value | None:
        return self.site.result

    @property
    def is_method(self) -> bool:
        return self.name.startswith("Tensor.")

    def param(self, name: str, position: int | None = None) -> Value | None:
        """An argument by keyword, else by position (methods count ``self`` as position 0)."""
        if name in self.kwargs:
            return self.kwargs[name]
        if position is not None and position < len(self.args):
            return self.args[position]
        return None

    def text(self, position: int, keyword: str | None = None) -> str:
        """How the source wrote this argument; for calls made inside functions, what it was."""
        if keyword and keyword in self.kw_texts:
            return self.kw_texts[keyword]
        if position < len(self.texts):
            return self.texts[position]
        value = self.kwargs.get(keyword) if keyword else None
        if value is None and position < len(self.args):
            value = self.args[position]
        if value is not None and value.facts is not None:
            kind = message(f"kind.{value.facts.kind}", self.language)
            return f"{kind} {format_shape(value.facts.shape)}"
        if value is not None and value.kind in ("number", "bool"):
            return repr(value.value)
        return "?"

    def tensor_inputs(self) -> list[tuple[int | str, Value, str]]:
        """Tensor/ndarray arguments with the source text that produced each."""
        found: list[tuple[int | str, Value, str]] = []
        for index, value in enumerate(self.args):
            if value.facts is not None:
                found.append((index, value, self.text(index)))
        for key, value in self.kwargs.items():
            if value.facts is not None:
                found.append((key, value, self.kw_texts.get(key, key)))
        return found

    def relation_of(self, index: int | str) -> str:
        if isinstance(index, int) and index < len(self.site.relations):
            return self.site.relations[index]
        return ""

    def result_facts(self) -> Facts | None:
        result = self.result
        if result is None:
            return None
        if result.facts is not None:
            return result.facts
        if result.items and result.items[0].facts is not None:
            return result.items[0].facts
        return None

    def note(self, code: str, key: str, **params: Any) -> Note:
        return Note(code, message(key, self.language, **params), key, params)


def canonical_op(name: str) -> str:
    """``Tensor.__radd__`` -> ``add``; ``Tensor.add_`` -> ``add``; ``torch.matmul`` -> ``matmul``."""
    short = name.rsplit(".", 1)[-1]
    if short.startswith("__") and short.endswith("__"):
        core = short[2:-2]
        if core not in _DUNDER_OPS and core[:1] in ("r", "i") and core[1:] in _DUNDER_OPS:
            core = core[1:]
        return _DUNDER_OPS.get(core, core)
    if short.endswith("_") and not short.endswith("__") and short not in RNG_FUNCTIONS:
        return short[:-1]
    return short


def is_inplace(name: str) -> bool:
    short = name.rsplit(".", 1)[-1]
    if short == "__setitem__":
        return True
    if short.startswith("__i") and short.endswith("__") and short[3:-2] in _DUNDER_OPS:
        return True
    return short.endswith("_") and not short.endswith("__")


def dtype_label(dtype: str | None) -> str:
    return (dtype or "?").removeprefix("torch.")


def _is_float(dtype: str) -> bool:
    return any(part in dtype for part in ("float", "bfloat", "half", "double"))


def _is_int(dtype: str) -> bool:
    return "int" in dtype and "uint" not in dtype or dtype.endswith("uint8")


def _number(value: Value | None) -> float | int | None:
    if value is None or value.kind not in ("number", "bool"):
        return None
    return value.value  # type: ignore[no-any-return]


def _shape(value: Value | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    if value.facts is not None:
        return value.facts.shape
    return None


# -- memory -----------------------------------------------------------------------------------------
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


def inplace_notes(ctx: CallContext) -> list[Note]:
    if "out" in ctx.kwargs and ctx.kwargs["out"].facts is not None:
        return [ctx.note("in-place", "note.inplace.out", target=ctx.text(99, "out"), method=ctx.op)]
    if not is_inplace(ctx.name):
        if ctx.unused and ctx.is_method and ctx.op in _BINARY_SYMBOLS | dict.fromkeys(UNARY_ELEMENTWISE):
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


# -- broadcasting, element-wise, matmul -------------------------------------------------------------
def aligned(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    width = max(len(a), len(b))
    return (1,) * (width - len(a)) + a, (1,) * (width - len(b)) + b


def broadcast_conflict(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, int, int] | None:
    """The first axis (counted from the left of the aligned shapes) where sizes differ and neither is 1."""
    pa, pb = aligned(a, b)
    for axis, (x, y) in enumerate(zip(pa, pb, strict=True)):
        if x != y and x != 1 and y != 1:
            return axis - len(pa), x, y
    return None


def broadcast_notes(ctx: CallContext) -> list[Note]:
    if ctx.op not in _BINARY_SYMBOLS or ctx.site.error is not None:
        return []
    symbol = ctx.binary_symbol or _BINARY_SYMBOLS[ctx.op]
    result = ctx.result_facts()
    operands = [(i, v, t) for i, v, t in ctx.tensor_inputs() if v.kind == "tensor"][:2]
    if len(operands) == 1:
        _, value, text = operands[0]
        first = operands[0][0] in (0, "input", "self")
        scalar = ctx.param("other", 1) if first else ctx.param("input", 0)
        if scalar is not None and scalar.kind in ("number", "bool") and value.facts is not None:
            other_text = ctx.text(1, "other") if first else ctx.text(0, "input")
            return [
                ctx.note(
                    "broadcast",
                    "note.broadcast.scalar",
                    scalar=other_text,
                    name=text,
                    shape=format_shape(value.facts.shape),
                )
            ]
        return []
    if len(operands) < 2:
        return []
    (_, va, ta), (_, vb, tb) = operands
    if va.facts is None or vb.facts is None:
        return []
    a, b = va.facts.shape, vb.facts.shape
    if a == b:
        return [ctx.note("elementwise", "note.elementwise.binary", shape=format_shape(a))]
    pa, pb = aligned(a, b)
    shape_result = result.shape if result is not None else tuple(max(x, y) for x, y in zip(pa, pb, strict=True))
    notes = [
        ctx.note(
            "broadcast",
            "note.broadcast.shapes",
            a=format_shape(a),
            b=format_shape(b),
            symbol=symbol,
            aligned_a=format_shape(pa),
            aligned_b=format_shape(pb),
            result=format_shape(shape_result),
        )
    ]
    for name, mine, other in ((ta, pa, pb), (tb, pb, pa)):
        axes = [str(i) for i, (x, y) in enumerate(zip(mine, other, strict=True)) if x == 1 and y != 1]
        if axes:
            notes.append(
                ctx.note("broadcast", "note.broadcast.stretch", name=name, axes=", ".join(axes), count=len(axes))
            )
    notes.append(ctx.note("broadcast", "note.broadcast.rule"))
    return notes


def unary_notes(ctx: CallContext) -> list[Note]:
    if ctx.op not in UNARY_ELEMENTWISE or is_inplace(ctx.name) or ctx.site.error is not None:
        return []
    if ctx.op in ("neg", "negative") and ctx.unused:
        return []
    result = ctx.result_facts()
    if result is None:
        return []
    return [ctx.note("elementwise", "note.elementwise.unary", op=ctx.op, shape=format_shape(result.shape))]


def pow_notes(ctx: CallContext) -> list[Note]:
    """``torch.pow(t, exponent=2)``: the exponent is a number combined with every element."""
    if ctx.op != "pow" or ctx.site.error is not None:
        return []
    base = ctx.param("input", 0) or ctx.param("self", 0)
    exponent = ctx.param("exponent", 1)
    if base is None or base.facts is None or exponent is None or exponent.kind != "number":
        return []
    return [
        ctx.note(
            "broadcast",
            "note.broadcast.scalar",
            scalar=ctx.text(1, "exponent"),
            name=ctx.text(0, "input"),
            shape=format_shape(base.facts.shape),
        )
    ]


def matmul_notes(ctx: CallContext) -> list[Note]:
    if ctx.op not in MATMUL_OPS:
        return []
    operands = [(v, t) for _, v, t in ctx.tensor_inputs() if v.facts is not None][:2]
    if len(operands) < 2:
        return []
    (va, left), (vb, right) = operands
    a, b = va.facts.shape, vb.facts.shape  # type: ignore[union-attr]
    if not a or not b:
        return []
    if ctx.site.error is not None:
        k1 = a[-1]
        k2 = b[0] if len(b) == 1 else b[-2]
        if k1 != k2:
            key = "note.error.matmul" if len(b) <= 2 else "note.error.matmul_batched"
            return [ctx.note("shape-error", key, a=format_shape(a), b=format_shape(b), k1=k1, k2=k2)]
        return []
    result = ctx.result_facts()
    shape_r = format_shape(result.shape) if result is not None else "?"
    common = dict(a=format_shape(a), b=format_shape(b), result=shape_r, left=left, right=right, inner=a[-1])
    if len(a) == 1 and len(b) == 1:
        return [ctx.note("matmul-shape", "note.matmul.dot", **common)]
    if len(a) == 2 and len(b) == 1:
        return [ctx.note("matmul-shape", "note.matmul.mv", rows=a[0], **common)]
    if len(a) == 1 and len(b) == 2:
        return [ctx.note("matmul-shape", "note.matmul.vm", **common)]
    if len(a) == 2 and len(b) == 2:
        return [ctx.note("matmul-shape", "note.matmul.2d", **common)]
    batch_a, batch_b = a[:-2], b[:-2] if len(b) > 2 else ()
    batch = result.shape[:-2] if result is not None and len(result.shape) >= 2 else batch_a or batch_b
    return [ctx.note("matmul-shape", "note.matmul.batched", batch=format_shape(batch), **common)]


# -- layers: linear, convolution, pooling ----------------------------------------------------------
_CONVS = frozenset({"conv1d", "conv2d", "conv3d"})
_POOLS = frozenset({"max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d"})
_SIDES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def _operand_text(ctx: CallContext, position: int, keyword: str, symbol: str) -> str:
    """The source text of a layer's operand when the cell wrote the call, else its maths symbol (x, W, b)."""
    if ctx.site.direct and (keyword in ctx.kw_texts or position < len(ctx.texts)):
        return ctx.text(position, keyword)
    return symbol


def linear_notes(ctx: CallContext) -> list[Note]:
    """``F.linear`` (``nn.Linear``): ``x (3, 4) @ W.T (4, 2) + b (2,) -> (3, 2)``."""
    if ctx.op != "linear":
        return []
    x, weight, bias = ctx.param("input", 0), ctx.param("weight", 1), ctx.param("bias", 2)
    if x is None or x.facts is None or weight is None or weight.facts is None:
        return []
    shape_x, shape_w = x.facts.shape, weight.facts.shape
    if len(shape_w) != 2 or not shape_x:
        return []
    if ctx.site.error is not None:
        if shape_x[-1] == shape_w[1]:
            return []
        return [
            ctx.note(
                "shape-error",
                "note.error.linear",
                x=_operand_text(ctx, 0, "input", "x"),
                shape_x=format_shape(shape_x),
                have=shape_x[-1],
                w=_operand_text(ctx, 1, "weight", "W"),
                shape_w=format_shape(shape_w),
                need=shape_w[1],
                out=shape_w[0],
            )
        ]
    result = ctx.result_facts()
    if result is None:
        return []
    bias_text = ""
    if bias is not None and bias.facts is not None:
        bias_text = f" + {_operand_text(ctx, 2, 'bias', 'b')} {format_shape(bias.facts.shape)}"
    params = dict(
        x=_operand_text(ctx, 0, "input", "x"),
        shape_x=format_shape(shape_x),
        w=_operand_text(ctx, 1, "weight", "W"),
        shape_wt=format_shape((shape_w[1], shape_w[0])),
        bias=bias_text,
        result=format_shape(result.shape),
        n_in=shape_w[1],
        n_out=shape_w[0],
    )
    if len(shape_x) == 1:
        return [ctx.note("matmul-shape", "note.linear.single", **params)]
    return [ctx.note("matmul-shape", "note.linear.rows", rows=math.prod(shape_x[:-1]), **params)]


def _per_side(value: Value | None, sides: int, default: int | None) -> tuple[int, ...] | None:
    if value is None or value.kind == "none" or (value.kind == "shape" and not value.value):
        return (default,) * sides if default is not None else None
    if value.kind == "number" and isinstance(value.value, int):
        return (value.value,) * sides
    if value.kind == "shape" and len(value.value) == sides:
        return tuple(value.value)
    if value.kind == "shape" and len(value.value) == 1:
        return (value.value[0],) * sides
    return None


def _window_sides(
    size_in: tuple[int, ...],
    size_out: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    ceil: bool,
) -> str | None:
    """``H ⌊(32 + 2·1 − 3) / 2⌋ + 1 = 16, W …``, or None when the formula does not give torch's result."""
    names = _SIDES.get(len(size_in))
    if names is None:
        return None
    left, right = ("⌈", "⌉") if ceil else ("⌊", "⌋")
    dilated = any(d != 1 for d in dilation)
    parts: list[tuple[str, str]] = []
    for n, out, k, st, p, d in zip(size_in, size_out, kernel, stride, padding, dilation, strict=True):
        if st <= 0:
            return None
        span = d * (k - 1) + 1
        numerator = n + 2 * p - span
        expected = (-(-numerator // st) if ceil else numerator // st) + 1
        if expected != out and not (ceil and expected - 1 == out):  # ceil_mode drops a window starting in padding
            return None
        kernel_text = f"{d}·({k} − 1) − 1" if dilated else str(k)
        parts.append((f"{left}({n} + 2·{p} − {kernel_text}) / {st}{right} + 1 = {out}", ""))
    formulas = [formula for formula, _ in parts]
    if len(set(formulas)) == 1 and len(formulas) > 1:
        return f"{', '.join(names)}: {formulas[0]}"
    return ", ".join(f"{name}: {formula}" for name, formula in zip(names, formulas, strict=True))


def _conv_error(ctx: CallContext, x: Value | None) -> list[Note]:
    """The usual convolution mistake: the input's channel count is not what the filters expect."""
    weight = ctx.param("weight", 1)
    if x is None or x.facts is None or weight is None or weight.facts is None:
        return []
    sides = int(ctx.op[-2])
    shape_in, shape_w = x.facts.shape, weight.facts.shape
    groups_value = _number(ctx.param("groups", 6))
    groups = int(groups_value) if isinstance(groups_value, int) and groups_value > 0 else 1
    if len(shape_w) != sides + 2 or len(shape_in) not in (sides + 1, sides + 2):
        return []
    have, need = shape_in[-sides - 1], shape_w[1] * groups
    if have == need:
        return []
    return [
        ctx.note(
            "shape-error",
            "note.error.conv",
            x=_operand_text(ctx, 0, "input", "x"),
            shape_in=format_shape(shape_in),
            have=have,
            axis=len(shape_in) - sides - 1,
            shape_w=format_shape(shape_w),
            need=need,
        )
    ]


def conv_notes(ctx: CallContext) -> list[Note]:
    """``conv2d`` / ``max_pool2d``: the filters and the output size per side with the real numbers."""
    op = ctx.op
    if op not in _CONVS and op not in _POOLS:
        return []
    x = ctx.param("input", 0)
    if ctx.site.error is not None:
        return _conv_error(ctx, x) if op in _CONVS else []
    result = ctx.result_facts()
    if x is None or x.facts is None or result is None:
        return []
    sides = int(op[-2])
    shape_in, shape_out = x.facts.shape, result.shape
    if len(shape_in) < sides + 1 or len(shape_out) < sides + 1:
        return []
    size_in, size_out = tuple(shape_in[-sides:]), tuple(shape_out[-sides:])
    name = _operand_text(ctx, 0, "input", "x")
    notes: list[Note] = []
    ceil = False
    if op in _CONVS:
        weight = ctx.param("weight", 1)
        if weight is None or weight.facts is None or len(weight.facts.shape) != sides + 2:
            return []
        kernel = tuple(weight.facts.shape[2:])
        filters, channels = weight.facts.shape[0], weight.facts.shape[1]
        notes.append(
            ctx.note(
                "conv-shape",
                "note.conv.filters",
                x=name,
                shape_in=format_shape(shape_in),
                result=format_shape(shape_out),
                filters=filters,
                kernel="×".join(str(k) for k in kernel),
                channels=channels,
            )
        )
        stride = _per_side(ctx.param("stride", 3), sides, 1)
        padding_value = ctx.param("padding", 4)
        dilation = _per_side(ctx.param("dilation", 5), sides, 1)
        if padding_value is not None and padding_value.kind == "other":
            if padding_value.value == "same":
                notes.append(ctx.note("conv-shape", "note.conv.same", sizes=format_shape(size_out)))
                return notes
            padding_value = None  # "valid": no padding
        padding = _per_side(padding_value, sides, 0)
    else:
        kernel_opt = _per_side(ctx.param("kernel_size", 1), sides, None)
        if kernel_opt is None:
            return []
        kernel = kernel_opt
        stride = _per_side(ctx.param("stride", 2), sides, None) or kernel
        padding = _per_side(ctx.param("padding", 3), sides, 0)
        if op.startswith("max"):
            dilation = _per_side(ctx.param("dilation", 4), sides, 1)
            ceil_value = ctx.param("ceil_mode", 5)
        else:
            dilation = (1,) * sides
            ceil_value = ctx.param("ceil_mode", 4)
        ceil = bool(ceil_value is not None and ceil_value.kind == "bool" and ceil_value.value)
        notes.append(
            ctx.note(
                "conv-shape",
                "note.pool.max" if op.startswith("max") else "note.pool.avg",
                x=name,
                shape_in=format_shape(shape_in),
                result=format_shape(shape_out),
                kernel="×".join(str(k) for k in kernel),
                stride=", ".join(str(v) for v in stride) if len(set(stride)) > 1 else stride[0],
            )
        )
    if stride is None or padding is None or dilation is None:
        return notes
    formula = _window_sides(size_in, size_out, kernel, stride, padding, dilation, ceil)
    if formula is not None:
        dilated = any(d != 1 for d in dilation)
        key = "note.conv.size_dilated" if dilated else ("note.conv.size_ceil" if ceil else "note.conv.size")
        notes.append(ctx.note("conv-shape", key, sides=formula))
    return notes


# -- reductions -------------------------------------------------------------------------------------
def _dims(value: Value | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    if value.kind == "number" and isinstance(value.value, int):
        return (value.value,)
    if value.kind == "shape":
        return tuple(value.value)
    return None


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


def dtype_change_notes(ctx: CallContext) -> list[Note]:
    result = ctx.result_facts()
    site, op = ctx.site, ctx.op
    if site.kind == "dispatch":
        ctor = ctx.name.rsplit(".", 1)[-1]
        data = site.linked_array
        dst = _LEGACY_DTYPES.get(ctor)
        if dst is None or data is None or data.data is None:
            return []
        if "int" in dst and data.data.truncations:
            examples = ", ".join(f"{format_number(x)} → {y}" for x, y in data.data.truncations)
            return [ctx.note("dtype-change", "note.dtype.truncate_values", dst=dtype_label(dst), examples=examples)]
        if _is_float(dst) and "int" in data.data.kinds and "float" not in data.data.kinds:
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
        if _is_float(src) and (_is_int(dst) or dst == "torch.uint8"):
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
    if op in _BINARY_SYMBOLS:
        dtypes = [v.facts.dtype for v, _ in inputs]  # type: ignore[union-attr]
        scalar = next((v for v in [*ctx.args, *ctx.kwargs.values()] if v.kind == "number"), None)
        if op in ("div", "true_divide", "divide") and all(_is_int(d) for d in dtypes) and _is_float(dst):
            b = dtype_label(dtypes[1]) if len(dtypes) > 1 else (scalar.type_name if scalar else "int")
            return [
                ctx.note("dtype-change", "note.dtype.true_div", a=dtype_label(dtypes[0]), b=b, result=dtype_label(dst))
            ]
        if op == "floor_divide" and all(_is_int(d) for d in dtypes):
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
    if src != dst and op in _FLOAT_RESULT_OPS and not _is_float(src) and _is_float(dst):
        return [ctx.note("dtype-change", "note.dtype.float_op", src=dtype_label(src), dst=dtype_label(dst), op=op)]
    if src != dst and op in ("sum", "prod", "cumsum", "nansum") and dst == "torch.int64":
        return [ctx.note("dtype-change", "note.dtype.sum_int", src=dtype_label(src))]
    return []


def default_dtype_notes(ctx: CallContext) -> list[Note]:
    result = ctx.result_facts()
    site, op = ctx.site, ctx.op
    if site.kind == "dispatch":
        ctor = ctx.name.rsplit(".", 1)[-1]
        if ctor == "from_numpy" and result is not None:
            return [ctx.note("default-dtype", "note.default.keeps", name=ctx.text(0), dtype=dtype_label(result.dtype))]
        if ctor == "Tensor" and result is not None:
            return [ctx.note("default-dtype", "note.default.legacy", dtype=dtype_label(result.dtype))]
        if ctor in _LEGACY_DTYPES:
            return [
                ctx.note(
                    "default-dtype", "note.default.legacy_typed", ctor=ctx.name, dtype=dtype_label(_LEGACY_DTYPES[ctor])
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
        if kinds <= {"float", "int", "bool"} and "float" in kinds and _is_float(result.dtype):
            key = "note.default.mixed" if "int" in kinds else "note.default.float"
            return [ctx.note("default-dtype", key, dtype=dtype)]
        if kinds == {"int"} and result.dtype == "torch.int64":
            return [ctx.note("default-dtype", "note.default.int")]
        if kinds == {"bool"} and result.dtype == "torch.bool":
            return [ctx.note("default-dtype", "note.default.bool")]
        return []
    if op == "arange":
        numbers = [v for v in (*ctx.args[:3], *(ctx.kwargs.get(k) for k in ("start", "end", "step"))) if v is not None]
        if any(v.kind == "number" and isinstance(v.value, float) for v in numbers) and _is_float(result.dtype):
            return [ctx.note("default-dtype", "note.default.arange_float", dtype=dtype_label(result.dtype))]
        if result.dtype == "torch.int64":
            return [ctx.note("default-dtype", "note.default.arange_int")]
        return []
    if op in _DEFAULT_FLOAT_FACTORIES and _is_float(result.dtype):
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


# -- ranges, memory contents, random numbers, item --------------------------------------------------
def _plain(value: float | int) -> str:
    return format_number(value, 6)


def range_notes(ctx: CallContext) -> list[Note]:
    op = ctx.op
    if ctx.site.error is not None or ctx.is_method:
        return []
    if op == "arange":
        positional = [_number(v) for v in ctx.args[:3]]
        start = _number(ctx.kwargs.get("start"))
        end = _number(ctx.kwargs.get("end"))
        step = _number(ctx.kwargs.get("step"))
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
        return [
            ctx.note(
                "half-open", "note.halfopen.arange", start=_plain(start), end=_plain(end), values=shown, count=count
            )
        ]
    if op == "randint":
        low = _number(ctx.kwargs.get("low"))
        high = _number(ctx.kwargs.get("high"))
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
        return [ctx.note("half-open", "note.halfopen.randint", low=low, last=high - 1, high=high)]
    if op == "linspace":
        start = _number(ctx.param("start", 0))
        end = _number(ctx.param("end", 1))
        steps = _number(ctx.param("steps", 2))
        if start is None or end is None or not steps:
            return []
        if steps == 1:  # no step to speak of: torch returns just the start
            return [ctx.note("half-open", "note.halfopen.linspace_one", start=_plain(start))]
        step = (end - start) / (steps - 1)
        return [
            ctx.note(
                "half-open",
                "note.halfopen.linspace",
                start=_plain(start),
                end=_plain(end),
                steps=int(steps),
                step=format_number(step, 6),
            )
        ]
    return []


def uninitialized_notes(ctx: CallContext) -> list[Note]:
    if ctx.op in _UNINITIALIZED or (ctx.site.kind == "dispatch" and "empty" in ctx.site.op):
        return [ctx.note("uninitialized", "note.uninitialized")]
    return []


def rng_notes(ctx: CallContext) -> list[Note]:
    site = ctx.site
    if site.kind == "seed":
        if ctx.name == "torch.manual_seed":
            return [ctx.note("rng", "note.rng.manual_seed", seed=site.seed)]
        if ctx.name == "torch.initial_seed":
            return [ctx.note("rng", "note.rng.initial_seed", seed=site.seed)]
        return [ctx.note("rng", "note.rng.seed", seed=site.seed)]
    short = ctx.name.rsplit(".", 1)[-1]
    if short not in RNG_FUNCTIONS or site.error is not None:
        return []
    result = ctx.result_facts()
    per_call = result.numel if result is not None else 0
    notes = [ctx.note("rng", "note.rng.draw", count=per_call * ctx.count, seed=site.seed)]
    notes.append(ctx.note("rng", "note.rng.seeded" if site.seeded_in_cell else "note.rng.unseeded"))
    return notes


def item_notes(ctx: CallContext) -> list[Note]:
    if ctx.op != "item":
        return []
    source = ctx.param("self", 0)
    name = ctx.text(0)
    if ctx.site.error is not None:
        if source is not None and source.facts is not None and source.facts.numel != 1:
            return [
                ctx.note(
                    "item",
                    "note.item.error",
                    name=name,
                    count=source.facts.numel,
                    shape=format_shape(source.facts.shape),
                )
            ]
        return []
    result = ctx.result
    if result is None or result.kind not in ("number", "bool"):
        return []
    return [ctx.note("item", "note.item.value", name=name, type_name=result.type_name, value=repr(result.value))]


# -- errors -----------------------------------------------------------------------------------------
def error_notes(ctx: CallContext) -> list[Note]:
    error = ctx.site.error
    if error is None:
        return []
    op = ctx.op
    shapes = [v.facts.shape for _, v, _ in ctx.tensor_inputs() if v.facts is not None]
    if op in _BINARY_SYMBOLS and len(shapes) >= 2:
        conflict = broadcast_conflict(shapes[0], shapes[1])
        if conflict is not None:
            axis, x, y = conflict
            return [
                ctx.note(
                    "shape-error",
                    "note.error.broadcast",
                    a=format_shape(shapes[0]),
                    b=format_shape(shapes[1]),
                    axis=axis,
                    x=x,
                    y=y,
                )
            ]
    if op in MATMUL_OPS:
        return []  # matmul_notes explains it
    if (op == "linear" and linear_notes(ctx)) or ((op in _CONVS) and conv_notes(ctx)):
        return []  # a layer's shape error, explained by its own rule
    if op in ("cat", "concat", "concatenate", "stack", "hstack", "vstack"):
        items = ctx.param("tensors", 0)
        if items is not None and items.items:
            item_shapes = [v.facts.shape for v in items.items if v.facts is not None]
            dim_value = _number(ctx.param("dim", 1))
            dim = int(dim_value) if dim_value is not None else 0
            for axis in range(max((len(s) for s in item_shapes), default=0)):
                sizes = {s[axis] for s in item_shapes if axis < len(s)}
                if (op == "stack" or axis != dim % max(len(item_shapes[0]), 1)) and len(sizes) > 1:
                    return [
                        ctx.note(
                            "shape-error",
                            "note.error.cat",
                            op=op,
                            dim=dim,
                            shapes=", ".join(format_shape(s) for s in item_shapes),
                            axis=axis,
                            sizes=" vs ".join(str(s[axis]) for s in item_shapes if axis < len(s)),
                        )
                    ]
    if op in ("view", "reshape") and shapes:
        source = ctx.args[0].facts if ctx.args and ctx.args[0].facts is not None else None
        if source is not None:
            request = [v.value for v in ctx.args[1:] if v.kind == "number"]
            shape_arg = next((v.value for v in ctx.args[1:] if v.kind == "shape"), None)
            dims = list(shape_arg) if shape_arg is not None else request
            if dims and -1 not in dims:
                need = math.prod(dims)
                if need != source.numel:
                    return [
                        ctx.note(
                            "shape-error",
                            "note.error.view",
                            request=format_shape(tuple(dims)),
                            need=need,
                            name=ctx.text(0),
                            have=source.numel,
                            shape=format_shape(source.shape),
                        )
                    ]
            if "stride" in error.message or "contiguous" in error.message:
                return [ctx.note("shape-error", "note.error.view_layout", name=ctx.text(0))]
    if op == "item":
        return []
    return [ctx.note("error", "note.error.generic", error=f"{error.type_name}: {error.message.splitlines()[0][:160]}")]


RULES: tuple[Callable[[CallContext], list[Note]], ...] = (
    memory_notes,
    inplace_notes,
    matmul_notes,
    linear_notes,
    conv_notes,
    broadcast_notes,
    pow_notes,
    reduce_notes,
    dtype_change_notes,
    default_dtype_notes,
    range_notes,
    uninitialized_notes,
    rng_notes,
    item_notes,
    unary_notes,
    error_notes,
)


def notes_for(ctx: CallContext) -> list[Note]:
    notes: list[Note] = []
    for rule in RULES:
        notes.extend(rule(ctx))
    return notes


__all__ = ["LEGACY_CONSTRUCTORS", "CallContext", "RULES", "canonical_op", "is_inplace", "notes_for"]
