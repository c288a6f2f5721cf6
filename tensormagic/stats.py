"""Exact statistics in bounded memory, fast on a quiet machine and on a busy one.

A tensor is walked in cache-sized chunks, and every number is computed over all elements (nothing is
sampled). Each chunk is summarised on its own (count, mean, squared deviations, extremes, counts of
NaN/±Inf and zeros: :mod:`tensormagic.stats_moments`), and the summaries are combined in chunk order, so
the result does not depend on which thread summarised which chunk. On the host, the chunks of a large
tensor are shared out between the calling thread and a few worker threads, each running its torch calls
on one thread (:mod:`tensormagic.stats_threads`: hundreds of small parallel calls, one after another,
collapse when another process's threads share the cores). On an accelerator the walk takes two phases
and two small transfers (:mod:`tensormagic.stats_device`). Every temporary is at most one chunk per
thread, so the extra memory is bounded whatever the tensor's size.

A NumPy masked array is described as ``numpy.ma`` describes it: without the elements its mask hides.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from . import stats_threads
from .stats_device import walk_device, walk_device_branch_free
from .stats_moments import (
    Accumulator,
    HostSummariser,
    blocks,
    chunks,
    flat,
    merge_in_order,
    work_dtype,
)
from .stats_threads import openmp_thread_setter, summarise_all

CHUNK_BYTES = 1 << 20
"""Bytes per temporary on the general path (masks, conversions, copies of non-contiguous pieces)."""

FAST_CHUNK_BYTES = 1 << 20
"""Bytes per chunk of a contiguous float32/float64 tensor, which needs one temporary only. A chunk and
the worker's buffer (2 MiB together) stay in one core's L2 cache here (2 MiB), so every pass after the
first reads cache, not main memory; 2 MiB chunks spill to L3 and their in-cache passes run 3-5x slower,
smaller ones pay more calls (each costs microseconds of dispatch)."""

WALK_BYTES = 1 << 22
"""All workers' chunks together stay under this: on a machine with many cores, chunks get smaller."""

SERIAL_ELEMENTS = 32768
"""torch runs an elementwise op or a reduction over at most this many elements (its ``GRAIN_SIZE``) on
the calling thread, without a fork/join: a tensor this small is walked by the caller, in one chunk."""

@dataclass(frozen=True)
class Stats:
    """Statistics of one tensor or array: exact, over all elements.

    ``of`` says what the numbers describe: ``values``, ``abs`` (complex: the magnitudes),
    ``stored`` (sparse: stored values plus the implicit zeros), ``dequantized``, or ``bool``.
    ``min``/``max``/``mean``/``std`` are over the finite values (``None`` when there are none).
    ``masked`` counts the elements a NumPy masked array's mask hides: like ``numpy.ma``, every other
    number leaves them out (``count`` still counts them, so ``count - masked`` elements are described).
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
    masked: int = 0

    @property
    def has_nonfinite(self) -> bool:
        return bool(self.nan or self.posinf or self.neginf)


def _collapse_expanded(tensor: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Drop stride-0 (broadcast) axes: the distinct elements, and how often each repeats."""
    repeat = 1
    for dim, (size, stride) in enumerate(zip(tensor.shape, tensor.stride(), strict=True)):
        if stride == 0 and size > 1:
            tensor = tensor.narrow(dim, 0, 1)
            repeat *= size
    return tensor, repeat


def _worker_count(elements: int) -> int:
    """Worker threads for a walk over ``elements``; 1 means the caller walks."""
    if elements <= SERIAL_ELEMENTS or stats_threads.serial_threads_work is False or not openmp_thread_setter():
        return 1
    threads = torch.get_num_threads()  # the caller's: a user who chose one thread gets one
    if threads <= 1:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(threads, cpus, math.ceil(elements / max(1, SERIAL_ELEMENTS))))


def _chunk_limit(chunk_bytes: int, item_bytes: int, workers: int, elements: int) -> int:
    """Elements per chunk: ``chunk_bytes`` (smaller when many workers would together hold more than
    WALK_BYTES), and for a tensor of only a few chunks at least four per thread (not below torch's
    serial size), so that a thread the scheduler starts late finds work left and none waits long."""
    per_worker = max(chunk_bytes // 8, min(chunk_bytes, WALK_BYTES // max(1, workers)))
    limit = max(1024, per_worker // item_bytes)
    if workers > 1:
        limit = min(limit, max(1024, SERIAL_ELEMENTS, math.ceil(elements / (4 * workers))))
    return limit


def _walk(tensor: torch.Tensor, acc: Accumulator) -> int:
    """Accumulate every element of a dense tensor into ``acc``; returns the chunk size used."""
    quantized, complex_ = tensor.is_quantized, tensor.is_complex()
    if complex_:
        work = torch.float64 if tensor.dtype == torch.complex128 else torch.float32
    else:
        work = work_dtype(torch.float32 if quantized else tensor.dtype)
    item_bytes = torch.empty((), dtype=work).element_size()
    on_host = tensor.device.type == "cpu"
    floating = tensor.dtype.is_floating_point and not quantized
    integral = not floating and not complex_ and not quantized
    if not on_host:
        if floating:
            return walk_device(tensor, work, acc)
        return walk_device_branch_free(tensor, work, integral, acc)
    fast = floating and tensor.dtype == work and tensor.is_contiguous()
    chunk_bytes = FAST_CHUNK_BYTES if fast else CHUNK_BYTES
    workers = _worker_count(tensor.numel())
    limit = _chunk_limit(chunk_bytes, item_bytes, workers, tensor.numel())
    mask_limit = max(1024, CHUNK_BYTES // item_bytes)
    buffer_size = min(limit, tensor.numel())

    def make_summariser() -> Callable[[torch.Tensor], Accumulator]:
        summariser = HostSummariser(work, buffer_size, mask_limit)
        if integral:
            return lambda block: summariser.integer_chunk(flat(block))
        return lambda block: summariser.chunk(flat(block))

    merge_in_order(summarise_all(blocks(tensor, limit), make_summariser, workers), acc)
    return limit


def _finish(
    acc: Accumulator,
    of: str,
    total: int,
    correction: int,
    chunk_elements: int,
    repeat: int,
    true_count: int | None = None,
    integral: bool = False,
    method: str = "chunked",
    masked: int = 0,
) -> Stats:
    finite = acc.count
    has_values = finite > 0
    # With too few values for the correction (one value, n-1) the spread is undefined: torch's std() gives nan.
    variance = acc.m2 / (finite - correction) if finite - correction > 0 else (math.nan if has_values else None)
    if variance is not None and not math.isnan(variance):
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
        masked=masked,
    )


def _scaled(acc: Accumulator, repeat: int) -> Accumulator:
    """Totals of a tensor whose every element repeats ``repeat`` times (an expanded view)."""
    if repeat == 1:
        return acc
    scaled = Accumulator(
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
        mean_low=acc.mean_low,
    )
    scaled._normalise()
    return scaled


def _method(tensor: torch.Tensor) -> str:
    return "chunked" if tensor.device.type == "cpu" else "masked"


def tensor_stats(tensor: torch.Tensor, correction: int = 1) -> Stats:
    """Exact statistics of a tensor with data (not meta, not empty); never touches autograd.

    A tensor subclass is read as a plain tensor: its ``__torch_function__`` sees none of these reads (the
    detached alias made with it switched off is a plain ``torch.Tensor``, and so is every chunk a worker
    thread takes from it).
    """
    with torch.no_grad(), torch._C.DisableTorchFunctionSubclass():
        tensor = tensor.detach()
        if tensor.layout != torch.strided:
            return _sparse_stats(tensor, correction)
        total = tensor.numel()
        tensor, repeat = _collapse_expanded(tensor)
        if tensor.dtype == torch.bool:
            return _bool_stats(tensor, total, repeat, correction)
        of = "abs" if tensor.is_complex() else ("dequantized" if tensor.is_quantized else "values")
        acc = Accumulator()
        limit = _walk(tensor, acc)
        integral = not tensor.dtype.is_floating_point and of == "values"
        return _finish(
            _scaled(acc, repeat), of, total, correction, limit, repeat, integral=integral, method=_method(tensor)
        )


def _true_count(block: torch.Tensor) -> int:
    return int(torch.count_nonzero(block))


def _bool_stats(tensor: torch.Tensor, total: int, repeat: int, correction: int) -> Stats:
    limit = CHUNK_BYTES
    if tensor.device.type == "cpu":
        workers = _worker_count(tensor.numel())
        limit = _chunk_limit(CHUNK_BYTES, 1, workers, tensor.numel())
        counts = summarise_all(blocks(tensor, limit), lambda: _true_count, workers)
        walked, true_count = len(counts), sum(counts) * repeat
    else:  # one transfer at the end
        pending = [torch.count_nonzero(chunk) for chunk in chunks(tensor, limit)]
        walked = len(pending)
        true_count = int(torch.stack(pending).sum().item()) * repeat if pending else 0
    acc = Accumulator(zeros=total - true_count, chunks=walked)
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
        acc = Accumulator(zeros=total - true_count, chunks=inner.chunks)
        return _finish(acc, "stored", total, correction, inner.chunk_elements, 1, true_count=true_count, method=method)
    acc = Accumulator()
    limit = _walk(stored, acc) if stored.numel() else CHUNK_BYTES
    if implicit:
        acc.merge(implicit, 0.0, 0.0, 0.0, 0.0)
        acc.zeros += implicit
        if acc.int_low is not None:
            acc.merge_ints(0, 0)
    integral = not stored.dtype.is_floating_point and not stored.is_complex()
    return _finish(acc, "stored", total, correction, limit, 1, integral=integral, method=method)


def _native(array: np.ndarray) -> bool:
    """A numeric dtype in this machine's byte order (torch cannot view the other)."""
    return array.dtype.kind in "biufc" and array.dtype.byteorder in "=|" + ("<" if np.little_endian else ">")


def array_stats(array: np.ndarray) -> Stats | None:
    """Statistics of a numeric ndarray through a zero-copy tensor view (NumPy's ``ddof=0``).

    A masked array (``numpy.ma``) is described as NumPy describes it: without the elements its mask
    hides, whose number ``Stats.masked`` gives.
    """
    if isinstance(array, np.ma.MaskedArray):
        mask = np.ma.getmask(array)
        data = np.ma.getdata(array)
        if isinstance(mask, np.ndarray) and mask.any():
            return _masked_array_stats(data, mask) if _native(data) else None
        array = data
    if not _native(array):
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


def _unmasked_pieces(data: np.ndarray, mask: np.ndarray, limit: int) -> Iterator[np.ndarray]:
    """The values the mask does not hide, as 1-D copies of at most ``limit`` elements, in order."""
    if data.ndim == 0:
        data, mask = data.reshape(1), mask.reshape(1)
    rows = data.shape[0]
    per_row = data.size // rows if rows else 0
    if per_row == 0:
        return
    if per_row <= limit:
        step = max(1, limit // per_row)
        for start in range(0, rows, step):
            yield data[start : start + step][~mask[start : start + step]]
    else:
        for row in range(rows):
            yield from _unmasked_pieces(data[row], mask[row], limit)


def _masked_array_stats(data: np.ndarray, mask: np.ndarray) -> Stats | None:
    """Statistics of the unmasked elements (as ``numpy.ma`` computes them), in bounded memory."""
    mask = np.broadcast_to(mask, data.shape)
    total = int(data.size)
    masked = int(np.count_nonzero(mask))
    try:
        sample = torch.from_numpy(np.empty(0, dtype=data.dtype))
    except TypeError:  # a dtype torch lacks
        return None
    limit = max(1024, CHUNK_BYTES // (1 if data.dtype.kind == "b" else 8))  # bytes of a bool, of a float64
    # Copies of the unmasked values, one piece at a time: never more than ``limit`` elements at once.
    pieces = (torch.from_numpy(piece) for piece in _unmasked_pieces(data, mask, limit) if piece.size)
    if data.dtype.kind == "b":
        counts = [_true_count(piece) for piece in pieces]
        true_count = sum(counts)
        acc = Accumulator(zeros=total - masked - true_count, chunks=len(counts))
        return _finish(acc, "bool", total, 0, limit, 1, true_count=true_count, masked=masked)
    complex_ = data.dtype.kind == "c"
    if complex_:
        work = torch.float64 if sample.dtype == torch.complex128 else torch.float32
    else:
        work = work_dtype(sample.dtype)
    integral = data.dtype.kind in "iu"
    summariser = HostSummariser(work, limit, limit)
    acc = Accumulator()
    for piece in pieces:
        acc.absorb(summariser.integer_chunk(piece) if integral else summariser.chunk(piece))
    of = "abs" if complex_ else "values"
    return _finish(acc, of, total, 0, limit, 1, integral=integral, masked=masked)
