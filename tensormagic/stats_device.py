"""Statistics on an accelerator: few launches, two small transfers, no other synchronisation.

Floating-point tensors are walked in two phases (:func:`walk_device`): extremes and
sums of every chunk, one small table to the host, then squared deviations and zeros of each finite chunk
(masks only where NaN/Inf are), one more small transfer; those two are the only synchronisations.
Other dtypes there run branch-free (masks everywhere) with one transfer at the end (two for integers,
whose exact extremes travel beside it).
"""

from __future__ import annotations

import math

import torch

from .stats_moments import Accumulator, as_values, chunks, integer_extremes, unflip

#: Chunk size on an accelerator: a non-contiguous chunk's copy plus one chunk-sized temporary (and a quarter
#: for a mask) stay under 5 MiB of device memory, while launches stay few (the earlier walk launched about
#: ten small kernels per 1 MiB chunk: 255 ms at 1e8 elements on an H100, against 19 ms for this one).
DEVICE_CHUNK_BYTES = 1 << 21

#: Bytes per piece where masks are needed (a chunk holding NaN/Inf, and every chunk of a non-float dtype).
DEVICE_PIECE_BYTES = 1 << 20


def walk_device(tensor: torch.Tensor, work: torch.dtype, acc: Accumulator) -> int:
    """Floating-point statistics on an accelerator in two phases and two small transfers.

    Phase one reads every chunk once (``aminmax`` and a float64 ``sum``, no temporaries) and brings the
    per-chunk table to the host. Phase two revisits only what it must: the squared deviations from each
    finite chunk's own mean (the mean rounded to the dtype, its offset corrected exactly) and its zeros;
    chunks holding NaN/Inf go through the masked summary. Nothing else synchronises.
    """
    limit = max(1024, DEVICE_CHUNK_BYTES // torch.empty((), dtype=work).element_size())
    firsts = []
    for chunk in chunks(tensor, limit):
        values = as_values(chunk, work)
        low_t, high_t = torch.aminmax(values)
        firsts.append(torch.stack((low_t.double(), high_t.double(), values.sum(dtype=torch.float64))))
    table = torch.stack(firsts).cpu().tolist() if firsts else []
    # In chunk order: (count, mean, shift, low, high) for a finite chunk (2 numbers back), None for a
    # masked one (9 numbers back).
    plan: list[tuple[int, float, float, float, float] | None] = []
    seconds: list[torch.Tensor] = []
    for (low, high, total), chunk in zip(table, chunks(tensor, limit), strict=True):
        acc.chunks += 1
        values = as_values(chunk, work)
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
            for piece in values.split(max(1024, DEVICE_PIECE_BYTES // values.element_size())):
                seconds.append(masked_summary(piece))
                plan.append(None)
    flat = torch.cat(seconds).cpu().tolist() if seconds else []
    position = 0
    for entry in plan:
        if entry is None:
            merge_summaries([flat[position : position + 9]], acc)
            position += 9
            continue
        count, mean, shift, low, high = entry
        m2, zeros = flat[position], flat[position + 1]
        position += 2
        acc.merge(count, mean, max(m2 - count * (mean - shift) ** 2, 0.0), low, high)
        acc.zeros += int(zeros)
    return limit


def masked_summary(values: torch.Tensor) -> torch.Tensor:
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


def merge_summaries(rows: list[list[float]], acc: Accumulator) -> None:
    for count, mean, m2, low, high, nan, posinf, neginf, zeros in rows:
        acc.merge(int(count), mean, m2, low, high)
        acc.nan += int(nan)
        acc.posinf += int(posinf)
        acc.neginf += int(neginf)
        acc.zeros += int(zeros)


def walk_device_branch_free(tensor: torch.Tensor, work: torch.dtype, integral: bool, acc: Accumulator) -> int:
    """Non-float dtypes on an accelerator: masks everywhere, one transfer at the end (two for integers)."""
    limit = max(1024, DEVICE_PIECE_BYTES // torch.empty((), dtype=work).element_size())
    pending: list[torch.Tensor] = []
    pending_ints: list[torch.Tensor] = []
    for chunk in chunks(tensor, limit):
        acc.chunks += 1
        pending.append(masked_summary(as_values(chunk, work)))
        if integral:  # float64 rounds integers beyond 2**53: keep the exact extremes beside
            pending_ints.append(integer_extremes(chunk))
    if pending:
        merge_summaries(torch.stack(pending).cpu().tolist(), acc)
    for low, high in torch.stack(pending_ints).cpu().tolist() if pending_ints else ():
        acc.merge_ints(unflip(low, tensor.dtype), unflip(high, tensor.dtype))
    return limit
