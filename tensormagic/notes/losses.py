"""Probabilities and losses: ``softmax`` along ``dim``, ``cross_entropy``'s logits and class indices, ``mse_loss``."""

from __future__ import annotations

from ..explanation import Note
from ..record.values import ValueFacts
from ..render.common import format_number, format_shape
from .context import CallContext, claim, dtype_label, is_int, number
from .elementwise import aligned
from .registry import note_code, rule

PROBABILITIES = note_code(
    "probabilities",
    "softmax / log_softmax along dim: each slice becomes probabilities that sum to 1",
    "沿 dim 做 softmax / log_softmax：每个切片变成和为 1 的概率",
)
LOSS = note_code(
    "loss",
    "a loss function: what it expects (shapes, dtypes), what it returns, and the usual mistakes",
    "损失函数：它期望的输入（形状、元素类型）、返回值，以及常见错误",
)

_SOFTMAXES = frozenset({"softmax", "log_softmax"})


@rule(rank=86, codes=[PROBABILITIES], ops=_SOFTMAXES)
def probability_notes(ctx: CallContext) -> list[Note]:
    result = ctx.result_facts()
    dim_value = number(ctx.param("dim", 1))
    if result is None or dim_value is None or not result.shape:
        return []
    dim = int(dim_value) % len(result.shape)
    claims = [claim("shape", "result", tuple(result.shape)), claim("softmax-dim", "result", (ctx.op, dim))]
    facts = ctx.site.value_facts
    key = "note.softmax.log" if ctx.op == "log_softmax" else "note.softmax.probabilities"
    params: dict[str, object] = {"op": ctx.op, "dim": dim, "shape": format_shape(result.shape)}
    if isinstance(facts, ValueFacts) and facts.sums is not None:
        low, high = (format_number(value, 6) for value in facts.sums)
        params["sums"] = low if low == high else f"{low} … {high}"
        key += "_sums"
    return [ctx.note(PROBABILITIES, key, claims, **params)]


@rule(rank=87, codes=[LOSS], ops={"cross_entropy"})
def cross_entropy_notes(ctx: CallContext) -> list[Note]:
    logits, target = ctx.param("input", 0), ctx.param("target", 1)
    result = ctx.result_facts()
    if logits is None or logits.facts is None or target is None or target.facts is None or result is None:
        return []
    shape_x, shape_t = tuple(logits.facts.shape), tuple(target.facts.shape)
    x, t = ctx.subject_of("input", 0), ctx.subject_of("target", 1)
    shapes = [claim("shape", x, shape_x), claim("shape", t, shape_t), claim("shape", "result", tuple(result.shape))]
    notes: list[Note] = []
    reduction = ctx.param("reduction", 4)
    mean = reduction is None or reduction.value == "mean"
    if is_int(target.facts.dtype) and len(shape_x) == 2 and shape_t == shape_x[:1] and mean:
        claims = [*shapes, claim("dtype", t, target.facts.dtype)]
        notes.append(
            ctx.note(
                LOSS,
                "note.loss.cross_entropy",
                claims,
                x=ctx.text(0, "input"),
                shape_x=format_shape(shape_x),
                t=ctx.text(1, "target"),
                shape_t=format_shape(shape_t),
                n=shape_x[0],
                classes=shape_x[1],
            )
        )
    elif not is_int(target.facts.dtype) and shape_t == shape_x:
        claims = [*shapes, claim("dtype", t, target.facts.dtype)]
        notes.append(ctx.note(LOSS, "note.loss.cross_entropy_soft", claims, t=ctx.text(1, "target")))
    facts = ctx.site.value_facts
    if isinstance(facts, ValueFacts) and facts.probability_rows:
        claims = [claim("rows-sum-to-one", x, 1)]
        notes.append(ctx.note(LOSS, "note.loss.softmax_twice", claims, x=ctx.text(0, "input")))
    return notes


@rule(rank=87, codes=[LOSS], ops={"cross_entropy", "nll_loss"}, on_error=True)
def cross_entropy_error_notes(ctx: CallContext) -> list[Note]:
    error = ctx.site.error
    target = ctx.param("target", 1)
    if error is None or target is None or target.facts is None:
        return []
    raised = claim("raised", "call", True)
    if "expected target dtype" in error.message or "expected scalar type Long" in error.message:
        claims = [raised, claim("dtype", ctx.subject_of("target", 1), target.facts.dtype)]
        return [
            ctx.note(
                LOSS,
                "note.loss.target_dtype",
                claims,
                t=ctx.text(1, "target"),
                dtype=dtype_label(target.facts.dtype),
            )
        ]
    if "out of bounds" in error.message:
        logits = ctx.param("input", 0)
        classes = (
            logits.facts.shape[1]
            if logits is not None and logits.facts is not None and len(logits.facts.shape) > 1
            else None
        )
        if classes is not None:
            return [ctx.note(LOSS, "note.loss.target_range", [raised], t=ctx.text(1, "target"), classes=classes)]
    return []


@rule(rank=87, codes=[LOSS], ops={"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"})
def regression_loss_notes(ctx: CallContext) -> list[Note]:
    prediction, target = ctx.param("input", 0), ctx.param("target", 1)
    result = ctx.result_facts()
    if prediction is None or prediction.facts is None or target is None or target.facts is None or result is None:
        return []
    a, b = tuple(prediction.facts.shape), tuple(target.facts.shape)
    if a == b:
        return []
    pa, pb = aligned(a, b)
    if any(x != y and x != 1 and y != 1 for x, y in zip(pa, pb, strict=True)):
        return []
    broadcast = tuple(max(x, y) for x, y in zip(pa, pb, strict=True))
    claims = [
        claim("shape", ctx.subject_of("input", 0), a),
        claim("shape", ctx.subject_of("target", 1), b),
        claim("broadcast-to", "operands", (a, b, broadcast)),
    ]
    return [
        ctx.note(
            LOSS,
            "note.loss.broadcast",
            claims,
            op=ctx.op,
            a=format_shape(a),
            b=format_shape(b),
            shape=format_shape(broadcast),
            t=ctx.text(1, "target"),
        )
    ]
