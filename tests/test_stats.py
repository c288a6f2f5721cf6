"""Statistics: exact against float64 references, sound on shifted data, honest for every dtype and layout."""

from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import tensormagic as tm
import tensormagic.stats as stats_module
from tensormagic import stats_device, stats_moments
from tensormagic.render.common import format_number
from tensormagic.stats import Stats, array_stats, tensor_stats

ROOT = Path(__file__).resolve().parents[1]


def reference(values: torch.Tensor, correction: int = 1) -> dict[str, float | int]:
    """What the statistics must say, computed the slow, obvious way: float64, or exact for integers."""
    flat = values.reshape(-1)
    if not flat.dtype.is_floating_point and not flat.dtype.is_complex and flat.dtype != torch.bool:
        ints = flat.tolist()  # Python ints: exact for every integer dtype, uint64 included
        n, s1, s2 = len(ints), sum(ints), sum(v * v for v in ints)
        m2 = Fraction(n * s2 - s1 * s1, n)
        return {
            "count": n, "finite": n, "nan": 0, "posinf": 0, "neginf": 0,
            "zeros": ints.count(0), "min": min(ints), "max": max(ints), "mean": float(Fraction(s1, n)),
            "std": math.sqrt(float(m2 / (n - correction))) if n > correction else math.nan,
        }  # fmt: skip
    wide = flat.to(torch.float64)
    finite = wide[torch.isfinite(wide)]
    out: dict[str, float | int] = {
        "count": flat.numel(),
        "finite": finite.numel(),
        "nan": int(torch.isnan(wide).sum()),
        "posinf": int((wide == math.inf).sum()),
        "neginf": int((wide == -math.inf).sum()),
        "zeros": int((flat == 0).sum()),
    }
    if finite.numel():
        out["min"], out["max"] = finite.min().item(), finite.max().item()
        out["mean"] = finite.mean().item()
        # too few values for the correction: torch's own std() is nan (with a warning)
        out["std"] = finite.std(correction=correction).item() if finite.numel() > correction else math.nan
    return out


def assert_matches(stats: Stats, values: torch.Tensor, rel_std: float = 1e-5, correction: int = 1) -> None:
    ref = reference(values, correction)
    for key in ("count", "finite", "nan", "posinf", "neginf", "zeros"):
        assert getattr(stats, key) == ref[key], key
    if ref["finite"]:
        assert stats.min == ref["min"] and stats.max == ref["max"]  # exact, not approximately
        assert stats.mean is not None and stats.std is not None
        if math.isnan(float(ref["std"])):
            assert math.isnan(stats.std) and stats.mean == float(ref["mean"])
            return
        spread = max(float(ref["std"]), 1e-300)
        # The mean is a float32 sum for float32 data: as precise as the data's own dtype, no more.
        assert abs(stats.mean - float(ref["mean"])) <= 1e-6 * spread + 2e-7 * abs(float(ref["mean"]))
        # The reference is itself a float64 computation: on constant data it gives a rounding residue
        # (8.7e-15 for 3 copies of -48.678) where the true std is 0. The absolute slack is that residue's
        # size, float64's epsilon times the data's magnitude, so the comparison holds at 0.
        magnitude = max(abs(float(ref["min"])), abs(float(ref["max"])))
        residue = 64 * sys.float_info.epsilon * magnitude
        assert abs(stats.std - float(ref["std"])) <= rel_std * float(ref["std"]) + residue
    else:
        assert stats.min is None and stats.mean is None


pytestmark = [
    pytest.mark.filterwarnings("ignore:Sparse CSR tensor support is in beta state"),
    pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor, torch.quantize_per_channel"),
]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    """Force many chunks on small tensors: 1024 elements per chunk on every path."""
    monkeypatch.setattr(stats_module, "CHUNK_BYTES", 1024)
    monkeypatch.setattr(stats_module, "FAST_CHUNK_BYTES", 1024)
    return 1024


# --- exactness and numerical soundness -------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda g: torch.randn(3_000_000, generator=g),
        lambda g: torch.randn(3_000_000, generator=g) * 3 + 1000,  # shifted: a float32 Σx² fails here
        lambda g: torch.randn(3_000_000, generator=g) * 1e-3 + 1e4,
        lambda g: torch.relu(torch.randn(3_000_000, generator=g)),  # half zeros, many equal squares
        lambda g: torch.arange(3_000_000, dtype=torch.float32),  # drifts from chunk to chunk
        lambda g: torch.rand(3_000_000, generator=g, dtype=torch.float64) * 1e6 - 5e5,
    ],
    ids=["randn", "shifted", "tiny-spread", "relu", "arange", "float64"],
)
def test_large_tensors_match_float64_reference(make) -> None:  # type: ignore[no-untyped-def]
    values = make(torch.Generator().manual_seed(0))
    stats = tensor_stats(values)
    assert stats.chunks > 1 and stats.method == "chunked"
    assert_matches(stats, values, rel_std=1e-6)


def test_one_pass_float32_sum_of_squares_would_be_wrong_but_ours_is_not() -> None:
    values = torch.randn(2_000_000, generator=torch.Generator().manual_seed(1)) * 3 + 1000
    n = values.numel()
    naive_var = ((values * values).sum() / n - (values.sum() / n) ** 2).item() * n / (n - 1)
    truth = values.double().std().item()
    assert abs(math.sqrt(max(naive_var, 0.0)) - truth) / truth > 1e-5  # the trap is real at our tolerance
    assert tensor_stats(values).std == pytest.approx(truth, rel=1e-6)


def test_nan_inf_and_zero_counts_across_chunks(small_chunks: int) -> None:
    values = torch.randn(20_000, generator=torch.Generator().manual_seed(2))
    values[[0, 1023, 1024, 5000, 19_999]] = math.nan
    values[[7, 2048, 2049]] = math.inf
    values[[3000, 3001, 3002, 3003]] = -math.inf
    values[[11, 12, 4096, 15_000]] = 0.0
    values[[13, 9000]] = -0.0
    stats = tensor_stats(values)
    assert stats.chunks == math.ceil(20_000 / small_chunks)
    assert (stats.nan, stats.posinf, stats.neginf, stats.zeros) == (5, 3, 4, 6)
    assert_matches(stats, values)


@pytest.mark.parametrize("size", [1023, 1024, 1025, 2047, 2048, 2049, 10 * 1024 + 1])
def test_chunk_boundaries(small_chunks: int, size: int) -> None:
    values = torch.randn(size, generator=torch.Generator().manual_seed(size)) + 5
    values[-1] = 0.0
    values[0] = -1e3
    stats = tensor_stats(values)
    assert stats.chunks == math.ceil(size / small_chunks)
    assert_matches(stats, values)


def test_zeros_in_every_chunk_and_only_some(small_chunks: int) -> None:
    values = torch.relu(torch.randn(10_000, generator=torch.Generator().manual_seed(3)))
    values[5000:6000] = torch.rand(1000) + 1  # one chunk with no zeros among chunks full of them
    assert_matches(tensor_stats(values), values)
    mixed = torch.randn(10_000, generator=torch.Generator().manual_seed(4))
    mixed[9999] = 0.0  # a lone zero in the last chunk of mixed-sign data
    assert tensor_stats(mixed).zeros == 1


def test_a_negative_view_is_read_as_its_values(small_chunks: int) -> None:
    """``z.conj().imag`` is a real tensor whose memory holds the negated values (torch's negative bit): the
    chunks NumPy reads must be the values the tensor shows, not the memory under them."""
    complex_values = torch.randn(10_000, dtype=torch.complex64, generator=torch.Generator().manual_seed(8))
    negated = complex_values.conj().imag
    assert negated.is_neg()  # the case under test: torch did not copy
    negated_copy = negated.clone()
    assert not negated_copy.is_neg()
    stats = tensor_stats(negated)
    assert (stats.min, stats.max) == (negated_copy.min().item(), negated_copy.max().item())
    assert_matches(stats, negated_copy)


def test_tiny_values_are_not_zeros(small_chunks: int) -> None:
    values = torch.randn(4096, generator=torch.Generator().manual_seed(5)) * 1e-30
    values[10] = 1e-45  # the smallest float32 subnormal: its square underflows, it is still not zero
    values[20] = 0.0
    stats = tensor_stats(values)
    assert stats.zeros == 1
    assert_matches(stats, values)


def test_all_nonfinite_chunk_and_all_nan() -> None:
    stats = tensor_stats(torch.full((3000,), math.nan))
    assert stats.nan == 3000 and stats.finite == 0 and stats.min is None and stats.std is None
    stats = tensor_stats(torch.tensor([math.inf, -math.inf, 1.0]))
    assert (stats.posinf, stats.neginf, stats.finite, stats.min, stats.max) == (1, 1, 1, 1.0, 1.0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_extreme_magnitudes_do_not_overflow(dtype: torch.dtype) -> None:
    big = torch.finfo(dtype).max / 2
    values = torch.tensor([big, -big, big / 3, 0.0], dtype=dtype)
    stats = tensor_stats(values)
    exact = np.array([big, -big, big / 3, 0.0], dtype=np.float64)
    scaled = exact / big
    assert stats.std == pytest.approx(np.std(scaled, ddof=1) * big, rel=1e-6)
    assert stats.mean == pytest.approx(np.mean(scaled) * big, rel=1e-6)
    tiny = torch.tensor([1e-45, 0.0, 3e-45], dtype=torch.float32)
    assert tensor_stats(tiny).std == pytest.approx(1.401298464324817e-45, rel=1e-6)
    assert tensor_stats(tiny).zeros == 1


# --- every dtype -------------------------------------------------------------------------------------


def test_bool_counts_true_and_false(small_chunks: int) -> None:
    values = torch.rand(5000, generator=torch.Generator().manual_seed(6)) > 0.3
    stats = tensor_stats(values)
    assert stats.of == "bool" and stats.true_count == int(values.sum()) and stats.zeros == 5000 - stats.true_count


@pytest.mark.parametrize(
    "dtype", [torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.uint16, torch.uint32]
)
def test_integers(dtype: torch.dtype, small_chunks: int) -> None:
    info = torch.iinfo(dtype)
    low, high = max(info.min, -(2**31)), min(info.max, 2**31 - 1)
    values = torch.randint(low, high, (5000,), generator=torch.Generator().manual_seed(7)).to(dtype)
    values[17] = 0
    stats = tensor_stats(values)
    assert isinstance(stats.min, int) and isinstance(stats.max, int)
    assert_matches(stats, values)


def test_integers_beyond_2_53_keep_exact_extremes(small_chunks: int) -> None:
    values = torch.full((3000,), 2**62, dtype=torch.int64)
    values[5] = 2**62 + 1  # float64 cannot tell this from 2**62
    values[2500] = -(2**62) - 3
    stats = tensor_stats(values)
    assert stats.max == 2**62 + 1 and stats.min == -(2**62) - 3
    top = torch.tensor([2**63 + 1, 5, 2**64 - 1], dtype=torch.uint64)
    assert (tensor_stats(top).min, tensor_stats(top).max) == (5, 2**64 - 1)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision(dtype: torch.dtype, small_chunks: int) -> None:
    values = (torch.randn(5000, generator=torch.Generator().manual_seed(8)) * 30 + 100).to(dtype)
    values[3] = math.nan
    values[4] = -math.inf
    values[9] = 0
    stats = tensor_stats(values)
    assert_matches(stats, values, rel_std=1e-6)


def test_complex_describes_magnitudes() -> None:
    values = torch.complex(torch.randn(3000), torch.randn(3000))
    values[0] = 0
    values[1] = complex(math.nan, 1)
    stats = tensor_stats(values)
    assert stats.of == "abs"
    assert_matches(stats, values.abs())


def test_quantized_describes_dequantized_values() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # quantized constructors are deprecated in torch 2.13
        q = torch.quantize_per_tensor(torch.linspace(-2, 2, 3001), 0.01, 10, torch.qint8)
    stats = tensor_stats(q)
    assert stats.of == "dequantized"
    assert_matches(stats, q.dequantize())


def test_sparse_coo_uncoalesced_and_csr_count_implicit_zeros() -> None:
    indices = torch.tensor([[0, 1, 1, 3], [2, 0, 0, 4]])
    values = torch.tensor([5.0, -1.0, 3.0, 0.0])  # (1, 0) is stored twice: 2.0 once coalesced
    coo = torch.sparse_coo_tensor(indices, values, (4, 5), check_invariants=True)
    assert not coo.is_coalesced()
    stats = tensor_stats(coo)
    dense = coo.to_dense()
    assert stats.of == "stored"
    assert_matches(stats, dense)
    assert not coo.is_coalesced()  # describing it did not change it
    csr = dense.to_sparse_csr()
    assert_matches(tensor_stats(csr), dense)
    assert tensor_stats(torch.zeros(3, 3).to_sparse()).zeros == 9


def test_sparse_integer_and_bool() -> None:
    dense = torch.tensor([[0, 2**60 + 1, 0], [-7, 0, 0]])
    stats = tensor_stats(dense.to_sparse())
    assert (stats.min, stats.max, stats.zeros) == (-7, 2**60 + 1, 4)
    flags = torch.tensor([[True, False], [False, True]]).to_sparse()
    assert tensor_stats(flags).true_count == 2


# --- layouts ---------------------------------------------------------------------------------------------


def test_non_contiguous_views(small_chunks: int) -> None:
    base = torch.randn(300, 70, generator=torch.Generator().manual_seed(9))
    base[5, 5] = 0.0
    for view in (base.T, base[::3, 1::2], base[:, 10], base.T[3:40]):
        assert not view.is_contiguous()
        assert_matches(tensor_stats(view), view.contiguous())


def test_expanded_views_are_summarised_through_distinct_elements() -> None:
    row = torch.tensor([1.0, 0.0, math.nan, 4.0])
    grid = row.expand(1000, 4)
    stats = tensor_stats(grid)
    assert stats.repeat == 1000 and stats.count == 4000
    assert_matches(stats, grid.contiguous())
    big = torch.tensor(2.5).expand(10**6, 10**6)  # 1e12 elements, one distinct value: no copy
    stats = tensor_stats(big)
    assert stats.count == 10**12 and stats.mean == 2.5 and stats.std == 0.0


def test_zero_dim_and_single_element() -> None:
    stats = tensor_stats(torch.tensor(-3.5))
    assert (stats.count, stats.min, stats.max, stats.mean) == (1, -3.5, -3.5, -3.5)
    assert stats.std is not None and math.isnan(stats.std)  # as torch.tensor(-3.5).std(): n-1 = 0
    assert tensor_stats(torch.tensor(0)).zeros == 1


def test_empty_and_meta_are_described_without_statistics() -> None:
    for empty in (torch.empty(0), torch.empty(3, 0, 2), torch.empty(0, dtype=torch.bool)):
        facts = tm.describe(empty)
        assert facts.stats is None and facts.stats_skipped == "empty" and facts.numel == 0
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    meta = torch.empty(10**12, device="meta")
    facts = tm.describe(meta)
    assert facts.numel == 10**12 and facts.nbytes == 4 * 10**12 and facts.device == "meta"
    assert facts.stats is None and facts.stats_skipped == "meta"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB: nothing allocated


def test_requires_grad_leaves_autograd_untouched() -> None:
    leaf = torch.randn(5000, requires_grad=True)
    leaf.grad = torch.full((5000,), 7.0)
    grad_before, version_before = leaf.grad, leaf._version
    product = leaf * 2
    grad_fn_before = product.grad_fn
    for tensor in (leaf, product):
        facts = tm.describe(tensor)
        assert facts.requires_grad and facts.stats is not None
    assert leaf.grad is grad_before and torch.equal(leaf.grad, torch.full((5000,), 7.0))
    assert leaf._version == version_before and leaf.grad_fn is None and leaf.is_leaf
    assert product.grad_fn is grad_fn_before
    assert tm.describe(product).grad_fn == "MulBackward0"
    product.sum().backward()  # the graph still works, and describing added nothing to it
    assert torch.equal(leaf.grad, torch.full((5000,), 9.0))


# --- ndarrays ----------------------------------------------------------------------------------------------


def test_ndarray_statistics_use_numpy_conventions() -> None:
    array = np.random.default_rng(10).normal(50, 4, size=(400, 30))
    array[3, 3] = np.nan
    stats = array_stats(array)
    assert stats is not None and stats.correction == 0
    finite = array[np.isfinite(array)]
    assert stats.std == pytest.approx(np.std(finite), rel=1e-9)
    assert stats.nan == 1 and stats.min == finite.min()
    flipped = array[::-1, ::-2]
    assert array_stats(flipped).mean == pytest.approx(np.nanmean(flipped), rel=1e-9)  # type: ignore[union-attr]
    assert array_stats(np.array(["a", "b"])) is None
    swapped = np.arange(4, dtype=">i4" if np.little_endian else "<i4")
    assert array_stats(swapped) is None  # non-native byte order: said unsupported, not misread
    facts = tm.describe(np.arange(10, dtype=np.uint64))
    assert facts.stats is not None and facts.stats.max == 9


# --- bounded memory ----------------------------------------------------------------------------------------

PEAK_SCRIPT = textwrap.dedent(
    """
    import sys, torch, tensormagic as tm
    torch.manual_seed(0)
    t = torch.randn(int(sys.argv[1]))
    tm.describe(torch.randn(5000))  # first-call costs (lazy imports, kernel set-up) are not per-tensor costs

    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1]) * 1024
        raise KeyError(key)

    # Measured twice: the allocator's own state (arenas, a page left mapped by an earlier free) can add a
    # few MB once under heavy machine load; what describe itself needs shows in the smaller of two runs.
    peaks = []
    for _ in range(2):
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the RSS high-water mark (VmHWM) to the current RSS
        before = status("VmRSS:")
        facts = tm.describe(t)
        peaks.append(status("VmHWM:") - before)
    print(min(peaks), facts.stats.chunks, max(peaks))
    """
)


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc to read peak RSS")
def test_large_tensor_statistics_stay_within_8_mb() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(50_000_000)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    extra, chunks, _worst = (int(x) for x in result.stdout.split())
    assert chunks > 10
    assert extra <= 8 * 10**6, f"describe used {extra / 1e6:.1f} MB beyond the 200 MB tensor"


# --- property: describe never raises, and says what the object is ----------------------------------------

DTYPES = [
    torch.bool,
    torch.uint8,
    torch.int8,
    torch.int16,
    torch.int32,
    torch.int64,
    torch.uint16,
    torch.uint32,
    torch.uint64,
    torch.float16,
    torch.bfloat16,
    torch.float32,
    torch.float64,
    torch.complex64,
    torch.complex128,
    torch.quint8,
    torch.qint8,
    torch.qint32,
]
LAYOUTS = ["strided", "transposed", "expanded", "stepped", "sparse_coo", "sparse_csr"]
SPECIALS = [math.nan, math.inf, -math.inf, 0.0, -0.0, 1e30, -1e-30, 65504.0]


def _filled(shape: tuple[int, ...], dtype: torch.dtype, seed: int, specials: list[float]) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    if dtype == torch.bool:
        return torch.rand(shape, generator=generator) > 0.5
    if dtype in (torch.quint8, torch.qint8, torch.qint32):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            zero_point = 100 if dtype == torch.quint8 else 0
            return torch.quantize_per_tensor(torch.randn(shape, generator=generator), 0.1, zero_point, dtype)
    if not dtype.is_floating_point and not dtype.is_complex:
        if dtype == torch.uint64:
            return torch.randint(-(2**63), 2**63 - 1, shape, generator=generator, dtype=torch.int64).view(torch.uint64)
        info = torch.iinfo(dtype)
        return torch.randint(info.min, info.max, shape, generator=generator, dtype=torch.int64).to(dtype)
    values = torch.randn(shape, generator=generator, dtype=torch.float64) * 100
    flat = values.view(-1)
    for position, special in zip(range(0, flat.numel(), 3), specials, strict=False):
        flat[position] = special
    if dtype.is_complex:
        return torch.complex(values, values.flip(-1) if values.dim() else values).to(dtype)
    return values.to(dtype)


@st.composite
def described_objects(draw: st.DrawFn) -> torch.Tensor:
    dtype = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 6), max_size=3)))
    layout = draw(st.sampled_from(LAYOUTS))
    device = draw(st.sampled_from(["cpu", "meta"]))
    specials = draw(st.lists(st.sampled_from(SPECIALS), max_size=4))
    seed = draw(st.integers(0, 2**16))
    try:
        if device == "meta":
            obj = torch.empty(shape, dtype=dtype, device="meta")
        else:
            obj = _filled(shape, dtype, seed, specials)
        if layout == "transposed" and obj.dim() >= 2:
            obj = obj.transpose(0, -1)
        elif layout == "expanded":
            obj = obj.unsqueeze(0).expand(3, *obj.shape)
        elif layout == "stepped" and obj.dim() >= 1:
            obj = obj[::2]
        elif layout == "sparse_coo":
            obj = obj.to_sparse()
        elif layout == "sparse_csr":
            obj = obj.to_sparse_csr()
    except (RuntimeError, NotImplementedError, TypeError, ValueError, IndexError):
        assume(False)  # torch itself cannot build this combination; nothing to describe
    return obj


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(described_objects())
# Found by hypothesis on a busy CI run: the float64 reference std of a constant is 8.7e-15, the truth (and ours) 0.
@example(torch.tensor([-48.678075071242674], dtype=torch.float64).expand(3))
def test_describe_never_raises_and_states_the_object(obj: torch.Tensor) -> None:
    facts = tm.describe(obj, {"obj": obj})
    assert facts.shape == tuple(obj.shape)
    assert facts.dtype == str(obj.dtype)
    assert facts.numel == obj.numel()
    if obj.device.type == "meta" or obj.numel() == 0:
        assert facts.stats is None and facts.stats_skipped in ("meta", "empty")
        return
    stats = facts.stats
    assert stats is not None, facts.stats_error
    assert stats.count == obj.numel()
    dense = obj
    if obj.layout != torch.strided:  # stored values plus implicit zeros (to_dense would add 0 to NaN+Inf·j)
        stored = (obj.coalesce().values() if obj.layout == torch.sparse_coo else obj.values()).reshape(-1)
        dense = torch.cat([stored, torch.zeros(obj.numel() - stored.numel(), dtype=stored.dtype)])
    if obj.is_quantized:
        dense = dense.dequantize()
    if dense.dtype == torch.bool:
        assert stats.true_count == int(dense.sum())
        return
    if dense.is_complex():
        dense = dense.abs()
    assert_matches(stats, dense, rel_std=1e-5)


# --- the accelerator walk, exercised on the CPU (it uses only device-agnostic ops) --------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
def test_device_walk_matches_float64_references(monkeypatch: pytest.MonkeyPatch, dtype: torch.dtype) -> None:
    monkeypatch.setattr(stats_device, "DEVICE_CHUNK_BYTES", 16384)  # many chunks, some masked
    monkeypatch.setattr(stats_device, "DEVICE_PIECE_BYTES", 4096)  # masked chunks walked in pieces
    generator = torch.Generator().manual_seed(3)
    values = (torch.randn(20_000, generator=generator, dtype=torch.float64) * 3 + 1000).to(dtype)
    values[5] = 0.0
    values[7000] = math.nan
    values[7001] = math.inf
    values[15_000] = -math.inf
    source = values.view(100, 200).t()  # non-contiguous: chunks are copies, walked twice
    acc = stats_moments.Accumulator()
    work = stats_moments.work_dtype(dtype)
    stats_device.walk_device(source, work, acc)
    finite = values[torch.isfinite(values)].double()
    assert (acc.nan, acc.posinf, acc.neginf, acc.zeros) == (1, 1, 1, 1)
    assert acc.count == finite.numel()
    assert acc.low == finite.min().item() and acc.high == finite.max().item()
    assert acc.mean == pytest.approx(finite.mean().item(), rel=1e-7)  # masked chunks sum in the dtype
    assert acc.m2 == pytest.approx(((finite - finite.mean()) ** 2).sum().item(), rel=1e-6)
    assert acc.chunks == math.ceil(20_000 / max(1024, 16384 // work.itemsize))


# --- exact against exact references: offset, constant, huge, tiny and mixed data, every dtype -------------


def exact_summary(values: torch.Tensor, correction: int) -> tuple[float, float, float, float]:
    """(min, max, mean, std) of the finite values, from exact rational arithmetic on the values' own numbers.

    Every float is a dyadic rational, so the values are scaled to integers by one power of two and the
    sums are Python ints: exact. Only the final division and square root round (to about 1 ulp).
    """
    flat = [v for v in values.reshape(-1).tolist() if isinstance(v, int) or math.isfinite(v)]
    fractions = [Fraction(v) for v in flat]
    denominator = max(f.denominator for f in fractions)
    scaled = [f.numerator * (denominator // f.denominator) for f in fractions]
    n = len(scaled)
    total, squares = sum(scaled), sum(x * x for x in scaled)
    mean = Fraction(total, n * denominator)
    # Σ(x - mean)² = (nΣx² - (Σx)²) / n, in units of 1/denominator².
    m2 = Fraction(n * squares - total * total, n * denominator * denominator)
    if n <= correction:  # too few values for the correction: undefined, as torch's std() says with nan
        return float(min(fractions)), float(max(fractions)), float(mean), math.nan
    return float(min(fractions)), float(max(fractions)), float(mean), _sqrt(m2 / (n - correction))


def _sqrt(value: Fraction) -> float:
    """√value to about 1 ulp, also where value itself is beyond float64 (variances of data near 1e308)."""
    if value == 0:
        return 0.0
    half = (value.numerator.bit_length() - value.denominator.bit_length()) // 2
    return math.ldexp(math.sqrt(float(value / Fraction(4) ** half)), half)


def _unit_roundoff(dtype: torch.dtype) -> float:
    """The rounding unit of the dtype statistics are computed in: float32 for ≤32-bit floats, else float64."""
    return 2.0**-24 if stats_moments.work_dtype(dtype) == torch.float32 else 2.0**-53


def assert_exact(stats: Stats, values: torch.Tensor, work_dtype: torch.dtype, correction: int = 1) -> None:
    """min/max exact; mean within 32 rounding units of the std (plus float64's own rounding of the mean);
    std within 16 rounding units, relative, and exactly 0 when every value is equal."""
    low, high, mean, std = exact_summary(values, correction)
    unit = _unit_roundoff(work_dtype)
    assert stats.min == low and stats.max == high
    assert stats.mean is not None and stats.std is not None
    magnitude = max(abs(low), abs(high))
    if math.isnan(std):
        assert math.isnan(stats.std) and stats.mean == mean
        return
    assert abs(stats.mean - mean) <= 32 * unit * std + 4 * 2.0**-53 * magnitude, (stats.mean, mean, std)
    if low == high:
        assert stats.std == 0.0
    else:
        assert math.isfinite(stats.std) and abs(stats.std - std) <= 16 * unit * std, (stats.std, std)


def test_the_issue_examples_are_exact() -> None:
    """Issue 15: an offset, a constant and a huge tensor; float32 sums of the values themselves fail all three."""
    generator = torch.Generator().manual_seed(15)
    offset = torch.full((10**6,), 1e6) + torch.randn(10**6, generator=generator) * 0.1
    stats = tensor_stats(offset)
    truth = offset.double()
    assert stats.std == pytest.approx(truth.std().item(), rel=1e-6)  # was 17% off
    assert stats.mean == pytest.approx(truth.mean().item(), rel=1e-12)
    constant = tensor_stats(torch.full((10**7,), 0.1))
    assert constant.std == 0.0 and constant.mean == float(np.float32(0.1))  # was std 1.6e-08
    huge = torch.tensor([1e308, 1e308, -1e308, 1.7e308], dtype=torch.float64)
    stats = tensor_stats(huge)
    assert stats.mean == pytest.approx(6.75e307, rel=1e-15)  # was inf
    assert stats.std is not None and math.isfinite(stats.std)  # was nan
    assert_exact(stats, huge, torch.float64)


FLOAT_RANGES = {  # (largest finite, smallest positive normal) of each floating dtype
    dtype: (torch.finfo(dtype).max, torch.finfo(dtype).tiny)
    for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64)
}
KINDS = ["offset", "constant", "huge", "tiny", "mixed"]


def _float_data(kind: str, dtype: torch.dtype, n: int, seed: int, level: float) -> torch.Tensor:
    """``n`` values of one kind, as float64 before the cast to ``dtype`` (which rounds them once)."""
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(n, generator=generator, dtype=torch.float64)
    largest, smallest = FLOAT_RANGES[dtype]
    if kind == "offset":  # a large mean and a small spread: where Σx in the dtype loses the spread
        base = 10.0 ** (level * math.log10(largest) * 0.5)
        return base + noise * base * 10.0 ** (-1 - 6 * level)
    if kind == "constant":
        return torch.full((n,), 10.0 ** (level * 6 - 3), dtype=torch.float64) * (-1) ** seed
    if kind == "huge":  # squares and sums overflow the dtype
        return largest * (0.25 + 0.7 * torch.rand(n, generator=generator, dtype=torch.float64)) * noise.sign()
    if kind == "tiny":  # squares underflow the dtype; subnormals included
        return smallest * 10.0 ** (-2 * level) * (1 + noise)
    parts = [  # mixed: segments of different scales and signs, so chunks differ
        noise[: n // 4] * 1e-3 + 7.0,
        noise[n // 4 : n // 2] * 50.0,
        torch.zeros(n // 8, dtype=torch.float64),
        -noise[n // 2 + n // 8 :].abs() * 10.0 ** (level * 4) - 1.0,
    ]
    return torch.cat(parts)


@settings(max_examples=120)
@given(
    dtype=st.sampled_from([torch.float16, torch.bfloat16, torch.float32, torch.float64]),
    kind=st.sampled_from(KINDS),
    n=st.integers(1, 3000),
    seed=st.integers(0, 2**16),
    level=st.floats(0.0, 1.0),
    threaded=st.booleans(),
)
@example(dtype=torch.float32, kind="offset", n=3000, seed=0, level=0.75, threaded=False)
@example(dtype=torch.float64, kind="huge", n=5, seed=1, level=0.0, threaded=False)
def test_floats_are_exact_on_offset_constant_huge_tiny_and_mixed_data(
    dtype: torch.dtype, kind: str, n: int, seed: int, level: float, threaded: bool
) -> None:
    values = _float_data(kind, dtype, n, seed, level).to(dtype)
    assume(bool(torch.isfinite(values).all()))  # the cast may round the largest values up to Inf
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stats_module, "CHUNK_BYTES", 1024)  # several chunks of 1024 elements
        patch.setattr(stats_module, "FAST_CHUNK_BYTES", 1024)
        patch.setattr(stats_module, "SERIAL_ELEMENTS", 0 if threaded else 10**9)
        stats = tensor_stats(values)
    assert stats.count == n and stats.finite == n
    assert_exact(stats, values, dtype)


INTEGER_DTYPES = [torch.uint8, torch.int8, torch.int16, torch.uint16, torch.int32, torch.uint32, torch.int64,
                  torch.uint64]


def _integer_data(kind: str, dtype: torch.dtype, n: int, seed: int, level: float) -> torch.Tensor:
    info = torch.iinfo(dtype)
    generator = torch.Generator().manual_seed(seed)
    spread = max(1, int(2 ** (level * 20)))
    if kind == "offset" or kind == "huge":  # near the top (or the bottom) of the range: float64 rounds there
        near_top = kind == "huge" or seed % 2 == 0
        picks = torch.randint(0, spread, (n,), generator=generator).tolist()
        values = [info.max - p if near_top else info.min + p for p in picks]
        values = [min(max(v, info.min), info.max) for v in values]
    elif kind == "constant":
        values = [info.max - seed % 7] * n
    elif kind == "tiny":
        values = torch.randint(-1 if info.min < 0 else 0, 2, (n,), generator=generator).tolist()
    else:
        low, high = max(info.min, -(2**40)), min(info.max, 2**40)
        values = torch.randint(low, high, (n,), generator=generator).tolist()
        values[: n // 3] = [info.max - k % 3 for k in range(n // 3)]
    if dtype == torch.uint64:  # torch.tensor cannot make uint64 beyond 2**63 from Python ints: go through int64
        return torch.tensor([v - 2**64 if v >= 2**63 else v for v in values], dtype=torch.int64).view(torch.uint64)
    return torch.tensor(values, dtype=dtype)


@settings(max_examples=80)
@given(
    dtype=st.sampled_from(INTEGER_DTYPES),
    kind=st.sampled_from(KINDS),
    n=st.integers(1, 3000),
    seed=st.integers(0, 2**16),
    level=st.floats(0.0, 1.0),
)
@example(dtype=torch.int64, kind="offset", n=3000, seed=0, level=0.3)
def test_integers_are_exact_near_the_top_of_their_range(
    dtype: torch.dtype, kind: str, n: int, seed: int, level: float
) -> None:
    values = _integer_data(kind, dtype, n, seed, level)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stats_module, "CHUNK_BYTES", 1024)  # several chunks of 128 float64 values
        stats = tensor_stats(values)
    low, high, mean, std = exact_summary(values, 1)
    ints = values.tolist()
    assert (stats.min, stats.max) == (min(ints), max(ints))  # Python ints, exact beyond 2**53 too
    assert isinstance(stats.min, int) and stats.mean is not None and stats.std is not None
    if math.isnan(std):  # one value: torch's std (n-1) is nan
        assert math.isnan(stats.std) and stats.mean == mean
        return
    assert abs(stats.mean - mean) <= 1e-12 * std + 4 * 2.0**-53 * max(abs(low), abs(high)), (stats.mean, mean)
    assert abs(stats.std - std) <= 1e-12 * std, (stats.std, std)  # 0 exactly for a constant


def test_complex_magnitudes_and_bool_are_exact() -> None:
    generator = torch.Generator().manual_seed(21)
    for dtype, base, spread in ((torch.complex64, 1e6, 0.1), (torch.complex128, 1e12, 1e-2)):
        real = base + torch.randn(20_000, generator=generator, dtype=torch.float64) * spread
        imag = torch.randn(20_000, generator=generator, dtype=torch.float64) * spread
        values = torch.complex(real, imag).to(dtype)
        stats = tensor_stats(values)
        magnitudes = values.abs()  # what the statistics describe, in the magnitudes' own dtype
        assert stats.of == "abs"
        assert_exact(stats, magnitudes, magnitudes.dtype)
    flags = torch.rand(50_000, generator=generator) > 0.25
    stats = tensor_stats(flags)
    assert (stats.true_count, stats.zeros) == (int(flags.sum()), 50_000 - int(flags.sum()))


# --- masked NumPy arrays -------------------------------------------------------------------------------------


def test_masked_arrays_leave_the_masked_values_out_as_numpy_does() -> None:
    array = np.ma.masked_array([1.0, 100.0, 3.0], mask=[0, 1, 0])
    stats = array_stats(array)
    assert stats is not None
    assert (stats.min, stats.max, stats.mean, stats.std) == (1.0, 3.0, 2.0, 1.0)  # was max 100, mean 34.67
    assert (float(array.min()), float(array.max()), float(array.mean()), float(array.std())) == (1.0, 3.0, 2.0, 1.0)
    assert (stats.count, stats.masked, stats.finite) == (3, 1, 2)


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: np.ma.masked_greater(rng.normal(5, 2, size=(300, 40)), 7.0),
        lambda rng: np.ma.masked_array(rng.normal(0, 1, size=(50, 60)), mask=rng.random((50, 60)) < 0.5)[::-2, 3:],
        lambda rng: np.ma.masked_equal(rng.integers(-5, 5, size=4000), 0),
        lambda rng: np.ma.masked_array([np.nan, 1.0, np.inf, 4.0], mask=[1, 0, 1, 0]),  # NaN/Inf hidden
        lambda rng: np.ma.masked_array(rng.normal(size=700) + 1j * rng.normal(size=700), mask=rng.random(700) < 0.1),
        lambda rng: np.ma.masked_array(rng.normal(1e6, 0.1, size=(3, 200_000)).astype(np.float32),
                                       mask=rng.random((3, 200_000)) < 0.3),
    ],
    ids=["masked_greater", "strided", "int", "hidden-nonfinite", "complex", "large-float32"],
)
def test_masked_arrays_match_numpy_ma(make) -> None:  # type: ignore[no-untyped-def]
    array = make(np.random.default_rng(5))
    stats = array_stats(array)
    assert stats is not None and stats.masked == int(np.ma.count_masked(array)) > 0
    shown = array.compressed()
    values = np.abs(shown) if np.iscomplexobj(shown) else shown
    assert (stats.count, stats.finite, stats.nan) == (array.size, values.size, 0)
    assert stats.min == pytest.approx(values.min(), rel=1e-15) and stats.max == pytest.approx(values.max(), rel=1e-15)
    truth = values.astype(np.float64)
    assert stats.mean == pytest.approx(truth.mean(), rel=1e-9, abs=1e-6 * truth.std())
    assert stats.std == pytest.approx(truth.std(), rel=1e-6)
    assert stats.zeros == int(np.count_nonzero(values == 0))


def test_masked_bool_and_fully_masked_arrays() -> None:
    flags = np.ma.masked_array([True, True, False, True], mask=[1, 0, 0, 0])
    stats = array_stats(flags)
    assert stats is not None and (stats.true_count, stats.zeros, stats.masked) == (2, 1, 1)
    hidden = array_stats(np.ma.masked_array([1.0, 2.0], mask=[1, 1]))
    assert hidden is not None and (hidden.masked, hidden.finite, hidden.mean, hidden.std) == (2, 0, None, None)
    unmasked = array_stats(np.ma.masked_array([1.0, 5.0]))  # no mask at all: an ordinary array
    assert unmasked is not None and (unmasked.masked, unmasked.mean) == (0, 3.0)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_masked_array_annotation_says_the_mask_hides_values(shell, language: str) -> None:  # type: ignore[no-untyped-def]
    from IPython.utils.capture import capture_output

    shell.run_line_magic("config", f'TensorMagic.language = "{language}"')
    shell.run_cell("a = np.ma.masked_array([1., 100., 3.], mask=[0, 1, 0])")
    shell.run_cell("b = np.ma.masked_array([1, 2], mask=[1, 1])")
    texts = []
    for name in ("a", "b"):
        with capture_output() as captured:
            result = shell.run_cell(f"%tensor {name}", store_history=True)
        assert result.error_in_exec is None
        texts.append("\n".join(output.data.get("text/plain", "") for output in captured.outputs))
        html = "".join(output.data.get("text/html", "") for output in captured.outputs)
        assert ("mask hides" if language == "en" else "掩码隐藏了") in html
    if language == "en":
        assert "max 3 · mean 2 · std 1" in texts[0]
        assert "the mask hides 1 of the 3 elements: the statistics leave it out" in texts[0]
        assert "exact, over all 2 elements" in texts[0]
        assert "the mask hides all 2 elements: no statistics" in texts[1]
    else:
        assert "最大值 3 · 平均值 2 · 标准差 1" in texts[0]
        assert "掩码隐藏了 3 个元素中的 1 个" in texts[0] and "全部 2 个元素" in texts[0]
        assert "掩码隐藏了全部 2 个元素" in texts[1]


# --- per-channel quantized tensors -------------------------------------------------------------------------


def _per_channel(axis: int, shape: tuple[int, ...] = (6, 40, 50)) -> torch.Tensor:
    generator = torch.Generator().manual_seed(axis)
    values = torch.randn(shape, generator=generator) * 3
    scales = torch.rand(shape[axis], generator=generator, dtype=torch.float64) * 0.1 + 0.01
    zero_points = torch.randint(-5, 5, (shape[axis],), generator=generator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # quantized constructors are deprecated in torch 2.13
        return torch.quantize_per_channel(values, scales, zero_points, axis, torch.qint8)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_per_channel_quantized_tensors_describe_their_dequantized_values(axis: int, small_chunks: int) -> None:
    q = _per_channel(axis)
    for view in (q, q[1:4], q[2]):  # many chunks of rows; a slice; one row (per-channel or per-tensor then)
        stats = tensor_stats(view)  # was: RuntimeError "length of scales must equal to channel"
        assert stats.of == "dequantized" and stats.count == view.numel()
        assert_exact(stats, view.dequantize(), torch.float32)
        assert stats.zeros == int((view.dequantize() == 0).sum())


@pytest.mark.parametrize("language", ["en", "zh"])
def test_per_channel_quantized_annotation_has_one_header_and_statistics(shell, language: str) -> None:  # type: ignore[no-untyped-def]
    from IPython.utils.capture import capture_output

    shell.run_line_magic("config", f'TensorMagic.language = "{language}"')
    shell.user_ns["q"] = _per_channel(0, (3, 4))
    with capture_output() as captured:
        result = shell.run_cell("%tensor q", store_history=True)
    assert result.error_in_exec is None
    text = "\n".join(output.data.get("text/plain", "") for output in captured.outputs)
    header = text.splitlines()[0]
    label = "quantized" if language == "en" else "量化张量"
    assert header.count(label) == 1 and "per_channel_affine" in header  # was "quantized · quantized (...)"
    assert "Error" not in text and "scales" not in text  # was a RuntimeError's text as the stats line
    assert ("of the dequantized values" if language == "en" else "反量化后的值") in text
    stats = tensor_stats(shell.user_ns["q"])
    assert stats.mean is not None and format_number(stats.mean, 4) in text


# --- the walk's threads ----------------------------------------------------------------------------------------


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every tensor above 0 elements is shared out between threads: two at least, whatever count an earlier
    test left torch with (put back afterwards)."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one CPU: the caller walks alone")
    monkeypatch.setattr(stats_module, "SERIAL_ELEMENTS", 0)
    previous = torch.get_num_threads()
    if previous < 2:
        torch.set_num_threads(2)
    yield
    if previous < 2:
        torch.set_num_threads(previous)


def test_threads_give_the_same_numbers_as_one_walker_bit_for_bit(
    monkeypatch: pytest.MonkeyPatch, small_chunks: int, threaded: None
) -> None:
    generator = torch.Generator().manual_seed(31)
    cases = [
        torch.randn(50_000, generator=generator) * 3 + 1000,
        torch.randn(300, 170, generator=generator).T,  # copies of non-contiguous rows
        torch.randint(-(2**62), 2**62, (20_000,), generator=generator),
        (torch.randn(30_000, generator=generator) * 100).to(torch.bfloat16),
        torch.where(torch.rand(40_000, generator=generator) < 0.01, math.nan, torch.randn(40_000)),
        torch.rand(40_000, generator=generator) < 0.3,
    ]
    for values in cases:
        monkeypatch.setattr(stats_module, "SERIAL_ELEMENTS", 10**12)
        alone = tensor_stats(values)
        monkeypatch.setattr(stats_module, "SERIAL_ELEMENTS", 0)
        shared = tensor_stats(values)
        assert shared == alone  # chunk summaries are combined in chunk order, whoever made them
        assert alone.chunks > 2


def test_large_walks_share_chunks_between_threads_each_with_one_torch_thread(
    monkeypatch: pytest.MonkeyPatch, threaded: None
) -> None:
    seen: list[tuple[str, int]] = []
    original = stats_moments.HostSummariser.chunk
    caller = threading.current_thread()
    worker_walking = threading.Event()

    def recording(self: stats_moments.HostSummariser, chunk: torch.Tensor) -> stats_moments.Accumulator:
        if threading.current_thread() is caller:
            worker_walking.wait(timeout=60)  # however late the scheduler starts the worker, it gets a chunk
        else:
            worker_walking.set()
        seen.append((threading.current_thread().name, torch.get_num_threads()))
        return original(self, chunk)

    monkeypatch.setattr(stats_moments.HostSummariser, "chunk", recording)
    before = torch.get_num_threads()
    stats = tensor_stats(torch.randn(3_000_000))
    assert stats.chunks == len(seen) > 2
    assert {name for name, _ in seen} <= {"tensormagic-stats", threading.current_thread().name}
    assert "tensormagic-stats" in {name for name, _ in seen}  # at least one chunk went to a worker
    assert {threads for _, threads in seen} == {1}  # each thread's own setting, while it walks
    assert torch.get_num_threads() == before  # the caller's, put back exactly


def test_no_other_thread_ever_sees_a_changed_thread_count(threaded: None) -> None:
    """User threads running torch while describe runs, threads starting then, and a thread started after all
    see torch's count as it was.

    ``torch.set_num_threads`` changes the count torch gives every thread that starts using torch after
    it (and, for OpenMP, the calling thread's own): the walk never calls it.
    """
    expected = torch.get_num_threads()
    seen: set[int] = set()
    done = threading.Event()

    def fresh_thread() -> None:  # torch gives a thread its count on first use: what would it get now?
        seen.add(torch.get_num_threads())

    def user_thread() -> None:
        values = torch.randn(100_000)
        while not done.is_set():
            seen.add(torch.get_num_threads())
            values.sum()
            newcomer = threading.Thread(target=fresh_thread)
            newcomer.start()
            newcomer.join()

    watcher = threading.Thread(target=user_thread)
    watcher.start()
    try:
        for _ in range(20):
            tensor_stats(torch.randn(1_000_000))
    finally:
        done.set()
        watcher.join()
    assert seen == {expected} and torch.get_num_threads() == expected
    later: list[int] = []
    starter = threading.Thread(target=lambda: later.append(torch.get_num_threads()))
    starter.start()
    starter.join()
    assert later == [expected]


@pytest.mark.parametrize("where", ["caller", "worker"])
@pytest.mark.parametrize("error", [RuntimeError("broken chunk"), KeyboardInterrupt()])
def test_an_error_while_walking_reaches_the_caller_and_restores_everything(
    monkeypatch: pytest.MonkeyPatch, threaded: None, error: BaseException, where: str
) -> None:
    original = stats_moments.HostSummariser.chunk
    caller = threading.current_thread()
    walking = {"caller": threading.Event(), "worker": threading.Event()}
    everywhere = threading.Event()

    def failing(self: stats_moments.HostSummariser, chunk: torch.Tensor) -> stats_moments.Accumulator:
        me = "caller" if threading.current_thread() is caller else "worker"
        if everywhere.is_set():
            raise error
        # A rendezvous: each kind of thread holds its first chunk until the other has one too (there are 8),
        # so that the error comes from the thread this case names, whatever the scheduler does.
        walking[me].set()
        walking["worker" if me == "caller" else "caller"].wait(timeout=60)
        if me == where:
            raise error
        return original(self, chunk)
    monkeypatch.setattr(stats_moments.HostSummariser, "chunk", failing)
    before = torch.get_num_threads()
    with pytest.raises(type(error)):
        tensor_stats(torch.randn(2_000_000))
    assert not [t for t in threading.enumerate() if t.name == "tensormagic-stats"]
    assert torch.get_num_threads() == before  # the caller's own setting, put back even on the way out
    if isinstance(error, RuntimeError):  # describe turns it into an honest "unsupported", as for any dtype
        everywhere.set()
        facts = tm.describe(torch.randn(2_000_000))
        assert facts.stats is None and facts.stats_error == "RuntimeError: broken chunk"
    assert torch.get_num_threads() == before


class _CountingTensor(torch.Tensor):
    calls: list[str] = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        cls.calls.append(getattr(func, "__name__", str(func)))
        return super().__torch_function__(func, types, args, kwargs or {})


def test_a_subclass_never_sees_the_walk_in_any_thread(threaded: None) -> None:
    """A user's ``__torch_function__`` is not called by describe's reads, in the caller or in a worker thread
    (the caller's ``plain_torch`` setting is thread-local: workers set their own)."""
    values = torch.randn(2_000_000).as_subclass(_CountingTensor)
    _CountingTensor.calls = []
    facts = tm.describe(values)
    direct = tensor_stats(values)
    assert _CountingTensor.calls == []
    assert facts.stats is not None and facts.stats == direct and direct.chunks > 2


@pytest.mark.parametrize("values", [[3.0], [float("nan"), 2.0], [float("inf"), -1.0]])
def test_std_of_one_finite_value_is_what_each_library_says(values: list[float]) -> None:
    """One finite value: torch's std (n-1) is undefined, nan; NumPy's (n) is 0. Never a made-up 0 for torch."""
    tensor = torch.tensor(values)
    finite = tensor[torch.isfinite(tensor)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that the degrees of freedom are <= 0
        expected_torch = float(finite.std())
    assert math.isnan(expected_torch)
    assert math.isnan(tensor_stats(tensor).std)  # type: ignore[arg-type]
    array = np.array(values)
    assert array_stats(array).std == float(np.std(array[np.isfinite(array)])) == 0.0


def test_a_mask_over_the_one_element_is_said_in_the_singular() -> None:
    lone = np.ma.masked_array([1.0], mask=[True])
    assert "the mask hides the one element: no statistics" in str(tm.annotate(lone))
    assert "掩码隐藏了唯一的一个元素：没有统计" in str(tm.annotate(lone, language="zh"))
