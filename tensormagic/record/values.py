"""The few facts about values a note needs: non-finite results, integer wrap-around, probabilities' sums.

Read at the first call of a site only, on the CPU only (on an accelerator reading would synchronise) and for
tensors of at most :data:`LIMIT` elements; otherwise nothing is read and the notes stay general.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

LIMIT = 1_000_000

#: Ops that can turn finite inputs into NaN or ±Inf.
NON_FINITE_OPS = frozenset(
    {
        "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "div", "true_divide", "divide", "exp", "exp2", "expm1",
        "pow", "reciprocal", "acos", "asin", "atanh", "acosh", "__truediv__", "__rtruediv__", "__pow__", "__rpow__",
        "mul", "__mul__", "__rmul__", "sinh", "cosh", "tan", "lgamma", "digamma", "logit",
    }
)  # fmt: skip
#: Integer ops that can wrap around (not the in-place ones: their input is overwritten before it could be compared).
WRAPPING_OPS = frozenset({"add", "sub", "mul", "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__"})
SOFTMAX_OPS = frozenset({"softmax", "log_softmax"})


@dataclass
class ValueFacts:
    """What the values of one call's result say (None: not read)."""

    nan: int = 0
    posinf: int = 0
    neginf: int = 0
    first_index: tuple[int, ...] | None = None  # where the first non-finite result is
    inputs_finite: bool = True
    wrapped: int = 0  # integer results that wrapped around
    wrap_example: tuple[Any, Any, Any] | None = None  # (a, b, result) of the first wrapped element
    sums: tuple[float, float] | None = None  # softmax: smallest and largest sum along dim
    probability_rows: bool = False  # cross_entropy: its input's rows are already probabilities (sum to 1, >= 0)


def _small_cpu(t: Any) -> bool:
    return (
        isinstance(t, torch.Tensor)
        and type(t) in (torch.Tensor, torch.nn.Parameter)
        and t.device.type == "cpu"
        and t.layout == torch.strided
        and not t.is_quantized
        and t.numel() <= LIMIT
    )


def value_facts(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> ValueFacts | None:
    """The value facts of a call named ``name`` (its short name), or None when none are needed or readable."""
    if name == "cross_entropy":
        logits = args[0] if args else kwargs.get("input")
        return ValueFacts(probability_rows=_probability_rows(logits)) if _probability_rows(logits) else None
    if not _small_cpu(result) or not result.numel():
        return None
    with torch.no_grad():
        if name in NON_FINITE_OPS and (result.dtype.is_floating_point or result.dtype.is_complex):
            return _non_finite(args, result)
        if name in WRAPPING_OPS and not result.dtype.is_floating_point and result.dtype != torch.bool:
            return _wrapped(name, args, result)
        if name in SOFTMAX_OPS and result.dtype.is_floating_point:
            dim = kwargs.get("dim", args[1] if len(args) > 1 else None)
            if isinstance(dim, int):
                values = result.detach().exp() if name == "log_softmax" else result.detach()
                sums = values.double().sum(dim=dim)
                return ValueFacts(sums=(float(sums.min()), float(sums.max())))
    return None


def _probability_rows(logits: Any) -> bool:
    """Whether a (N, C) input to cross_entropy already holds probabilities: rows of non-negatives summing to 1."""
    if not _small_cpu(logits) or logits.dim() != 2 or not logits.dtype.is_floating_point or not logits.numel():
        return False
    with torch.no_grad():
        values = logits.detach().double()
        return bool((values >= 0).all()) and bool(((values.sum(dim=1) - 1).abs() < 1e-4).all())


def _non_finite(args: tuple[Any, ...], result: torch.Tensor) -> ValueFacts | None:
    values = result.detach()
    bad = ~torch.isfinite(values)
    if not bool(bad.any()):
        return None
    facts = ValueFacts()
    facts.inputs_finite = all(
        bool(torch.isfinite(a.detach()).all()) for a in args if _small_cpu(a) and a.dtype.is_floating_point
    )
    facts.nan = int(torch.isnan(values).sum())
    facts.posinf = int((values == float("inf")).sum())
    facts.neginf = int((values == float("-inf")).sum())
    first = torch.nonzero(bad.reshape(values.shape) if values.dim() else bad.reshape(1))[0]
    facts.first_index = tuple(int(i) for i in first) if values.dim() else ()
    return facts


_EXACT: dict[str, Callable[[Any, Any], torch.Tensor]] = {
    "add": lambda a, b: torch.add(a, b),
    "sub": lambda a, b: torch.sub(a, b),
    "mul": lambda a, b: torch.mul(a, b),
}


def _wrapped(name: str, args: tuple[Any, ...], result: torch.Tensor) -> ValueFacts | None:
    """Integer results that differ from the exact (Python-integer-wide) answer: they wrapped around."""
    operands = [a for a in args[:2] if isinstance(a, torch.Tensor | int) and not isinstance(a, bool)]
    if len(operands) != 2 or not all(_small_cpu(a) or isinstance(a, int) for a in operands):
        return None
    wide = [a.detach().to(torch.int64) if isinstance(a, torch.Tensor) else a for a in operands]
    core = name.strip("_").removeprefix("r").removeprefix("i").rstrip("_")
    if name.startswith("__r"):
        wide.reverse()
    if core not in _EXACT:
        return None
    try:
        expected = _EXACT[core](wide[0], wide[1])
    except RuntimeError:
        return None
    if expected.shape != result.shape:
        return None
    differs = expected != result.detach().to(torch.int64)
    count = int(differs.sum())
    if not count:
        return None
    index = tuple(int(i) for i in torch.nonzero(differs)[0]) if differs.dim() else ()
    pick = [w[index] if isinstance(w, torch.Tensor) and w.dim() else w for w in wide]
    example = tuple(int(v) for v in (*pick, result.detach()[index] if result.dim() else result.detach()))
    return ValueFacts(wrapped=count, wrap_example=example)  # type: ignore[arg-type]
