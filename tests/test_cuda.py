"""CUDA checks: run where a GPU exists (CI has none and skips them, saying why).

They need only torch and numpy (no IPython), so they also run on a bare GPU machine:
``python -m pytest tests/test_cuda.py --noconftest -q``.
"""

from __future__ import annotations

import math
import resource

import pytest
import torch
from cuda_sync import count_syncs

import tensormagic as tm

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")


def test_cuda_stats_are_exact_on_device_with_one_transfer() -> None:
    generator = torch.Generator(device="cuda").manual_seed(0)
    t = torch.randn(10**8, device="cuda", generator=generator) * 3 + 1000
    t[123] = math.nan
    t[456] = math.inf
    t[789] = 0.0
    tm.describe(t[:1000])  # load the kernels first: lazy CUDA module loading grows host memory once
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    allocated_before = torch.cuda.memory_allocated()
    facts, syncs = count_syncs(lambda: tm.describe(t))
    extra_device = torch.cuda.max_memory_allocated() - allocated_before
    rss_growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert facts.device == "cuda:0"
    stats = facts.stats
    assert stats is not None
    assert (stats.nan, stats.posinf, stats.neginf, stats.zeros) == (1, 1, 0, 1)
    finite = t[torch.isfinite(t)].double()
    assert stats.min == pytest.approx(finite.min().item())
    assert stats.max == pytest.approx(finite.max().item())
    assert stats.mean == pytest.approx(finite.mean().item(), rel=1e-6)
    assert stats.std == pytest.approx(finite.std().item(), rel=1e-5)
    assert syncs <= 2, f"describe synchronised {syncs} times"  # the per-chunk table, then the final sums
    assert extra_device <= 16 * 2**20, f"describe used {extra_device / 2**20:.1f} MiB of device memory"
    assert rss_growth_kb < 100 * 1024, "describe copied the tensor to the host"


def test_cuda_facts_and_sharing() -> None:
    t = torch.arange(12.0, device="cuda").view(3, 4)
    row = t[1]
    facts = tm.describe(row, {"t": t, "row": row, "host": t.cpu()})
    assert facts.device == "cuda:0" and facts.shape == (4,)
    names = {s.name: s for s in facts.shares_with}
    assert names["t"].relation == "view-of"
    assert "host" not in names  # a host copy never shares device memory, even at an equal address
    meta = tm.describe(torch.empty(10**12, device="meta"))
    assert meta.numel == 10**12 and meta.stats is None


def test_cuda_explain_adds_no_synchronisation_and_keeps_the_rng_stream() -> None:
    explain = getattr(tm, "explain", None)
    if explain is None:
        pytest.skip("tensormagic.explain is not available")
    source = (
        "x = torch.rand(256, 256, device='cuda')\n"
        "y = x @ x.T\n"
        "z = y.sum(dim=0)\n"
        "w = z.float() * 2\n"
    )
    torch.cuda.manual_seed(7)
    plain_ns: dict = {"torch": torch}
    _, plain_syncs = count_syncs(lambda: exec(source, plain_ns))
    plain_state = torch.cuda.get_rng_state()
    torch.cuda.manual_seed(7)
    explained_ns: dict = {"torch": torch}
    explanation, explained_syncs = count_syncs(lambda: explain(source, explained_ns))
    assert torch.equal(torch.cuda.get_rng_state(), plain_state)
    assert torch.equal(plain_ns["w"], explained_ns["w"])
    assert explained_syncs == plain_syncs, f"explain added {explained_syncs - plain_syncs} synchronisations"
    codes = {note.code for step in explanation.steps for call in step.calls for note in call.notes}
    assert {"matmul-shape", "reduce-dim", "rng"} <= codes
