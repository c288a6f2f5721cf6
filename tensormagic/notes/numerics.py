"""Numbers that went wrong without an error: NaN and ±Inf from finite inputs, integers that wrapped around, and a
``squeeze`` that removed nothing."""

from __future__ import annotations

from ..explanation import Note
from ..ops import is_inplace
from ..record.values import NON_FINITE_OPS, WRAPPING_OPS, ValueFacts
from ..render.common import format_shape
from .context import CallContext, claim, dtype_label, number
from .registry import note_code, rule

NON_FINITE = note_code(
    "non-finite",
    "results that are NaN or ±Inf from finite inputs, integers that wrapped around, a squeeze that did nothing",
    "有限输入得到了 NaN 或 ±Inf、整数发生了回绕、squeeze 没有起作用",
)

_REASONS = {
    "log": "note.nonfinite.why_log",
    "log2": "note.nonfinite.why_log",
    "log10": "note.nonfinite.why_log",
    "log1p": "note.nonfinite.why_log",
    "sqrt": "note.nonfinite.why_sqrt",
    "rsqrt": "note.nonfinite.why_sqrt",
    "exp": "note.nonfinite.why_exp",
    "exp2": "note.nonfinite.why_exp",
    "expm1": "note.nonfinite.why_exp",
    "div": "note.nonfinite.why_div",
    "true_divide": "note.nonfinite.why_div",
    "divide": "note.nonfinite.why_div",
    "reciprocal": "note.nonfinite.why_div",
}


@rule(rank=145, codes=[NON_FINITE], ops={n.strip("_").removeprefix("r") for n in NON_FINITE_OPS} | set(_REASONS))
def non_finite_notes(ctx: CallContext) -> list[Note]:
    facts = ctx.site.value_facts
    if not isinstance(facts, ValueFacts) or not facts.inputs_finite or facts.first_index is None:
        return []
    count = facts.nan + facts.posinf + facts.neginf
    claims = [
        claim("non-finite", "result", (facts.nan, facts.posinf, facts.neginf)),
        claim("finite", "inputs", True),
    ]
    notes = [
        ctx.note(
            NON_FINITE,
            "note.nonfinite.count",
            claims,
            count=count,
            nan=facts.nan,
            inf=facts.posinf + facts.neginf,
            index=str(facts.first_index),
            op=ctx.op,
        )
    ]
    reason = _REASONS.get(ctx.op)
    if reason is not None:
        notes.append(ctx.note(NON_FINITE, reason, claims))
    return notes


@rule(
    rank=145,
    codes=[NON_FINITE],
    ops={n.strip("_").removeprefix("r").removeprefix("i").rstrip("_") for n in WRAPPING_OPS},
)
def wrap_notes(ctx: CallContext) -> list[Note]:
    facts = ctx.site.value_facts
    result = ctx.result_facts()
    if (
        not isinstance(facts, ValueFacts)
        or not facts.wrapped
        or facts.wrap_example is None
        or result is None
        or is_inplace(ctx.name)
    ):
        return []
    a, b, got = facts.wrap_example
    claims = [claim("wrapped", "result", facts.wrapped), claim("dtype", "result", result.dtype)]
    return [
        ctx.note(
            NON_FINITE,
            "note.nonfinite.wrapped",
            claims,
            count=facts.wrapped,
            dtype=dtype_label(result.dtype),
            a=a,
            b=b,
            symbol=ctx.binary_symbol or {"add": "+", "sub": "-", "mul": "*"}.get(ctx.op, ctx.op),
            got=got,
        )
    ]


@rule(rank=145, codes=[NON_FINITE], ops={"squeeze"})
def squeeze_notes(ctx: CallContext) -> list[Note]:
    source = ctx.param("self", 0) or ctx.param("input", 0)
    dim = number(ctx.param("dim", 1))
    result = ctx.result_facts()
    if source is None or source.facts is None or dim is None or result is None or not source.facts.shape:
        return []
    shape = tuple(source.facts.shape)
    axis = int(dim) % len(shape)
    if shape[axis] == 1:
        return []
    claims = [claim("shape", "result", shape), claim("shape", "arg0", shape)]
    return [
        ctx.note(
            NON_FINITE,
            "note.nonfinite.squeeze",
            claims,
            dim=int(dim),
            size=shape[axis],
            shape=format_shape(shape),
        )
    ]
