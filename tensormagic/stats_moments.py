"""One chunk's statistics, and how chunks combine: the arithmetic behind :mod:`tensormagic.stats`.

Per chunk (floating point, on the host): NumPy's ``minimum.reduce`` (the one pass over main memory: it
streams faster than torch's ``sum`` or ``amin`` here), then ``maximum.reduce`` and torch's ``sum`` from
cache (NaN propagates through both extremes and ±Inf would be one, so they also prove the chunk finite;
NumPy reads a cached chunk in about half the time of torch's ``amin``/``amax`` here); only chunks holding
NaN/Inf pay for masks, in small pieces. A finite chunk is still in cache for the passes that follow,
through one reused buffer per thread:

* a chunk with both signs (``min < 0 < max``, the usual centred data): ``Σx²`` (``x²`` written to the
  buffer, whose minimum also says whether any ``x`` is zero); ``Σx² - (Σx)²/n`` is kept only when it
  cannot cancel much (``Σx²`` at most four times the result);
* otherwise (one-signed or off-centre data): every value minus a shift ``s`` (the float32 sum's mean,
  rounded to the dtype), then ``Σd`` and ``Σd²`` of ``d = x - s``: the mean is ``s + Σd/n``, accurate to
  the spread rather than to the magnitude (a float32 ``Σx`` of values near 1e6 is off by about 0.06,
  more than the spread of ``1e6 + 0.1·randn``), and the squared deviations are ``Σd² - (Σd)²/n``; if the
  shift was far from the mean (that would cancel), the pass is repeated once around the mean just found;
* a constant chunk (``min == max``) needs nothing more: mean is that value, squared deviations 0.

Chunk summaries are combined in chunk order (so the result does not depend on which thread summarised
which chunk) with Chan et al.'s formula, in float64, the means kept as double-doubles.

Sums are torch's cascaded ``sum`` in the work dtype (float32 for ≤32-bit floats, float64 otherwise): a
BLAS ``dot`` or ``vector_norm`` accumulates in float32 lanes and drifts by 1e-5 to 1e-4 on equal
values, and a float64 ``sum`` of float32 data costs about ten times a float32 one; the shift keeps the
float32 sums exact to about 1e-7 of the spread. Values whose squares (or sums) would overflow or
underflow (float64 data near 1e308, float32 data below 1e-10) are scaled by a power of two first, which
is exact, and their squared deviations are kept in units of ``4**exp``. Integers are converted to
float64, exactly up to 2**53; wider ones are first shifted by their midpoint in integer arithmetic, so
that deviations, not magnitudes, are rounded. Zeros are counted exactly (``sign``, ``abs``, ``sum``:
integer partial sums below 2**24) only where one can be: a one-signed chunk cannot hide one between its
extremes. Every temporary is at most one chunk, through one summariser per thread.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

CENTRED = 4.0
"""Use ``Σx² - (Σx)²/n`` (or ``Σd² - (Σd)²/n``) only when the sum of squares is at most this multiple of
the result: the sum's rounding error (a cascaded float32 sum: about 1e-7 relative) then grows the
variance's error at most this many times."""

M2_CEILING = 2.0**900
"""Squared-deviation sums above this move to a larger unit (``4**m2_exp``) before they could overflow."""


@dataclass
class Accumulator:
    """Running totals; ``merge`` applies Chan et al.'s pairwise update.

    ``m2`` is in units of ``4**m2_exp`` (data near 1e308, or a sum over very many elements, would
    overflow float64 otherwise). The mean is kept as an unevaluated sum ``mean + mean_low`` (a
    double-double): Chan's update needs the difference of two means, and on data whose spread is a
    millionth of its magnitude, means rounded to float64 would make that difference, and so the
    variance, wrong in the 13th digit. ``int_low``/``int_high`` keep integer extremes as Python ints:
    float64 rounds beyond 2**53.
    """

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0
    low: float = math.inf
    high: float = -math.inf
    nan: int = 0
    posinf: int = 0
    neginf: int = 0
    zeros: int = 0
    chunks: int = 0
    int_low: int | None = None
    int_high: int | None = None
    m2_exp: int = 0
    mean_low: float = 0.0

    def merge(
        self, count: int, mean: float, m2: float, low: float, high: float, exp: int = 0, mean_low: float = 0.0
    ) -> None:
        """Add a group's count, mean (``mean + mean_low``) and squared deviations (in units of ``4**exp``)."""
        if count == 0:
            return
        if low < self.low:
            self.low = low
        if high > self.high:
            self.high = high
        if self.count == 0:
            self.count, self.m2, self.m2_exp = count, m2, exp
            self.mean, self.mean_low = two_sum(mean, mean_low)
            self._normalise()
            return
        unit = max(exp, self.m2_exp)
        for _ in range(2):
            # The means and their difference in units of 2**unit (exact scalings): a difference of 1e150
            # squared, times the counts, would overflow float64, so the unit grows until it is below 2**400.
            mine_high, mine_low = math.ldexp(self.mean, -unit), math.ldexp(self.mean_low, -unit)
            head, tail = two_sum(math.ldexp(mean, -unit), -mine_high)
            delta = head + (tail + (math.ldexp(mean_low, -unit) - mine_low))
            if abs(delta) <= 2.0**400:
                break
            unit += math.frexp(delta)[1]
        total = self.count + count
        mine = math.ldexp(self.m2, 2 * (self.m2_exp - unit))
        theirs = math.ldexp(m2, 2 * (exp - unit))
        # ``a + (b - a)·w``, not ``a(1 - w) + b·w``: equal means stay exactly equal.
        high_part, low_part = two_sum(mine_high, delta * count / total)
        high_part, low_part = two_sum(high_part, low_part + mine_low)
        self.mean, self.mean_low = math.ldexp(high_part, unit), math.ldexp(low_part, unit)
        self.m2 = mine + theirs + delta * delta * self.count * count / total
        self.m2_exp = unit
        self.count = total
        self._normalise()

    def _normalise(self) -> None:
        while self.m2 > M2_CEILING:
            self.m2 = math.ldexp(self.m2, -128)
            self.m2_exp += 64

    def merge_ints(self, low: int, high: int) -> None:
        self.int_low = low if self.int_low is None else min(self.int_low, low)
        self.int_high = high if self.int_high is None else max(self.int_high, high)

    def absorb(self, other: Accumulator) -> None:
        """Add everything another accumulator (one chunk's, or one worker's) has seen."""
        self.merge(other.count, other.mean, other.m2, other.low, other.high, other.m2_exp, other.mean_low)
        self.nan += other.nan
        self.posinf += other.posinf
        self.neginf += other.neginf
        self.zeros += other.zeros
        self.chunks += other.chunks
        if other.int_low is not None and other.int_high is not None:
            self.merge_ints(other.int_low, other.int_high)


def two_sum(a: float, b: float) -> tuple[float, float]:
    """``a + b`` rounded, and the rounding error: their sum is exactly ``a + b`` (Knuth)."""
    total = a + b
    b_part = total - a
    return total, (a - (total - b_part)) + (b - b_part)


def work_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype arithmetic runs in: float32 for ≤32-bit floats (exact conversion, fast), else float64."""
    if dtype.is_floating_point and torch.finfo(dtype).bits <= 32:
        return torch.float32
    return torch.float64


def blocks(tensor: torch.Tensor, limit: int) -> Iterator[torch.Tensor]:
    """Views of at most ``limit`` elements covering ``tensor`` once, in order; nothing is copied.

    A contiguous tensor is split flat; otherwise (and always for quantized tensors, whose per-channel
    scales forbid a flat view) whole rows are grouped, recursing into rows larger than ``limit``.
    :func:`flat` makes a block 1-D.
    """
    if tensor.dim() == 0:
        yield tensor
        return
    if tensor.is_contiguous() and not tensor.is_quantized:
        # ``split`` makes every view in one call: cheaper than slicing in a Python loop.
        yield from tensor.view(-1).split(limit)
        return
    rows = tensor.shape[0]
    per_row = tensor[0].numel() if rows else 0
    if per_row == 0:
        return
    if per_row <= limit:
        step = max(1, limit // per_row)
        for start in range(0, rows, step):
            yield tensor[start : start + step]
    else:
        for row in range(rows):
            yield from blocks(tensor[row], limit)


def flat(block: torch.Tensor) -> torch.Tensor:
    """A block as a 1-D tensor (a copy only where its strides need one; quantized: dequantized)."""
    if block.is_quantized:
        block = block.dequantize()
    return block if block.dim() == 1 else block.reshape(-1)


def chunks(tensor: torch.Tensor, limit: int) -> Iterator[torch.Tensor]:
    """1-D pieces of at most ``limit`` elements covering ``tensor`` once; copies only what must be."""
    for block in blocks(tensor, limit):
        yield flat(block)


def as_values(chunk: torch.Tensor, work: torch.dtype) -> torch.Tensor:
    if chunk.is_quantized:
        chunk = chunk.dequantize()
    if chunk.is_complex():
        chunk = chunk.abs()
    return chunk if chunk.dtype == work else chunk.to(work)


def safe_range(dtype: torch.dtype) -> tuple[float, float]:
    """Largest magnitudes (lower, upper) whose squares, and sums of a chunk of them, stay normal in ``dtype``.

    Squares of deviations down to 2**-24 of the largest magnitude then stay far above the underflow
    threshold, and a sum of up to 2**24 squares stays below overflow.
    """
    info = torch.finfo(dtype)
    return math.sqrt(info.tiny) * 2.0**30, math.sqrt(info.max) * 2.0**-14


NUMPY_TWIN: dict[torch.dtype, type[np.floating]] = {torch.float32: np.float32, torch.float64: np.float64}



class HostSummariser:
    """Summaries of 1-D chunks on the host, through one reused buffer (one per worker)."""

    def __init__(self, work: torch.dtype, limit: int, mask_limit: int) -> None:
        self.work = work
        self.buffer = torch.empty(limit, dtype=work)
        self.small, self.large = safe_range(work)
        self.twin = NUMPY_TWIN[work]
        self.mask_limit = mask_limit
        self.buffer_array = self.buffer.numpy()

    def squares(self, count: int) -> np.ndarray:
        """The first ``count`` elements of the buffer, as NumPy sees them (the same memory)."""
        return self.buffer_array if count == len(self.buffer_array) else self.buffer_array[:count]

    def chunk(self, chunk: torch.Tensor) -> Accumulator:
        """A float, complex or quantized chunk, as values of the work dtype."""
        acc = Accumulator(chunks=1)
        self.add(as_values(chunk, self.work), acc)
        return acc

    def integer_chunk(self, chunk: torch.Tensor) -> Accumulator:
        """An integer chunk: exact extremes; deviations rounded, never magnitudes."""
        acc = Accumulator(chunks=1)
        low, high = (unflip(v, chunk.dtype) for v in integer_extremes(chunk).tolist())
        acc.merge_ints(low, high)
        limit = 2**53
        if -limit <= low and high <= limit or high - low > 2**62:
            # Exact in float64, or so spread out that rounding to 2**-53 of the largest is rounding
            # to far less than the spread.
            self.add(chunk.to(torch.float64), acc, float(low), float(high))
            return acc
        # Shift by the midpoint in integer arithmetic: the differences fit int64 (the range is below
        # 2**62) and only they are rounded to float64. uint64 is handled in its signed (flipped) order.
        middle = (low + high) // 2
        signed = chunk
        if chunk.dtype == torch.uint64:
            signed = torch.bitwise_xor(chunk.view(torch.int64), torch.iinfo(torch.int64).min)
            offset = middle - 2**63
        else:
            signed = chunk.to(torch.int64)
            offset = middle
        deviations = torch.sub(signed, offset).to(torch.float64)
        inner = Accumulator()
        self.add(deviations, inner, float(low - middle), float(high - middle), count_zeros=False)
        # The mean is ``middle + inner mean``: float(middle) plus what it rounded away, as a double-double.
        rounded = float(middle)
        rest = float(middle - int(rounded)) + inner.mean + inner.mean_low
        acc.merge(inner.count, rounded, inner.m2, float(low), float(high), inner.m2_exp, rest)
        if low <= 0 <= high:
            acc.zeros += chunk.numel() - int(torch.count_nonzero(chunk))
        return acc

    def add(
        self,
        values: torch.Tensor,
        acc: Accumulator,
        low: float | None = None,
        high: float | None = None,
        count_zeros: bool = True,
    ) -> None:
        """Accumulate a 1-D chunk; ``low``/``high``, when given, are its exact (finite) extremes."""
        count = values.numel()
        if count == 0:
            return
        if low is None or high is None:
            # NumPy's min (NaN propagates) is the one pass over main memory: it streams faster than torch's
            # ``sum`` or ``amin`` here, and the passes after it read the chunk from cache. A negative view
            # (``z.conj().imag``) holds its values negated: NumPy would read the memory, so it is resolved (a copy).
            array = values.resolve_neg().numpy()
            low, high = float(np.minimum.reduce(array)), float(np.maximum.reduce(array))
            if not -math.inf < low <= high < math.inf:  # NaN fails every comparison
                self._nonfinite(values, acc, count_zeros)
                return
        total = values.sum().item()
        scale = max(-low, high)
        in_range = self.small <= scale <= self.large or scale == 0.0
        # Out of range, work in a power-of-two unit at least ``scale``: scaling by it is exact.
        exp = 0 if in_range else math.frexp(scale)[1]
        if low == high:  # constant: nothing to compute, and nothing to round
            acc.merge(count, low, 0.0, low, high, exp)
            if count_zeros and low == 0.0:
                acc.zeros += count
            return
        scratch = self.buffer if count == self.buffer.numel() else self.buffer[:count]
        zero_seen = low == 0.0 or high == 0.0
        result: tuple[float, float, float] | None = None  # mean as shift + offset, and squared deviations
        if low < 0.0 < high:
            if not in_range:
                total = self._scaled(values, exp, scratch).sum().item()
                scratch.square_()
            else:
                torch.mul(values, values, out=scratch)
            squares = scratch.sum().item()
            # x² is 0 for x = 0 (and for |x| < 1e-19, which the exact count sorts out); scaled values
            # may have lost tiny ones, so there the count is always made.
            zero_seen = zero_seen or not in_range or float(np.minimum.reduce(self.squares(count))) == 0.0
            mean = total / count
            centred = squares - total * mean
            # Σx² - (Σx)²/n cannot cancel much on a centred chunk: the squares give the deviations.
            if 0.0 <= squares <= CENTRED * centred:
                result = mean, 0.0, centred
            shift = mean
        elif in_range or math.isfinite(total):
            # The float32 sum's mean is off by about 1e-7 of the magnitude: close enough to shift by.
            shift = math.ldexp(total / count, -exp)
        else:  # a sum of huge values overflowed: any value in between will do
            shift = math.ldexp(low, -exp) / 2 + math.ldexp(high, -exp) / 2
        if result is None:
            result = self._shifted(values, exp, scratch, shift, math.ldexp(low, -exp), math.ldexp(high, -exp))
        shift, offset, m2 = result
        acc.merge(count, math.ldexp(shift, exp), m2, low, high, exp, math.ldexp(offset, exp))
        if count_zeros and zero_seen:
            torch.sign(values, out=scratch).abs_()
            # 0 or 1 each, and partial sums are integers below 2**24: the sum is exact.
            acc.zeros += count - int(scratch.sum().item())

    def _scaled(self, values: torch.Tensor, exp: int, scratch: torch.Tensor) -> torch.Tensor:
        """``values / 2**exp`` into ``scratch``; two factors: 2**-exp alone may not fit the dtype."""
        half = exp // 2
        return torch.mul(values, math.ldexp(1.0, -half), out=scratch).mul_(math.ldexp(1.0, half - exp))

    def _shifted(
        self, values: torch.Tensor, exp: int, scratch: torch.Tensor, shift: float, low: float, high: float
    ) -> tuple[float, float, float]:
        """(shift, mean - shift, squared deviations) through ``d = x - shift``, in units of ``2**exp``.

        The shift is a value of the dtype within the chunk's extremes, so ``x - shift`` rounds only once,
        relative to the deviation, and the mean is exactly ``shift + Σd/n`` up to the rounding of that
        small quotient. If the shift was far from the mean (``Σd² - (Σd)²/n`` would cancel), the pass runs
        again around the mean it found.
        """
        count = values.numel()
        offset = m2 = 0.0
        for attempt in range(2):
            shift = float(self.twin(min(max(shift, low), high)))
            if exp:
                self._scaled(values, exp, scratch).sub_(shift)
            else:
                torch.sub(values, shift, out=scratch)
            total = scratch.sum().item()
            squares = scratch.square_().sum().item()
            offset = total / count
            m2 = max(squares - total * offset, 0.0)
            if attempt or squares <= CENTRED * m2:
                break
            shift += offset
        return shift, offset, m2

    def _nonfinite(self, values: torch.Tensor, acc: Accumulator, count_zeros: bool) -> None:
        """A chunk holding NaN/Inf: count those with masks, in small pieces, and add the finite rest."""
        for piece in values.split(self.mask_limit):
            nan = int(torch.isnan(piece).sum())
            posinf = int((piece == math.inf).sum())
            neginf = int((piece == -math.inf).sum())
            acc.nan += nan
            acc.posinf += posinf
            acc.neginf += neginf
            if nan + posinf + neginf < piece.numel():
                finite = piece[torch.isfinite(piece)] if nan + posinf + neginf else piece
                self.add(finite, acc, count_zeros=count_zeros)


def merge_in_order(summaries: Iterable[Accumulator], acc: Accumulator) -> None:
    for summary in summaries:
        acc.absorb(summary)


def integer_extremes(chunk: torch.Tensor) -> torch.Tensor:
    """Exact extremes of an integer chunk as a 2-element int64 tensor on the chunk's device.

    uint64 comes back with its top bit flipped (unsigned order is signed order so flipped);
    :func:`unflip` undoes that on the host. Types torch cannot reduce (uint16/32) are widened first.
    """
    if chunk.dtype == torch.uint64:
        chunk = torch.bitwise_xor(chunk.view(torch.int64), torch.iinfo(torch.int64).min)
    elif chunk.dtype != torch.int64:
        chunk = chunk.to(torch.int64)
    return torch.stack(torch.aminmax(chunk))


def unflip(value: int, dtype: torch.dtype) -> int:
    return value + 2**63 if dtype == torch.uint64 else value
