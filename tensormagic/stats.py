"""Exact statistics in bounded memory.

A tensor is walked in cache-sized chunks, and every number is computed over all elements (nothing is
sampled). On the host, a chunk is first probed with ``aminmax``: that one pass over main memory gives its
exact extremes and, since NaN propagates through ``aminmax`` and ±Inf would be an extreme, also proves
the chunk finite; only chunks that hold NaN/Inf pay for masks (in small pieces). A finite chunk is then
still in cache for the passes that follow, all through one reused buffer:

* ``sum`` gives its mean;
* a chunk with both signs (``min < 0 < max``, the usual centred data) has ``x²`` written to the buffer;
  its ``sum`` gives the squared deviations as ``Σx² - (Σx)²/n`` (accepted only when that cannot cancel
  the rounding away), and its ``amin`` says whether any ``x`` is zero; zeros are counted exactly only
  when one exists. A one-signed chunk cannot hide a zero between its extremes;
* otherwise (one-signed or off-centre chunks) ``(x - mean)²`` is written to the buffer in one fused pass
  and summed: the textbook two-pass algorithm.

Sums use torch's cascaded ``sum`` (a BLAS ``dot`` accumulates in float32 and drifts by 1e-4 of the
variance on data with many equal values). Chunk counts, means and squared-deviation sums are combined in
float64 with Chan et al.'s parallel formula, which stays accurate where a one-pass float32 sum of squares
does not; values whose squares would overflow or underflow are scaled by a power of two first. Every
temporary is at most one chunk, so the extra memory is bounded whatever the tensor's size.

On an accelerator, floating-point tensors are walked in two phases (:func:`_walk_device`): extremes and
sums of every chunk, one small table to the host, then squared deviations and zeros of each finite chunk
(masks only where NaN/Inf are), one more small transfer; those two are the only synchronisations.
Other dtypes there run branch-free (masks everywhere) with one transfer at the end (two for integers,
whose exact extremes travel beside it).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

CHUNK_BYTES = 1 << 20
"""Bytes per temporary on the general path (masks, conversions, copies of non-contiguous pieces)."""

FAST_CHUNK_BYTES = 1 << 22
"""Bytes per chunk of a contiguous float32/float64 tensor, which needs one temporary only. Larger
chunks mean fewer calls (each costs microseconds of dispatch); 4 MiB still sits in the shared L3 cache
here, so the passes after the first read cache, not main memory."""

_CENTRED = 4.0
"""Use ``Σx² - (Σx)²/n`` only when ``Σx²`` is at most this multiple of the result: the rounding error of
``Σx²`` (a cascaded float32 sum: about 1e-8 relative) then grows the variance's error at most this many
times."""


@dataclass(frozen=True)
class Stats:
    """Statistics of one tensor or array: exact, over all elements.

    ``of`` says what the numbers describe: ``values``, ``abs`` (complex: the magnitudes),
    ``stored`` (sparse: stored values plus the implicit zeros), ``dequantized``, or ``bool``.
    ``min``/``max``/``mean``/``std`` are over the finite values (``None`` when there are none).
    ``correction`` is the one the object's own library uses by default (torch ``std``: 1, NumPy: 0).
    ``method`` names how they were computed (``chunked`` on the host, ``masked`` on an accelerator).
    """

    of: str
    count: int
    finite: int
    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    nan: int
    posinf: int
    neginf: int
    zeros: int
    true_count: int | None
    correction: int
    chunks: int
    chunk_elements: int
    repeat: int  # >1 when an expanded (stride-0) view was summarised through its distinct elements
    method: str = "chunked"

    @property
    def has_nonfinite(self) -> bool:
        return bool(self.nan or self.posinf or self.neginf)


@dataclass
class _Accumulator:
    """Running totals; ``merge`` applies Chan et al.'s pairwise update.

    ``int_low``/``int_high`` keep integer extremes as Python ints: float64 rounds beyond 2**53.
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
    m2_exp: int = 0  # ``m2`` is in units of 4**m2_exp: float64 data beyond 1e154 would overflow it

    def merge(self, count: int, mean: float, m2: float, low: float, high: float, exp: int = 0) -> None:
        """Add a group's count, mean and squared-deviation sum (``m2`` in units of ``4**exp``)."""
        if count == 0:
            return
        if self.count == 0:
            self.m2_exp = exp
        elif exp != self.m2_exp:  # keep both sums in the larger unit so that neither overflows
            top = max(exp, self.m2_exp)
            self.m2 = math.ldexp(self.m2, 2 * (self.m2_exp - top))
            m2 = math.ldexp(m2, 2 * (exp - top))
            self.m2_exp = top
        total = self.count + count
        delta = math.ldexp(mean, -self.m2_exp) - math.ldexp(self.mean, -self.m2_exp)
        self.mean += (mean - self.mean) * count / total
        self.m2 += m2 + delta * delta * self.count * count / total
        self.count = total
        if low < self.low:
            self.low = low
        if high > self.high:
            self.high = high

    def merge_ints(self, low: int, high: int) -> None:
        self.int_low = low if self.int_low is None else min(self.int_low, low)
        self.int_high = high if self.int_high is None else max(self.int_high, high)


def _work_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype arithmetic runs in: float32 for ≤32-bit floats (exact conversion, fast), else float64."""
    if dtype.is_floating_point and torch.finfo(dtype).bits <= 32:
        return torch.float32
    return torch.float64


def _collapse_expanded(tensor: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Drop stride-0 (broadcast) axes: the distinct elements, and how often each repeats."""
    repeat = 1
    for dim, (size, stride) in enumerate(zip(tensor.shape, tensor.stride(), strict=True)):
        if stride == 0 and size > 1:
            tensor = tensor.narrow(dim, 0, 1)
            repeat *= size
    return tensor, repeat


def _chunks(tensor: torch.Tensor, limit: int) -> Iterator[torch.Tensor]:
    """1-D pieces of at most ``limit`` elements covering ``tensor`` once; copies only what must be."""
    if tensor.dim() == 0:
        yield tensor.reshape(1)
        return
    if tensor.is_contiguous():
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
            yield tensor[start : start + step].reshape(-1)
    else:
        for row in range(rows):
            yield from _chunks(tensor[row], limit)


def _as_values(chunk: torch.Tensor, work: torch.dtype) -> torch.Tensor:
    if chunk.is_quantized:
        chunk = chunk.dequantize()
    if chunk.is_complex():
        chunk = chunk.abs()
    return chunk if chunk.dtype == work else chunk.to(work)


def _safe_range(dtype: torch.dtype) -> tuple[float, float]:
    """Largest magnitudes (lower, upper) whose squares, and sums of a chunk of them, stay normal in ``dtype``.

    Squares of deviations down to 2**-24 of the largest magnitude then stay far above the underflow
    threshold, and a sum of up to 2**24 squares stays below overflow.
    """
    info = torch.finfo(dtype)
    return math.sqrt(info.tiny) * 2.0**30, math.sqrt(info.max) * 2.0**-14


_NUMPY_TWIN: dict[torch.dtype, type[np.floating]] = {torch.float32: np.float32, torch.float64: np.float64}

# ``mse_loss`` with reduction "none" and ``out=``: (x - y)² elementwise into a given buffer.
_squared_difference = getattr(getattr(torch._C, "_nn", None), "mse_loss", None)


def _fused_squared_difference(values: torch.Tensor, shift: float, out: torch.Tensor) -> bool:
    """(x - shift)² into ``out`` in one pass (one fewer than sub + mul); False where torch lacks it."""
    if _squared_difference is None:
        return False
    try:
        _squared_difference(values, torch.tensor(shift, dtype=values.dtype).expand(values.numel()), 0, out=out)
    except (TypeError, RuntimeError):  # a private binding: its signature may change between releases
        return False
    return True


class _HostWalker:
    """Moments, extremes and counts of float chunks on the host, one chunk at a time.

    Per chunk: ``aminmax`` (the one pass over main memory; it also proves the chunk finite, since NaN
    propagates and ±Inf would be an extreme), then, with the chunk in cache, ``sum`` and the sum of
    squares written to one reused buffer and summed by ``sum`` (torch's cascaded sum: a BLAS ``dot``
    accumulates in float32 and drifts by 1e-4 on data with many equal values). A mixed-sign chunk
    sums ``x²`` and tests for zeros with ``amin`` of the same buffer; zeros are counted, exactly, only
    when that finds one. A chunk with NaN/Inf is summarised through masks in small pieces.
    """

    def __init__(self, dtype: torch.dtype, limit: int, mask_limit: int, acc: _Accumulator) -> None:
        self.buffer = torch.empty(limit, dtype=dtype)
        self.small, self.large = _safe_range(dtype)
        self.twin = _NUMPY_TWIN[dtype]
        self.mask_limit = mask_limit
        self.acc = acc

    def add(self, values: torch.Tensor, low: float | None = None, high: float | None = None) -> None:
        """Accumulate a 1-D chunk; ``low``/``high``, when given, are its exact (finite) extremes."""
        if low is None or high is None:
            low_t, high_t = torch.aminmax(values)
            low, high = low_t.item(), high_t.item()
            if not -math.inf < low <= high < math.inf:  # NaN fails every comparison
                self._nonfinite(values)
                return
        count = values.numel()
        scratch = self.buffer[:count]
        scale = max(-low, high)
        in_range = self.small <= scale <= self.large or scale == 0.0
        if in_range:
            total = values.sum().item()
        else:  # a sum of huge values may overflow the dtype: sum scaled values in float64
            total = torch.div(values, scale, out=scratch).sum(dtype=torch.float64).item() * scale
        mean = total / count
        m2: float | None = None
        if low <= 0.0 <= high:
            zero_seen = low == 0.0 or high == 0.0
            if in_range:
                torch.mul(values, values, out=scratch)
                squares = scratch.sum().item()
                centred = squares - total * mean
                # Σx² - (Σx)²/n cannot cancel much on a centred chunk: the squares give the deviations.
                if 0.0 <= squares <= _CENTRED * centred:
                    m2 = centred
                # x² is 0 for x = 0 (and for |x| < 1e-19, which the exact count below sorts out).
                zero_seen = zero_seen or scratch.amin().item() == 0.0
            else:
                zero_seen = True
            if zero_seen:
                torch.sign(values, out=scratch)
                # The signs' squares are 1 or 0 and their partial sums integers below 2**24: exact.
                self.acc.zeros += count - int(torch.dot(scratch, scratch).item())
        exp = 0
        if m2 is None:
            # Out of range, work in a power-of-two unit at least ``scale``: scaling by it is exact.
            exp = 0 if in_range else math.frexp(scale)[1]
            m2 = self._deviations(values, scratch, count, mean, exp)
        self.acc.merge(count, mean, m2, low, high, exp)

    def _nonfinite(self, values: torch.Tensor) -> None:
        """A chunk holding NaN/Inf: count those with masks, in small pieces, and add the finite rest."""
        for piece in values.split(self.mask_limit):
            nan = int(torch.isnan(piece).sum())
            posinf = int((piece == math.inf).sum())
            neginf = int((piece == -math.inf).sum())
            self.acc.nan += nan
            self.acc.posinf += posinf
            self.acc.neginf += neginf
            if nan + posinf + neginf < piece.numel():
                self.add(piece[torch.isfinite(piece)] if nan + posinf + neginf else piece)

    def _deviations(self, values: torch.Tensor, scratch: torch.Tensor, count: int, mean: float, exp: int) -> float:
        """Σ(x - mean)² in units of ``4**exp``, two-pass.

        The mean is rounded to the dtype first so that the subtraction is the only rounding (the rounded
        mean's own offset is corrected exactly); values are divided by ``2**exp`` when their squares
        would overflow or underflow.
        """
        centre = math.ldexp(mean, -exp)
        shift = float(self.twin(centre))
        if exp != 0:
            # Two factors: 2**-exp alone may not fit the dtype (float32 ends at 2**±127).
            half = exp // 2
            torch.mul(values, math.ldexp(1.0, -half), out=scratch).mul_(math.ldexp(1.0, half - exp))
            scratch.sub_(shift).square_()
        elif not _fused_squared_difference(values, shift, scratch):
            torch.sub(values, shift, out=scratch).square_()
        m2 = scratch.sum().item()
        return max(m2 - count * (centre - shift) ** 2, 0.0)


def _masked_summary(values: torch.Tensor) -> torch.Tensor:
    """Counts and moments of one chunk as a device tensor: no host synchronisation, NaN/Inf aware."""
    finite = torch.isfinite(values)
    count = finite.sum()
    safe_count = count.clamp(min=1).to(values.dtype)
    mean = torch.where(finite, values, 0).sum() / safe_count
    deviation = torch.where(finite, values - mean, 0)
    m2 = (deviation * deviation).sum()
    del deviation  # keep at most two chunk-sized temporaries alive
    low = torch.where(finite, values, math.inf).amin()
    high = torch.where(finite, values, -math.inf).amax()
    parts = [
        count.to(torch.float64),
        mean.to(torch.float64),
        m2.to(torch.float64),
        low.to(torch.float64),
        high.to(torch.float64),
        torch.isnan(values).sum().to(torch.float64),
        (values == math.inf).sum().to(torch.float64),
        (values == -math.inf).sum().to(torch.float64),
        (values == 0).sum().to(torch.float64),
    ]
    return torch.stack(parts)


def _merge_summaries(rows: list[list[float]], acc: _Accumulator) -> None:
    for count, mean, m2, low, high, nan, posinf, neginf, zeros in rows:
        acc.merge(int(count), mean, m2, low, high)
        acc.nan += int(nan)
        acc.posinf += int(posinf)
        acc.neginf += int(neginf)
        acc.zeros += int(zeros)


def _integer_extremes(chunk: torch.Tensor) -> torch.Tensor:
    """Exact extremes of an integer chunk as a 2-element int64 tensor on the chunk's device.

    uint64 comes back with its top bit flipped (unsigned order is signed order so flipped);
    :func:`_unflip` undoes that on the host. Types torch cannot reduce (uint16/32) are widened first.
    """
    if chunk.dtype == torch.uint64:
        chunk = torch.bitwise_xor(chunk.view(torch.int64), torch.iinfo(torch.int64).min)
    elif chunk.dtype != torch.int64:
        chunk = chunk.to(torch.int64)
    return torch.stack(torch.aminmax(chunk))


def _unflip(value: int, dtype: torch.dtype) -> int:
    return value + 2**63 if dtype == torch.uint64 else value


#: Chunk size on an accelerator: a non-contiguous chunk's copy plus one chunk-sized temporary (and a quarter
#: for a mask) stay under 5 MiB of device memory, while launches stay few (the earlier walk launched about
#: ten small kernels per 1 MiB chunk: 255 ms at 1e8 elements on an H100, against 19 ms for this one).
DEVICE_CHUNK_BYTES = 1 << 21


def _walk_device(tensor: torch.Tensor, work: torch.dtype, acc: _Accumulator) -> int:
    """Floating-point statistics on an accelerator in two phases and two small transfers.

    Phase one reads every chunk once (``aminmax`` and a float64 ``sum``, no temporaries) and brings the
    per-chunk table to the host. Phase two revisits only what it must: the squared deviations from each
    finite chunk's own mean (the mean rounded to the dtype, its offset corrected exactly) and its zeros;
    chunks holding NaN/Inf go through the masked summary. Nothing else synchronises.
    """
    limit = max(1024, DEVICE_CHUNK_BYTES // torch.empty((), dtype=work).element_size())
    firsts = []
    for chunk in _chunks(tensor, limit):
        values = _as_values(chunk, work)
        low_t, high_t = torch.aminmax(values)
        firsts.append(torch.stack((low_t.double(), high_t.double(), values.sum(dtype=torch.float64))))
    table = torch.stack(firsts).cpu().tolist() if firsts else []
    # In chunk order: (count, mean, shift, low, high) for a finite chunk (2 numbers back), None for a
    # masked one (9 numbers back).
    plan: list[tuple[int, float, float, float, float] | None] = []
    seconds: list[torch.Tensor] = []
    for (low, high, total), chunk in zip(table, _chunks(tensor, limit), strict=True):
        acc.chunks += 1
        values = _as_values(chunk, work)
        count = values.numel()
        if math.isfinite(low) and math.isfinite(high) and math.isfinite(total):
            mean = total / count
            shift = float(torch.tensor(mean, dtype=work))  # the mean as the device will subtract it
            deviations = values - shift
            seconds.append(deviations.square_().sum(dtype=torch.float64).reshape(1))
            del deviations  # one chunk-sized temporary at a time
            seconds.append((values == 0).sum().double().reshape(1))
            plan.append((count, mean, shift, low, high))
        else:  # NaN/Inf inside: masks, in pieces small enough that their temporaries stay bounded
            for piece in values.split(max(1024, CHUNK_BYTES // values.element_size())):
                seconds.append(_masked_summary(piece))
                plan.append(None)
    flat = torch.cat(seconds).cpu().tolist() if seconds else []
    position = 0
    for entry in plan:
        if entry is None:
            _merge_summaries([flat[position : position + 9]], acc)
            position += 9
            continue
        count, mean, shift, low, high = entry
        m2, zeros = flat[position], flat[position + 1]
        position += 2
        acc.merge(count, mean, max(m2 - count * (mean - shift) ** 2, 0.0), low, high)
        acc.zeros += int(zeros)
    return limit


def _walk(tensor: torch.Tensor, acc: _Accumulator) -> int:
    """Accumulate every element of a dense tensor into ``acc``; returns the chunk size used."""
    quantized, complex_ = tensor.is_quantized, tensor.is_complex()
    if complex_:
        work = torch.float64 if tensor.dtype == torch.complex128 else torch.float32
    else:
        work = _work_dtype(torch.float32 if quantized else tensor.dtype)
    item_bytes = torch.empty((), dtype=work).element_size()
    on_host = tensor.device.type == "cpu"
    floating = tensor.dtype.is_floating_point and not quantized
    if floating and not on_host:
        return _walk_device(tensor, work, acc)
    fast = on_host and floating and tensor.dtype == work and tensor.is_contiguous()
    limit = max(1024, (FAST_CHUNK_BYTES if fast else CHUNK_BYTES) // item_bytes)
    mask_limit = max(1024, CHUNK_BYTES // item_bytes)
    walker = _HostWalker(work, min(limit, tensor.numel()), mask_limit, acc) if on_host else None
    pending: list[torch.Tensor] = []
    pending_ints: list[torch.Tensor] = []
    integral = not floating and not complex_ and not quantized
    for chunk in _chunks(tensor, limit):
        acc.chunks += 1
        values = _as_values(chunk, work)
        if walker is None:
            pending.append(_masked_summary(values))
            if integral:  # float64 rounds integers beyond 2**53: keep the exact extremes beside
                pending_ints.append(_integer_extremes(chunk))
        elif integral:
            low, high = (_unflip(v, tensor.dtype) for v in _integer_extremes(chunk).tolist())
            acc.merge_ints(low, high)
            walker.add(values, float(low), float(high))
        else:
            walker.add(values)
    if pending:
        _merge_summaries(torch.stack(pending).cpu().tolist(), acc)
    for low, high in torch.stack(pending_ints).cpu().tolist() if pending_ints else ():
        acc.merge_ints(_unflip(low, tensor.dtype), _unflip(high, tensor.dtype))
    return limit


def _finish(
    acc: _Accumulator,
    of: str,
    total: int,
    correction: int,
    chunk_elements: int,
    repeat: int,
    true_count: int | None = None,
    integral: bool = False,
    method: str = "chunked",
) -> Stats:
    finite = acc.count
    has_values = finite > 0
    variance = acc.m2 / (finite - correction) if finite - correction > 0 else (0.0 if has_values else None)
    if variance is not None:
        variance = max(variance, 0.0)
    low: float | None = acc.low if has_values else None
    high: float | None = acc.high if has_values else None
    if integral and has_values:
        if acc.int_low is not None and acc.int_high is not None:
            low, high = acc.int_low, acc.int_high  # type: ignore[assignment]
        else:
            low, high = int(acc.low), int(acc.high)  # type: ignore[assignment]
    return Stats(
        of=of,
        count=total,
        finite=finite,
        min=low,
        max=high,
        mean=acc.mean if has_values else None,
        std=math.ldexp(math.sqrt(variance), acc.m2_exp) if variance is not None else None,
        nan=acc.nan,
        posinf=acc.posinf,
        neginf=acc.neginf,
        zeros=acc.zeros,
        true_count=true_count,
        correction=correction,
        chunks=acc.chunks,
        chunk_elements=chunk_elements,
        repeat=repeat,
        method=method,
    )


def _scaled(acc: _Accumulator, repeat: int) -> _Accumulator:
    """Totals of a tensor whose every element repeats ``repeat`` times (an expanded view)."""
    if repeat == 1:
        return acc
    return _Accumulator(
        count=acc.count * repeat,
        mean=acc.mean,
        m2=acc.m2 * repeat,
        low=acc.low,
        high=acc.high,
        nan=acc.nan * repeat,
        posinf=acc.posinf * repeat,
        neginf=acc.neginf * repeat,
        zeros=acc.zeros * repeat,
        chunks=acc.chunks,
        int_low=acc.int_low,
        int_high=acc.int_high,
        m2_exp=acc.m2_exp,
    )


def _method(tensor: torch.Tensor) -> str:
    return "chunked" if tensor.device.type == "cpu" else "masked"


def tensor_stats(tensor: torch.Tensor, correction: int = 1) -> Stats:
    """Exact statistics of a tensor with data (not meta, not empty); never touches autograd."""
    with torch.no_grad():
        tensor = tensor.detach()
        if tensor.layout != torch.strided:
            return _sparse_stats(tensor, correction)
        total = tensor.numel()
        tensor, repeat = _collapse_expanded(tensor)
        if tensor.dtype == torch.bool:
            return _bool_stats(tensor, total, repeat, correction)
        of = "abs" if tensor.is_complex() else ("dequantized" if tensor.is_quantized else "values")
        acc = _Accumulator()
        limit = _walk(tensor, acc)
        integral = not tensor.dtype.is_floating_point and of == "values"
        return _finish(
            _scaled(acc, repeat), of, total, correction, limit, repeat, integral=integral, method=_method(tensor)
        )


def _bool_stats(tensor: torch.Tensor, total: int, repeat: int, correction: int) -> Stats:
    limit = CHUNK_BYTES
    true_count = 0
    chunks = 0
    pending = []
    for chunk in _chunks(tensor, limit):
        chunks += 1
        pending.append(torch.count_nonzero(chunk))
    if pending:
        true_count = int(torch.stack(pending).sum().item()) * repeat
    acc = _Accumulator(zeros=total - true_count, chunks=chunks)
    return _finish(acc, "bool", total, correction, limit, repeat, true_count=true_count, method=_method(tensor))


def _sparse_stats(tensor: torch.Tensor, correction: int) -> Stats:
    """Stored values, plus the implicit zeros every unstored position holds."""
    if tensor.layout == torch.sparse_coo:
        stored = (tensor if tensor.is_coalesced() else tensor.coalesce())._values()
    else:
        stored = tensor.values()
    total = tensor.numel()
    implicit = total - stored.numel()
    method = _method(tensor)
    if stored.dtype == torch.bool:
        inner = _bool_stats(stored, stored.numel(), 1, correction)
        true_count = inner.true_count or 0
        acc = _Accumulator(zeros=total - true_count, chunks=inner.chunks)
        return _finish(acc, "stored", total, correction, inner.chunk_elements, 1, true_count=true_count, method=method)
    acc = _Accumulator()
    limit = _walk(stored, acc) if stored.numel() else CHUNK_BYTES
    if implicit:
        acc.merge(implicit, 0.0, 0.0, 0.0, 0.0)
        acc.zeros += implicit
        if acc.int_low is not None:
            acc.merge_ints(0, 0)
    integral = not stored.dtype.is_floating_point and not stored.is_complex()
    return _finish(acc, "stored", total, correction, limit, 1, integral=integral, method=method)


def array_stats(array: np.ndarray) -> Stats | None:
    """Statistics of a numeric ndarray through a zero-copy tensor view (NumPy's ``ddof=0``)."""
    if array.dtype.kind not in "biufc" or array.dtype.byteorder not in "=|" + ("<" if np.little_endian else ">"):
        return None
    # Statistics ignore element order, so flip negatively strided axes: torch views need strides ≥ 0.
    flipped = array
    for axis, stride in enumerate(array.strides):
        if stride < 0:
            flipped = np.flip(flipped, axis)
    if any(stride % array.itemsize for stride in flipped.strides):
        if flipped.nbytes > CHUNK_BYTES:  # misaligned strides torch cannot view, and too big to copy
            return None
        flipped = np.ascontiguousarray(flipped)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # read-only arrays warn; statistics never write
        try:
            tensor = torch.from_numpy(flipped)
        except TypeError:  # a dtype torch lacks (e.g. uint64 on old torch)
            return None
    return tensor_stats(tensor, correction=0)
