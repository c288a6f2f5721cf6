"""The tensor inspector on real tensors and arrays, including the awkward ones."""

from __future__ import annotations

import gc
import math
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import tensormagic as tm
from tensormagic.widgets.inspector import Inspector, covered_elements, sample_steps

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_inspect_returns_a_widget_with_text_fallback() -> None:
    base = torch.arange(24.0).reshape(2, 3, 4)
    view = base[:, 1:, ::2]
    shown = tm.inspect(view, {"base": base, "view": view}, name="view")
    bundle = shown._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    text = bundle["text/plain"]
    assert text.startswith("view · tensor · (2, 2, 2)")
    assert "a view of base" in text
    assert "storage box 4 + i0·12 + i1·4 + i2·2" in text
    assert "use 8 of the 24 boxes" in text
    assert shown.tabs.titles == ("values", "histogram", "memory")


def test_values_tab_slices_any_two_axes() -> None:
    t = torch.arange(24).reshape(2, 3, 4)
    shown = tm.inspect(t)
    window, _, rows, columns = shown.current_slice()
    assert torch.equal(window, t[0])  # default: the last two axes, index 0 on the first
    shown.index_sliders[0].value = 1
    window, described, _, _ = shown.current_slice()
    assert torch.equal(window, t[1]) and described == ["[1, :, :]"]
    shown.controls["row_axis"].value = 0
    shown.controls["column_axis"].value = 2
    shown.index_sliders[1].value = 2
    window, described, _, _ = shown.current_slice()
    assert torch.equal(window, t[:, 2, :]) and described == ["[:, 2, :]"]
    assert "slice [:, 2, :]" in shown.values_view.value


def test_large_slices_are_windowed_with_scroll_sliders() -> None:
    t = torch.arange(100 * 50).reshape(100, 50)
    shown = tm.inspect(t)
    window, _, rows, columns = shown.current_slice()
    assert window.shape == (12, 10) and rows[0] == 0
    shown.controls["row_start"].value = 40
    shown.controls["column_start"].value = 7
    window, _, rows, columns = shown.current_slice()
    assert torch.equal(window, t[40:52, 7:17]) and rows[0] == 40 and columns[0] == 7


def test_histogram_counts_every_value() -> None:
    t = torch.tensor([0.0, 0.0, 1.0, 2.0, 2.0, 2.0, float("nan")])
    shown = tm.inspect(t)
    shown.controls["bins"].value = 3
    data = shown.histogram()
    assert data["counts"] == [2, 1, 3] and data["skipped"] == 1
    assert "<svg" in shown.histogram_view.value


def test_histogram_of_a_large_tensor_is_a_sample() -> None:
    t = torch.zeros(3_000_000)
    shown = tm.inspect(t)
    data = shown.histogram()
    assert data["step"] == 3 and sum(data["counts"]) == 1_000_000


def test_memory_of_transpose_and_expand() -> None:
    x = torch.arange(6.0).reshape(2, 3)
    shown = tm.inspect(x.T, {"x": x})
    assert covered_elements((3, 2), (1, 3), 0).tolist() == [0, 3, 1, 4, 2, 5]
    assert "#1" in shown.memory_view.value  # element order drawn under the boxes
    expanded = torch.ones(3).expand(4, 3)
    text = tm.inspect(expanded).text()
    assert "use 3 of the 3 boxes" in text and "more than once" in text


def test_numpy_array_view_offsets() -> None:
    owner = np.arange(10.0)
    view = owner[2:8:2]
    shown = tm.inspect(view, {"owner": owner, "view": view}, name="view")
    layout = shown.memory_layout()
    assert layout is not None
    assert layout["offset"] == 2 and layout["storage"] == 10
    assert layout["covered"].tolist() == [2, 4, 6]
    assert "view of owner" in shown.text() or "owner" in shown.text()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: torch.empty(1000, 1000, device="meta"), "no values"),
        (lambda: torch.empty(0, 3), "no elements"),
        (lambda: torch.tensor([1 + 2j, 3 - 1j]), "magnitudes"),
        (lambda: torch.tensor([[True, False], [True, True]]), "True: 3"),
        (lambda: torch.eye(4).to_sparse(), "sparse_coo"),
        pytest.param(lambda: torch.quantize_per_tensor(torch.linspace(0, 1, 4), 0.1, 0, torch.quint8), "quantized",
                     marks=pytest.mark.filterwarnings("ignore::UserWarning")),
        (lambda: torch.ones(3, requires_grad=True) * 2, "requires_grad"),
    ],
)
def test_awkward_tensors_are_explained(make: object, expected: str) -> None:
    shown = tm.inspect(make())  # type: ignore[operator]
    everything = shown.text() + "\n" + "\n".join(shown.histogram_lines()) + "\n" + "\n".join(shown.values_lines())
    assert expected in everything
    shown._repr_mimebundle_()


def test_non_tensor_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match="takes a torch.Tensor or a numpy.ndarray, not builtins.list"):
        tm.inspect([1, 2, 3])
    with pytest.raises(TypeError, match="torch.nn"):
        tm.inspect(torch.nn.Linear(2, 2))


def test_chinese_inspector() -> None:
    shown = tm.inspect(torch.arange(6).reshape(2, 3), language="zh")
    assert shown.tabs.titles == ("数值", "直方图", "内存")
    assert "存储" in shown.text()


def test_a_namespace_variable_is_not_kept_alive() -> None:
    namespace = {"x": torch.arange(12.0).reshape(3, 4)}
    ref = weakref.ref(namespace["x"])
    shown = tm.inspect(namespace["x"], namespace)
    assert not shown.holds_strongly and shown.facts.name == "x"
    shown.controls["column_start"].value = 0  # still sliceable while the variable exists
    assert "slice [:, :]" in shown.values_view.value
    del namespace["x"]
    gc.collect()
    assert ref() is None
    assert "no longer exists" in "\n".join(shown.values_lines())
    assert "no longer exists" in shown.text()
    shown.update_values()  # a slider moved after the variable was deleted: a sentence, not an exception
    shown.update_histogram()


def test_close_releases_the_tensor() -> None:
    t = torch.ones(1000)
    ref = weakref.ref(t)
    shown = Inspector(t)
    del t
    gc.collect()
    assert ref() is not None  # documented: the inspector holds what it shows
    shown.close()
    gc.collect()
    assert ref() is None


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cuda_tensor_inspector() -> None:
    gen = torch.Generator(device="cuda").manual_seed(0)
    base = torch.randn(4, 5, 6, device="cuda", generator=gen)
    view = base[1:, :, ::2]
    shown = tm.inspect(view, {"base": base, "view": view}, name="view")
    window, _, _, _ = shown.current_slice()
    assert window.device.type == "cpu" and torch.equal(window, view[0].cpu())
    assert sum(shown.histogram()["counts"]) == view.numel()
    text = shown.text()
    assert "cuda" in text and "a view of base" in text
    assert "storage box 30 + i0·30 + i1·6 + i2·2" in text
    shown._repr_mimebundle_()
    big = torch.zeros(3_000_000, device="cuda")
    assert tm.inspect(big).histogram()["step"] == 3
    torch.set_default_device("cuda")
    try:
        from tensormagic.cards import card

        assert card("cnn").numbers["output_shape"] == (1, 8, 26, 26)
        assert card("perceptron").numbers["mlp_accuracy"] == 1.0
    finally:
        torch.set_default_device(None)


# --- bounded: the inspector reads only what it shows --------------------------------------------------------

INSPECT_PEAK_SCRIPT = textwrap.dedent(
    """
    import sys
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "tensormagic")
    shell.run_cell("import torch; small = torch.randn(3, 1).expand(3, 5000)")
    with capture_output():
        shell.run_cell("%tensor -w small")  # first-call costs (ipywidgets import, kernel set-up) are not the view's
    shell.run_cell(f"view = torch.randn(4, 1).expand(4, {sys.argv[1]})")

    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1]) * 1024
        raise KeyError(key)

    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the RSS high-water mark (VmHWM) to the current RSS
    before = status("VmRSS:")
    with capture_output() as captured:
        result = shell.run_cell("%tensor -w view")  # widget, text and HTML: every tab is computed
    extra = status("VmHWM:") - before
    assert result.error_in_exec is None, captured.stdout
    text = captured.outputs[0].data["text/plain"]
    print(extra, "on a regular grid with steps (1, 200)" in text, "storage box 0 + i0·1 + i1·0" in text)
    """
)


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc to read peak RSS")
def test_inspector_on_a_stride_0_view_reads_only_what_it_shows() -> None:
    # 2e8 elements over 4 stored floats: a flattened copy would take 800 MB; the inspector needs a few MB.
    result = subprocess.run(
        [sys.executable, "-c", INSPECT_PEAK_SCRIPT, str(50_000_000)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1],
    )
    extra, sampled, formula = result.stdout.split()
    assert sampled == "True" and formula == "True", result.stdout
    assert int(extra) <= 64 * 10**6, f"the inspector used {int(extra) / 1e6:.1f} MB for a view of 16 bytes"


@given(st.lists(st.integers(0, 10**9), max_size=5), st.integers(1, 10**6))
def test_sample_steps_bound_the_sample_for_every_shape(shape: list[int], limit: int) -> None:
    steps = sample_steps(tuple(shape), limit)
    counts = [math.ceil(n / s) for n, s in zip(shape, steps, strict=True)]
    assert math.prod(counts) <= max(limit, 0) or math.prod(shape) <= limit
    assert all(s >= 1 for s in steps)
    if math.prod(shape) <= limit:
        assert set(steps) <= {1}  # small views are read whole


def test_histogram_of_an_expanded_view_is_a_grid_sample() -> None:
    view = torch.arange(4.0).reshape(4, 1).expand(4, 3_000_000)
    shown = tm.inspect(view)
    data = shown.histogram()
    assert sum(data["counts"]) == 1_000_000 and data["counts"][0] == 250_000  # every row, every 12th column
    assert "1,000,000 of the 12,000,000 values, on a regular grid with steps (1, 12)" in "\n".join(
        shown.histogram_lines()
    )


# --- odd objects -----------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: torch.zeros(4, 2, dtype=torch.uint8).view(torch.float4_e2m1fn_x2),
         "torch implements no copy or conversion for dtype float4_e2m1fn_x2"),
        (lambda: torch.zeros(3, dtype=torch.uint8).view(torch.bits8), "no copy or conversion for dtype bits8"),
        (lambda: torch.nested.nested_tensor([torch.ones(2), torch.ones(3)], layout=torch.jagged),
         "nested (jagged): 2 tensors"),
        (lambda: torch.nested.nested_tensor([torch.ones(2), torch.ones(3)]), "one buffer of 20 B"),
        (lambda: torch.ones(3, dtype=torch.complex32), "magnitudes"),
    ],
)
def test_odd_dtypes_and_layouts_are_explained(make: object, expected: str) -> None:
    shown = tm.inspect(make())  # type: ignore[operator]
    bundle = shown._repr_mimebundle_()
    assert expected in bundle["text/plain"] or expected in "\n".join(shown.histogram_lines()), bundle["text/plain"]


@pytest.mark.parametrize("dtype", [torch.float8_e4m3fn, torch.float8_e5m2, torch.uint16, torch.uint32, torch.bfloat16])
def test_narrow_and_unsigned_dtypes_show_their_values(dtype: torch.dtype) -> None:
    shown = tm.inspect(torch.arange(6).reshape(2, 3).to(dtype))
    assert shown.current_slice()[0].tolist() == [[0, 1, 2], [3, 4, 5]]  # type: ignore[union-attr]
    assert sum(shown.histogram()["counts"]) == 6
    shown._repr_mimebundle_()


def test_a_subclass_is_inspected_without_its_torch_function() -> None:
    calls: list[str] = []

    class Counting(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            calls.append(getattr(func, "__name__", str(func)))
            return super().__torch_function__(func, types, args, kwargs or {})

    counting = torch.arange(6.0).reshape(2, 3).as_subclass(Counting)
    calls.clear()
    shown = tm.inspect(counting, {"counting": counting})
    shown.index_sliders[0].value = 1
    shown._repr_mimebundle_()
    assert calls == []


def test_histogram_bins_are_half_open_except_the_last_which_holds_the_maximum() -> None:
    """torch.histc counts a value equal to max in the last bin: that bin is written closed, the others half-open."""
    values = torch.arange(11, dtype=torch.float32)  # 0 … 10: 10 falls in the last bin
    shown = Inspector(values)
    shown.controls["bins"].value = 10
    bins = [line for line in shown.histogram_lines() if line.startswith("  [")]
    assert len(bins) == 10
    assert all(")" in line.split("█")[0] for line in bins[:-1])
    last = bins[-1]
    assert "10]" in last.replace(" ", "") and last.rstrip().endswith(" 2")  # 9 and 10
    counts = [int(line.split()[-1]) for line in bins]
    assert counts == torch.histc(values, bins=10, min=0, max=10).to(torch.int64).tolist()
