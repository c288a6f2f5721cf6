"""Exact statistics in bounded memory, fast on a quiet machine and on a busy one.

A tensor is walked in cache-sized chunks, and every number is computed over all elements (nothing is
sampled). Each chunk is summarised on its own: count, mean, squared deviations, extremes, counts of
NaN/±Inf and zeros.

**Threads.** On the host, the chunks of a large tensor are shared out between the calling thread and a
few worker threads (as many in all as torch's thread count in the calling thread, at most the CPUs this
process may use), each taking the next chunk when it is done with one, and each running its torch calls
on one thread. The alternative, one chunk after another with every call parallel inside torch, makes
hundreds of small OpenMP fork/joins; when another process's threads hold a core, each join waits for a
descheduled thread (about 8 ms here), and describing 1e8 elements went from 30 ms to seconds. Threads
that share chunks never wait for each other until the end. The one-thread setting is OpenMP's
per-thread ``omp_set_num_threads`` (torch's intra-op count is the calling thread's
``omp_get_max_threads``): a worker's dies with it, and the caller's is put back to its exact previous
value before the walk returns or raises. ``torch.set_num_threads`` is never called: it also changes
the count of every thread that starts using torch afterwards (a process-wide value), so a user thread
starting during the walk would inherit one thread. Where the per-thread setting is not available (no
OpenMP runtime, or torch does not follow it), or the tensor is small enough that torch runs each call on
one thread anyway, the caller walks the chunks alone.

**Per chunk** (floating point, on the host): ``sum`` (the one pass over main memory: it streams
fastest), then ``amin`` and ``amax`` from cache (NaN propagates through both and ±Inf would be an
extreme, so they also prove the chunk finite; together they are cheaper than ``aminmax`` here); only
chunks holding NaN/Inf pay for masks, in small pieces. A finite chunk is still in cache for the passes
that follow, through one reused buffer per thread:

* a chunk with both signs (``min < 0 < max``, the usual centred data): ``Σx²`` (``x²`` written to the
  buffer, whose ``amin`` also says whether any ``x`` is zero); ``Σx² - (Σx)²/n`` is kept only when it
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
extremes. Every temporary is at most one chunk per worker, so the extra memory is bounded whatever the
tensor's size.

On an accelerator, floating-point tensors are walked in two phases (:func:`_walk_device`): extremes and
sums of every chunk, one small table to the host, then squared deviations and zeros of each finite chunk
(masks only where NaN/Inf are), one more small transfer; those two are the only synchronisations.
Other dtypes there run branch-free (masks everywhere) with one transfer at the end (two for integers,
whose exact extremes travel beside it).
"""

from __future__ import annotations

import ctypes
import glob
import math
import os
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

import numpy as np
import torch

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

_CENTRED = 4.0
"""Use ``Σx² - (Σx)²/n`` (or ``Σd² - (Σd)²/n``) only when the sum of squares is at most this multiple of
the result: the sum's rounding error (a cascaded float32 sum: about 1e-7 relative) then grows the
variance's error at most this many times."""

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


_M2_CEILING = 2.0**900
"""Squared-deviation sums above this move to a larger unit (``4**m2_exp``) before they could overflow."""


@dataclass
class _Accumulator:
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
            self.mean, self.mean_low = _two_sum(mean, mean_low)
            self._normalise()
            return
        unit = max(exp, self.m2_exp)
        for _ in range(2):
            # The means and their difference in units of 2**unit (exact scalings): a difference of 1e150
            # squared, times the counts, would overflow float64, so the unit grows until it is below 2**400.
            mine_high, mine_low = math.ldexp(self.mean, -unit), math.ldexp(self.mean_low, -unit)
            head, tail = _two_sum(math.ldexp(mean, -unit), -mine_high)
            delta = head + (tail + (math.ldexp(mean_low, -unit) - mine_low))
            if abs(delta) <= 2.0**400:
                break
            unit += math.frexp(delta)[1]
        total = self.count + count
        mine = math.ldexp(self.m2, 2 * (self.m2_exp - unit))
        theirs = math.ldexp(m2, 2 * (exp - unit))
        # ``a + (b - a)·w``, not ``a(1 - w) + b·w``: equal means stay exactly equal.
        high_part, low_part = _two_sum(mine_high, delta * count / total)
        high_part, low_part = _two_sum(high_part, low_part + mine_low)
        self.mean, self.mean_low = math.ldexp(high_part, unit), math.ldexp(low_part, unit)
        self.m2 = mine + theirs + delta * delta * self.count * count / total
        self.m2_exp = unit
        self.count = total
        self._normalise()

    def _normalise(self) -> None:
        while self.m2 > _M2_CEILING:
            self.m2 = math.ldexp(self.m2, -128)
            self.m2_exp += 64

    def merge_ints(self, low: int, high: int) -> None:
        self.int_low = low if self.int_low is None else min(self.int_low, low)
        self.int_high = high if self.int_high is None else max(self.int_high, high)

    def absorb(self, other: _Accumulator) -> None:
        """Add everything another accumulator (one chunk's, or one worker's) has seen."""
        self.merge(other.count, other.mean, other.m2, other.low, other.high, other.m2_exp, other.mean_low)
        self.nan += other.nan
        self.posinf += other.posinf
        self.neginf += other.neginf
        self.zeros += other.zeros
        self.chunks += other.chunks
        if other.int_low is not None and other.int_high is not None:
            self.merge_ints(other.int_low, other.int_high)


def _two_sum(a: float, b: float) -> tuple[float, float]:
    """``a + b`` rounded, and the rounding error: their sum is exactly ``a + b`` (Knuth)."""
    total = a + b
    b_part = total - a
    return total, (a - (total - b_part)) + (b - b_part)


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


def _blocks(tensor: torch.Tensor, limit: int) -> Iterator[torch.Tensor]:
    """Views of at most ``limit`` elements covering ``tensor`` once, in order; nothing is copied.

    A contiguous tensor is split flat; otherwise (and always for quantized tensors, whose per-channel
    scales forbid a flat view) whole rows are grouped, recursing into rows larger than ``limit``.
    :func:`_flat` makes a block 1-D.
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
            yield from _blocks(tensor[row], limit)


def _flat(block: torch.Tensor) -> torch.Tensor:
    """A block as a 1-D tensor (a copy only where its strides need one; quantized: dequantized)."""
    if block.is_quantized:
        block = block.dequantize()
    return block if block.dim() == 1 else block.reshape(-1)


def _chunks(tensor: torch.Tensor, limit: int) -> Iterator[torch.Tensor]:
    """1-D pieces of at most ``limit`` elements covering ``tensor`` once; copies only what must be."""
    for block in _blocks(tensor, limit):
        yield _flat(block)


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


_T = TypeVar("_T")

_NUMPY_TWIN: dict[torch.dtype, type[np.floating]] = {torch.float32: np.float32, torch.float64: np.float64}


# --- worker threads ---------------------------------------------------------------------------------------


@cache
def _openmp_thread_setter() -> Callable[[int], object] | None:
    """``omp_set_num_threads`` of the OpenMP runtime torch runs on, or None where torch does not use one.

    OpenMP keeps that setting per thread (the ``nthreads-var`` of the thread's own task), and torch's
    intra-op count is ``omp_get_max_threads()`` of the calling thread: set in a worker, it makes that
    worker's torch calls single-threaded and nothing else. Only a runtime already loaded (by torch) is
    used (``RTLD_NOLOAD``), so this never loads a second OpenMP runtime.
    """
    try:
        if "parallel backend: OpenMP" not in torch.__config__.parallel_info():
            return None
    except (RuntimeError, AttributeError):
        return None
    library_dir = os.path.join(os.path.dirname(torch.__file__), "lib")
    candidates = [
        path
        for pattern in ("*gomp*", "*iomp*", "libomp*")
        for path in sorted(glob.glob(os.path.join(library_dir, pattern)))
    ]
    mode = getattr(os, "RTLD_NOLOAD", 0) | getattr(os, "RTLD_LOCAL", 0)
    for path in candidates:
        try:
            setter = ctypes.CDLL(path, mode=mode).omp_set_num_threads
        except (OSError, AttributeError):
            continue
        setter.argtypes = [ctypes.c_int]
        setter.restype = None
        return setter  # type: ignore[no-any-return]
    try:  # a torch linked against a system OpenMP runtime: look in what the process has loaded
        setter = ctypes.CDLL(None).omp_set_num_threads
    except (OSError, AttributeError, TypeError):
        return None
    setter.argtypes = [ctypes.c_int]
    setter.restype = None
    return setter  # type: ignore[no-any-return]


_serial_workers_work: bool | None = None
"""Whether a thread's own one-thread setting was seen to take (None: not tried yet in this process)."""


def _check_serial() -> None:
    """Record whether torch now runs this thread's calls on one thread (it should, after the setter)."""
    global _serial_workers_work
    if torch.get_num_threads() != 1:
        _serial_workers_work = False  # from now on the caller walks alone, as without OpenMP
    elif _serial_workers_work is None:
        _serial_workers_work = True


def _worker_count(elements: int) -> int:
    """Worker threads for a walk over ``elements``; 1 means the caller walks."""
    if elements <= SERIAL_ELEMENTS or _serial_workers_work is False or _openmp_thread_setter() is None:
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


def _summarise_all(
    blocks: Iterable[torch.Tensor], make_summariser: Callable[[], Callable[[torch.Tensor], _T]], workers: int
) -> list[_T]:
    """One summary per block, in block order; the caller and ``workers - 1`` threads share the blocks.

    Each takes the next block when done with one, so one the scheduler sets aside delays only its
    current block, and no torch call waits for another thread. The caller works too (one thread fewer
    to start and to schedule), with its own one-thread setting for the duration, restored exactly
    before this returns or raises. An error anywhere stops the others and is raised here, after every
    thread has finished its current block (none outlives the call, none keeps a reference to the tensor).
    """
    setter = _openmp_thread_setter()
    if workers <= 1 or setter is None:
        summarise = make_summariser()
        return [summarise(block) for block in blocks]
    numbered = enumerate(blocks)
    lock = threading.Lock()
    stop = threading.Event()
    results: dict[int, _T] = {}
    errors: list[BaseException] = []

    def take_blocks() -> None:
        summarise = make_summariser()
        while not stop.is_set():
            with lock:
                item = next(numbered, None)
            if item is None:
                return
            results[item[0]] = summarise(item[1])

    def work() -> None:
        # A worker's setting dies with it: nothing to restore.
        try:
            torch.get_num_threads()  # torch's lazy per-thread set-up first, or it would override ours
            setter(1)
            _check_serial()
            take_blocks()
        except BaseException as error:  # raised again in the caller
            errors.append(error)
            stop.set()

    started: list[threading.Thread] = []
    previous = torch.get_num_threads()  # the caller's own count, put back exactly in ``finally``
    try:
        for _ in range(workers - 1):
            thread = threading.Thread(target=work, name="tensormagic-stats", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # no more threads allowed: the ones started and the caller do it all
                break
            started.append(thread)
        setter(1)
        _check_serial()
        take_blocks()
    except BaseException:
        stop.set()
        raise
    finally:
        # First, and a direct call of the C function: CPython raises a pending KeyboardInterrupt only
        # after a call returns, so an interrupt cannot skip this line.
        setter(previous)
        for thread in started:
            thread.join()
    if errors:
        raise errors[0]
    return [results[index] for index in range(len(results))]


# --- one chunk on the host --------------------------------------------------------------------------------


class _HostSummariser:
    """Summaries of 1-D chunks on the host, through one reused buffer (one per worker)."""

    def __init__(self, work: torch.dtype, limit: int, mask_limit: int) -> None:
        self.work = work
        self.buffer = torch.empty(limit, dtype=work)
        self.small, self.large = _safe_range(work)
        self.twin = _NUMPY_TWIN[work]
        self.mask_limit = mask_limit

    def chunk(self, chunk: torch.Tensor) -> _Accumulator:
        """A float, complex or quantized chunk, as values of the work dtype."""
        acc = _Accumulator(chunks=1)
        self.add(_as_values(chunk, self.work), acc)
        return acc

    def integer_chunk(self, chunk: torch.Tensor) -> _Accumulator:
        """An integer chunk: exact extremes; deviations rounded, never magnitudes."""
        acc = _Accumulator(chunks=1)
        low, high = (_unflip(v, chunk.dtype) for v in _integer_extremes(chunk).tolist())
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
        inner = _Accumulator()
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
        acc: _Accumulator,
        low: float | None = None,
        high: float | None = None,
        count_zeros: bool = True,
    ) -> None:
        """Accumulate a 1-D chunk; ``low``/``high``, when given, are its exact (finite) extremes."""
        count = values.numel()
        # The one pass over main memory: ``sum`` streams fastest (``amin`` reads about 20% slower here), and
        # the extremes then read the chunk from cache. A NaN/Inf in the chunk makes the sum useless, and is
        # found by the extremes.
        total = values.sum().item()
        if low is None or high is None:
            low, high = values.amin().item(), values.amax().item()
            if not -math.inf < low <= high < math.inf:  # NaN fails every comparison
                self._nonfinite(values, acc, count_zeros)
                return
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
            zero_seen = zero_seen or not in_range or scratch.amin().item() == 0.0
            mean = total / count
            centred = squares - total * mean
            # Σx² - (Σx)²/n cannot cancel much on a centred chunk: the squares give the deviations.
            if 0.0 <= squares <= _CENTRED * centred:
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
            if attempt or squares <= _CENTRED * m2:
                break
            shift += offset
        return shift, offset, m2

    def _nonfinite(self, values: torch.Tensor, acc: _Accumulator, count_zeros: bool) -> None:
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


def _merge_in_order(summaries: Iterable[_Accumulator], acc: _Accumulator) -> None:
    for summary in summaries:
        acc.absorb(summary)


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
    integral = not floating and not complex_ and not quantized
    if not on_host:
        if floating:
            return _walk_device(tensor, work, acc)
        return _walk_device_branch_free(tensor, work, integral, acc)
    fast = floating and tensor.dtype == work and tensor.is_contiguous()
    chunk_bytes = FAST_CHUNK_BYTES if fast else CHUNK_BYTES
    workers = _worker_count(tensor.numel())
    limit = _chunk_limit(chunk_bytes, item_bytes, workers, tensor.numel())
    mask_limit = max(1024, CHUNK_BYTES // item_bytes)
    buffer_size = min(limit, tensor.numel())

    def make_summariser() -> Callable[[torch.Tensor], _Accumulator]:
        summariser = _HostSummariser(work, buffer_size, mask_limit)
        if integral:
            return lambda block: summariser.integer_chunk(_flat(block))
        return lambda block: summariser.chunk(_flat(block))

    _merge_in_order(_summarise_all(_blocks(tensor, limit), make_summariser, workers), acc)
    return limit


def _walk_device_branch_free(tensor: torch.Tensor, work: torch.dtype, integral: bool, acc: _Accumulator) -> int:
    """Non-float dtypes on an accelerator: masks everywhere, one transfer at the end (two for integers)."""
    limit = max(1024, CHUNK_BYTES // torch.empty((), dtype=work).element_size())
    pending: list[torch.Tensor] = []
    pending_ints: list[torch.Tensor] = []
    for chunk in _chunks(tensor, limit):
        acc.chunks += 1
        pending.append(_masked_summary(_as_values(chunk, work)))
        if integral:  # float64 rounds integers beyond 2**53: keep the exact extremes beside
            pending_ints.append(_integer_extremes(chunk))
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
    masked: int = 0,
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
        masked=masked,
    )


def _scaled(acc: _Accumulator, repeat: int) -> _Accumulator:
    """Totals of a tensor whose every element repeats ``repeat`` times (an expanded view)."""
    if repeat == 1:
        return acc
    scaled = _Accumulator(
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


def _true_count(block: torch.Tensor) -> int:
    return int(torch.count_nonzero(block))


def _bool_stats(tensor: torch.Tensor, total: int, repeat: int, correction: int) -> Stats:
    limit = CHUNK_BYTES
    if tensor.device.type == "cpu":
        workers = _worker_count(tensor.numel())
        limit = _chunk_limit(CHUNK_BYTES, 1, workers, tensor.numel())
        counts = _summarise_all(_blocks(tensor, limit), lambda: _true_count, workers)
        chunks, true_count = len(counts), sum(counts) * repeat
    else:  # one transfer at the end
        pending = [torch.count_nonzero(chunk) for chunk in _chunks(tensor, limit)]
        chunks = len(pending)
        true_count = int(torch.stack(pending).sum().item()) * repeat if pending else 0
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
        acc = _Accumulator(zeros=total - masked - true_count, chunks=len(counts))
        return _finish(acc, "bool", total, 0, limit, 1, true_count=true_count, masked=masked)
    complex_ = data.dtype.kind == "c"
    if complex_:
        work = torch.float64 if sample.dtype == torch.complex128 else torch.float32
    else:
        work = _work_dtype(sample.dtype)
    integral = data.dtype.kind in "iu"
    summariser = _HostSummariser(work, limit, limit)
    acc = _Accumulator()
    for piece in pieces:
        acc.absorb(summariser.integer_chunk(piece) if integral else summariser.chunk(piece))
    of = "abs" if complex_ else "values"
    return _finish(acc, of, total, 0, limit, 1, integral=integral, masked=masked)
