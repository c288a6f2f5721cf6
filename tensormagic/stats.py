"""Exact statistics in bounded memory.

A tensor is walked in cache-sized chunks. A chunk whose ``aminmax`` is finite has no NaN or Inf, so
it takes the fast path (``aminmax``, ``sum``, then the squared deviations from the chunk mean written
into one reused buffer and summed with ``dot``); only chunks that contain NaN/Inf pay for masks. Chunk
means and squared-deviation sums are combined with Chan et al.'s parallel formula, which stays
accurate where a one-pass sum of squares does not. Every temporary is at most ``CHUNK_BYTES``, and at
most three are alive at once, so the extra memory is bounded whatever the tensor's size.

On an accelerator the same walk runs branch-free (masks everywhere) and keeps every partial result on
the device; one transfer of a small table at the end is the only synchronisation.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

CHUNK_BYTES = 1 << 20  # per temporary: fits the L2 cache of one core here, so later passes hit cache


@dataclass(frozen=True)
class Stats:
    """Statistics of one tensor or array: exact, over all elements.

    ``of`` says what the numbers describe: ``values``, ``abs`` (complex: the magnitudes),
    ``stored`` (sparse: stored values plus the implicit zeros), ``dequantized``, or ``bool``.
    ``min``/``max``/``mean``/``std`` are over the finite values (``None`` when there are none).
    ``correction`` is the one the object's own library uses by default (torch ``std``: 1, NumPy: 0).
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

    @property
    def has_nonfinite(self) -> bool:
        return bool(self.nan or self.posinf or self.neginf)


@dataclass
class _Accumulator:
    """Running totals; ``merge`` applies Chan et al.'s pairwise update."""

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

    def merge(self, count: int, mean: float, m2: float, low: float, high: float) -> None:
        if count == 0:
            return
        total = self.count + count
        delta = mean - self.mean
        self.mean += delta * count / total
        self.m2 += m2 + delta * delta * self.count * count / total
        self.count = total
        self.low = min(self.low, low)
        self.high = max(self.high, high)


def _work_dtype(dtype: torch.dtype) -> torch.dtype:
    """The dtype arithmetic runs in: float32 for ≤32-bit floats (cheap, enough for a summary)."""
    if dtype in (torch.float32, torch.float16, torch.bfloat16) or (
        dtype.is_floating_point and torch.finfo(dtype).bits <= 16
    ):
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
        flat = tensor.view(-1)
        for start in range(0, flat.numel(), limit):
            yield flat[start : start + limit]
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


def _clean_chunk(values: torch.Tensor, low: float, high: float, buffer: torch.Tensor, acc: _Accumulator) -> None:
    """A chunk with no NaN/Inf: sum, then squared deviations through the reused buffer."""
    count = values.numel()
    mean = values.sum().item() / count
    scratch = buffer[:count]
    torch.sub(values, mean, out=scratch)
    m2 = torch.dot(scratch, scratch).item()
    acc.merge(count, mean, m2, low, high)
    if low <= 0.0 <= high:
        acc.zeros += count - int(torch.count_nonzero(values))


def _masked_summary(values: torch.Tensor) -> torch.Tensor:
    """Counts and moments of one chunk as a device tensor: no host synchronisation, NaN/Inf aware."""
    finite = torch.isfinite(values)
    count = finite.sum()
    safe_count = count.clamp(min=1).to(values.dtype)
    kept = torch.where(finite, values, 0)
    mean = kept.sum() / safe_count
    deviation = torch.where(finite, values - mean, 0)
    m2 = (deviation * deviation).sum()
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


def _walk(tensor: torch.Tensor, of: str, acc: _Accumulator) -> int:
    """Accumulate every element of a dense tensor into ``acc``; returns the chunk size used."""
    work = _work_dtype(tensor.dtype if not tensor.is_quantized else torch.float32)
    if tensor.is_complex():
        work = torch.float64 if tensor.dtype == torch.complex128 else torch.float32
    limit = max(1024, CHUNK_BYTES // torch.empty((), dtype=work).element_size())
    on_host = tensor.device.type == "cpu"
    buffer = torch.empty(min(limit, tensor.numel()), dtype=work) if on_host else None
    pending: list[torch.Tensor] = []
    exact_ints = not tensor.dtype.is_floating_point and not tensor.is_complex() and not tensor.is_quantized
    for chunk in _chunks(tensor, limit):
        acc.chunks += 1
        values = _as_values(chunk, work)
        if not on_host:
            pending.append(_masked_summary(values))
            continue
        low_t, high_t = torch.aminmax(chunk if exact_ints else values)
        low, high = low_t.item(), high_t.item()
        if math.isfinite(low) and math.isfinite(high):
            assert buffer is not None
            _clean_chunk(values, float(low), float(high), buffer, acc)
            if exact_ints:  # float64 may round integers beyond 2**53; keep the exact extremes
                acc.low, acc.high = min(acc.low, low), max(acc.high, high)
        else:
            _merge_summaries([_masked_summary(values).tolist()], acc)
    if pending:
        _merge_summaries(torch.stack(pending).cpu().tolist(), acc)
    return limit


def _finish(
    acc: _Accumulator, of: str, total: int, correction: int, chunk_elements: int, repeat: int,
    true_count: int | None = None, integral: bool = False,
) -> Stats:
    finite = acc.count
    has_values = finite > 0
    variance = acc.m2 / (finite - correction) if finite - correction > 0 else (0.0 if has_values else None)
    low: float | None = acc.low if has_values else None
    high: float | None = acc.high if has_values else None
    if integral and has_values:
        low, high = int(acc.low), int(acc.high)  # type: ignore[assignment]
    return Stats(
        of=of,
        count=total,
        finite=finite,
        min=low,
        max=high,
        mean=acc.mean if has_values else None,
        std=math.sqrt(max(variance, 0.0)) if variance is not None else None,
        nan=acc.nan,
        posinf=acc.posinf,
        neginf=acc.neginf,
        zeros=acc.zeros,
        true_count=true_count,
        correction=correction,
        chunks=acc.chunks,
        chunk_elements=chunk_elements,
        repeat=repeat,
    )


def _scaled(acc: _Accumulator, repeat: int) -> _Accumulator:
    """Totals of a tensor whose every element repeats ``repeat`` times (an expanded view)."""
    if repeat == 1:
        return acc
    return _Accumulator(
        count=acc.count * repeat, mean=acc.mean, m2=acc.m2 * repeat, low=acc.low, high=acc.high,
        nan=acc.nan * repeat, posinf=acc.posinf * repeat, neginf=acc.neginf * repeat,
        zeros=acc.zeros * repeat, chunks=acc.chunks,
    )


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
        limit = _walk(tensor, of, acc)
        integral = not tensor.dtype.is_floating_point and of == "values"
        return _finish(_scaled(acc, repeat), of, total, correction, limit, repeat, integral=integral)


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
    return _finish(acc, "bool", total, correction, limit, repeat, true_count=true_count)


def _sparse_stats(tensor: torch.Tensor, correction: int) -> Stats:
    """Stored values, plus the implicit zeros every unstored position holds."""
    if tensor.layout == torch.sparse_coo:
        stored = (tensor if tensor.is_coalesced() else tensor.coalesce())._values()
    else:
        stored = tensor.values()
    total = tensor.numel()
    implicit = total - stored.numel()
    if stored.dtype == torch.bool:
        inner = _bool_stats(stored, stored.numel(), 1, correction)
        true_count = inner.true_count or 0
        acc = _Accumulator(zeros=total - true_count, chunks=inner.chunks)
        return _finish(acc, "stored", total, correction, inner.chunk_elements, 1, true_count=true_count)
    acc = _Accumulator()
    limit = _walk(stored, "stored", acc) if stored.numel() else CHUNK_BYTES
    acc.merge(implicit, 0.0, 0.0, 0.0, 0.0)
    acc.zeros += implicit
    integral = not stored.dtype.is_floating_point and not stored.is_complex()
    return _finish(acc, "stored", total, correction, limit, 1, integral=integral)


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
        flipped = np.ascontiguousarray(flipped) if flipped.nbytes <= CHUNK_BYTES else None
        if flipped is None:
            return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # read-only arrays warn; statistics never write
        try:
            tensor = torch.from_numpy(flipped)
        except TypeError:  # a dtype torch lacks (e.g. uint64 on old torch)
            return None
    return tensor_stats(tensor, correction=0)
