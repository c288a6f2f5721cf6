"""Layers: ``nn.Linear`` as ``x @ W.T + b``, convolution and pooling output sizes with the real numbers."""

from __future__ import annotations

import math

from ..explanation import Note
from ..record import Value
from ..render.common import format_shape
from .context import SHAPE_ERROR, CallContext, claim, number
from .matmul import MATMUL_SHAPE
from .registry import note_code, rule

LAYER = note_code(
    "layer",
    "a call made inside a model's forward pass: which layer (path and type as built), its parameters, shapes",
    "在模型前向传播中的调用：属于哪一层（构建时的路径和类型）、参数个数、输入输出形状",
)
CONV_SHAPE = note_code(
    "conv-shape",
    "a convolution's or pooling's output size, side by side, with the real numbers",
    "卷积或池化的输出尺寸，逐边给出实际数字",
)


# -- layers: linear, convolution, pooling ----------------------------------------------------------
CONVS = frozenset({"conv1d", "conv2d", "conv3d"})
POOLS = frozenset({"max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d"})
_SIDES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


def _operand_text(ctx: CallContext, position: int, keyword: str, symbol: str) -> str:
    """The source text of a layer's operand when the cell wrote the call, else its maths symbol (x, W, b)."""
    if ctx.site.direct and (keyword in ctx.kw_texts or position < len(ctx.texts)):
        return ctx.text(position, keyword)
    return symbol


@rule(rank=40, codes=[MATMUL_SHAPE, SHAPE_ERROR], ops={"linear"}, on_error=True)
def linear_notes(ctx: CallContext) -> list[Note]:
    """``F.linear`` (``nn.Linear``): ``x (3, 4) @ W.T (4, 2) + b (2,) -> (3, 2)``."""
    x, weight, bias = ctx.param("input", 0), ctx.param("weight", 1), ctx.param("bias", 2)
    if x is None or x.facts is None or weight is None or weight.facts is None:
        return []
    shape_x, shape_w = tuple(x.facts.shape), tuple(weight.facts.shape)
    if len(shape_w) != 2 or not shape_x:
        return []
    shapes = [claim("shape", ctx.subject_of("input", 0), shape_x), claim("shape", ctx.subject_of("weight", 1), shape_w)]
    if ctx.site.error is not None:
        if shape_x[-1] == shape_w[1]:
            return []
        return [
            ctx.note(
                SHAPE_ERROR,
                "note.error.linear",
                [*shapes, claim("raised", "call", True)],
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
    claims = [*shapes, claim("shape", "result", tuple(result.shape)), claim("linear", "result", (shape_x, shape_w))]
    if bias is not None and bias.facts is not None:
        bias_text = f" + {_operand_text(ctx, 2, 'bias', 'b')} {format_shape(bias.facts.shape)}"
        claims.append(claim("shape", ctx.subject_of("bias", 2), tuple(bias.facts.shape)))
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
        return [ctx.note(MATMUL_SHAPE, "note.linear.single", claims, **params)]
    return [ctx.note(MATMUL_SHAPE, "note.linear.rows", claims, rows=math.prod(shape_x[:-1]), **params)]


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
        if expected != out:  # e.g. ceil_mode dropping a window that would start in the padding: no formula
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
    groups_value = number(ctx.param("groups", 6))
    groups = int(groups_value) if isinstance(groups_value, int) and groups_value > 0 else 1
    if len(shape_w) != sides + 2 or len(shape_in) not in (sides + 1, sides + 2):
        return []
    have, need = shape_in[-sides - 1], shape_w[1] * groups
    if have == need:
        return []
    claims = [
        claim("shape", ctx.subject_of("input", 0), tuple(shape_in)),
        claim("shape", ctx.subject_of("weight", 1), tuple(shape_w)),
        claim("raised", "call", True),
    ]
    return [
        ctx.note(
            SHAPE_ERROR,
            "note.error.conv",
            claims,
            x=_operand_text(ctx, 0, "input", "x"),
            shape_in=format_shape(shape_in),
            have=have,
            axis=len(shape_in) - sides - 1,
            shape_w=format_shape(shape_w),
            need=need,
        )
    ]


@rule(rank=50, codes=[CONV_SHAPE, SHAPE_ERROR], ops=CONVS | POOLS, on_error=True)
def conv_notes(ctx: CallContext) -> list[Note]:
    """``conv2d`` / ``max_pool2d``: the filters and the output size per side with the real numbers."""
    op = ctx.op
    x = ctx.param("input", 0)
    if ctx.site.error is not None:
        return _conv_error(ctx, x) if op in CONVS else []
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
    shapes = [claim("shape", ctx.subject_of("input", 0), tuple(shape_in)), claim("shape", "result", tuple(shape_out))]
    if op in CONVS:
        weight = ctx.param("weight", 1)
        if weight is None or weight.facts is None or len(weight.facts.shape) != sides + 2:
            return []
        kernel = tuple(weight.facts.shape[2:])
        filters, channels = weight.facts.shape[0], weight.facts.shape[1]
        notes.append(
            ctx.note(
                CONV_SHAPE,
                "note.conv.filters",
                [*shapes, claim("shape", ctx.subject_of("weight", 1), tuple(weight.facts.shape))],
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
                same = [*shapes, claim("same-size", "result", sides)]
                notes.append(ctx.note(CONV_SHAPE, "note.conv.same", same, sizes=format_shape(size_out)))
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
                CONV_SHAPE,
                "note.pool.max" if op.startswith("max") else "note.pool.avg",
                shapes,
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
        weight_shape = tuple(ctx.param("weight", 1).facts.shape) if op in CONVS else None  # type: ignore[union-attr]
        window = (op, tuple(shape_in), weight_shape, kernel, stride, padding, dilation, ceil)
        notes.append(ctx.note(CONV_SHAPE, key, [*shapes, claim("window", "result", window)], sides=formula))
    return notes


@rule(rank=5, codes=[LAYER])
def layer_notes(ctx: CallContext) -> list[Note]:
    """``model[0] Linear(2 → 8), 24 parameters: (16, 2) → (16, 8)``, said once per layer and call site."""
    layer = ctx.site.layer
    result = ctx.result_facts()
    x = ctx.param("input", 0)
    if layer is None or result is None or x is None or x.facts is None:
        return []
    claims = [
        claim("module", f"module:{layer.path}", (layer.kind, layer.parameters)),
        claim("shape", ctx.subject_of("input", 0), tuple(x.facts.shape)),
        claim("shape", "result", tuple(result.shape)),
    ]
    return [
        ctx.note(
            LAYER,
            "note.layer.call",
            claims,
            path=layer.path,
            summary=layer.summary,
            parameters=layer.parameters,
            shape_in=format_shape(x.facts.shape),
            shape_out=format_shape(result.shape),
        )
    ]
