"""The tensor inspector on real tensors and arrays, including the awkward ones."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
import torch

import tensormagic as tm
from tensormagic.widgets.inspector import Inspector, covered_elements

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
