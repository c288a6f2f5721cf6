"""Facts: every field, for representative tensors and ndarrays; a clear TypeError for anything else."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tensormagic as tm
from tensormagic.facts import RAGGED, Facts, Nested
from tensormagic.sharing import MemorySpan


def test_contiguous_float_tensor_every_field() -> None:
    t = torch.arange(12.0).view(3, 4).clone()  # owns its memory: not a view
    facts = tm.describe(t)
    assert isinstance(facts, Facts)
    assert (facts.kind, facts.type_name) == ("tensor", "torch.Tensor")
    assert (facts.shape, facts.ndim, facts.dtype, facts.device) == ((3, 4), 2, "torch.float32", "cpu")
    assert (facts.numel, facts.itemsize, facts.nbytes) == (12, 4, 48)
    assert (facts.strides, facts.storage_offset, facts.contiguous, facts.layout) == ((4, 1), 0, True, "strided")
    assert (facts.requires_grad, facts.grad_fn, facts.is_leaf) == (False, None, True)
    assert (facts.is_view, facts.expanded, facts.storage_nbytes) == (False, False, 48)
    assert facts.storage == MemorySpan("cpu", t.data_ptr(), t.data_ptr() + 48)
    assert (facts.nnz, facts.quantization) == (None, None)
    assert facts.stats is not None and facts.stats_skipped is None and facts.stats_error is None
    assert (facts.stats.min, facts.stats.max, facts.stats.mean, facts.stats.zeros) == (0.0, 11.0, 5.5, 1)
    assert facts.stats.std == pytest.approx(np.std(np.arange(12.0), ddof=1))
    assert (facts.shares_with, facts.copies_of, facts.name, facts.extra) == ((), (), None, {})
    assert not facts.sharing_checked and not facts.is_empty


def test_view_with_offset_and_strides() -> None:
    t = torch.arange(12.0).view(3, 4)
    column = t[:, 1]
    facts = tm.describe(column, {"t": t, "column": column})
    assert (facts.shape, facts.strides, facts.storage_offset) == ((3,), (4,), 1)
    assert (facts.contiguous, facts.is_view, facts.storage_nbytes, facts.nbytes) == (False, True, 48, 12)
    assert facts.name == "column" and facts.sharing_checked
    assert {s.name for s in facts.shares_with} == {"t", "column"}


def test_expanded_view() -> None:
    facts = tm.describe(torch.ones(3).expand(4, 3))
    assert facts.expanded and facts.strides == (0, 1) and facts.numel == 12
    assert facts.storage_nbytes == 12 and facts.nbytes == 48  # 12 elements over 3 stored ones
    assert facts.stats is not None and facts.stats.repeat == 4


def test_autograd_fields() -> None:
    leaf = torch.ones(2, requires_grad=True)
    product = leaf * 3
    parameter = torch.nn.Parameter(torch.zeros(2))
    assert (tm.describe(leaf).requires_grad, tm.describe(leaf).grad_fn, tm.describe(leaf).is_leaf) == (
        True,
        None,
        True,
    )
    facts = tm.describe(product)
    assert (facts.requires_grad, facts.grad_fn, facts.is_leaf) == (True, "MulBackward0", False)
    assert tm.describe(parameter).type_name == "torch.nn.Parameter"


def test_sparse_quantized_and_meta() -> None:
    coo = torch.tensor([[0.0, 2.0], [3.0, 0.0]]).to_sparse()
    facts = tm.describe(coo)
    assert (facts.layout, facts.nnz, facts.strides, facts.contiguous) == ("sparse_coo", 2, None, False)
    assert facts.storage == MemorySpan("cpu", coo._values().data_ptr(), coo._values().data_ptr() + 8)  # its values
    assert facts.stats is not None and facts.stats.of == "stored" and facts.stats.zeros == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        csr = torch.tensor([[0.0, 2.0], [3.0, 0.0]]).to_sparse_csr()
        quantized = torch.quantize_per_tensor(torch.tensor([1.0, 2.0]), 0.5, 2, torch.quint8)
        quantized_meta = torch.empty(4, dtype=torch.qint8, device="meta")
    assert (tm.describe(csr).layout, tm.describe(csr).nnz) == ("sparse_csr", 2)
    facts = tm.describe(quantized)
    assert (facts.layout, facts.dtype, facts.itemsize) == ("quantized", "torch.quint8", 1)
    assert facts.quantization == "torch.per_tensor_affine: scale=0.5, zero_point=2"
    assert facts.stats is not None and facts.stats.of == "dequantized" and facts.stats.max == 2.0
    facts = tm.describe(quantized_meta)  # no quantizer to ask: said, not raised
    assert facts.quantization == "unknown" and facts.stats_skipped == "meta"
    meta = tm.describe(torch.empty(10**12, device="meta"))
    assert (meta.device, meta.numel, meta.nbytes, meta.storage, meta.storage_nbytes) == (
        "meta",
        10**12,
        4 * 10**12,
        None,
        None,
    )
    assert meta.stats is None and meta.stats_skipped == "meta"


def test_empty_zero_dim_bool_and_disabled_statistics() -> None:
    empty = tm.describe(torch.empty(3, 0))
    assert empty.is_empty and empty.stats is None and empty.stats_skipped == "empty" and empty.storage is None
    scalar = tm.describe(torch.tensor(7))
    assert (scalar.shape, scalar.ndim, scalar.strides, scalar.dtype) == ((), 0, (), "torch.int64")
    assert scalar.stats is not None and (scalar.stats.min, scalar.stats.max) == (7, 7)
    flags = tm.describe(torch.tensor([True, False, True]))
    assert flags.stats is not None and flags.stats.true_count == 2
    skipped = tm.describe(torch.ones(3), stats=False)
    assert skipped.stats is None and skipped.stats_skipped == "disabled"


def test_ndarray_every_field() -> None:
    base = np.array([[0, 1, 2], [3, 4, 5]], dtype=np.int32)  # owns its memory
    facts = tm.describe(base)
    assert (facts.kind, facts.type_name, facts.shape, facts.dtype, facts.device) == (
        "ndarray",
        "numpy.ndarray",
        (2, 3),
        "int32",
        "cpu",
    )
    assert (facts.numel, facts.itemsize, facts.nbytes, facts.strides) == (6, 4, 24, (3, 1))
    assert (facts.storage_offset, facts.contiguous, facts.layout, facts.is_view, facts.expanded) == (
        0,
        True,
        "strided",
        False,
        False,
    )
    assert (facts.requires_grad, facts.grad_fn, facts.is_leaf, facts.nnz, facts.quantization) == (
        False,
        None,
        None,
        None,
        None,
    )
    start = base.__array_interface__["data"][0]
    assert facts.storage == MemorySpan("cpu", start, start + 24)
    assert facts.stats is not None and facts.stats.correction == 0 and facts.stats.std == pytest.approx(np.std(base))
    assert tm.describe(np.arange(6).reshape(2, 3)).is_view  # reshape's result is a view of arange's array
    transposed = tm.describe(base.T)
    assert (transposed.strides, transposed.contiguous, transposed.is_view) == ((1, 3), False, True)
    broadcast = tm.describe(np.broadcast_to(np.arange(3.0), (4, 3)))
    assert broadcast.expanded and broadcast.stats is not None and broadcast.stats.repeat == 4


def test_ndarray_without_numeric_statistics() -> None:
    strings = tm.describe(np.array(["a", "bc"]))
    assert strings.stats is None and strings.stats_skipped == "unsupported"
    objects = tm.describe(np.array([object(), None]))
    assert objects.stats is None and objects.storage is None
    assert tm.describe(np.zeros((0, 4))).stats_skipped == "empty"


@pytest.mark.parametrize("value", [3, 2.5, [1, 2], "text", None, {"t": torch.ones(1)}])
def test_non_tensors_raise_a_clear_type_error(value: object) -> None:
    with pytest.raises(TypeError, match=r"takes a torch\.Tensor or a numpy\.ndarray, not"):
        tm.describe(value)


# --- nested tensors: their components, honestly ------------------------------------------------------------


def test_jagged_nested_tensor() -> None:
    jagged = torch.nested.nested_tensor([torch.ones(2, 4), torch.arange(12.0).view(3, 4)], layout=torch.jagged)
    facts = tm.describe(jagged, {"jagged": jagged})
    assert facts.shape == (2, RAGGED, 4) and facts.numel == 20 and facts.nbytes == 80
    assert facts.nested == Nested("jagged", 2, ((2, 4), (3, 4)), packed=True)
    assert (facts.layout, facts.strides, facts.storage_nbytes) == ("jagged", None, 80)
    assert facts.stats is not None and facts.stats.count == 20 and facts.stats.of == "values"
    assert facts.stats.max == 11 and facts.stats.zeros == 1
    text = str(tm.annotate(jagged, name="jagged"))
    assert text.startswith("jagged · tensor · (2, *, 4) · float32 · cpu · 80 B · nested (jagged): 2 tensors")
    assert "tensor([[ 0.,  1.,  2.,  3.]," in text  # the components' values, as torch prints them


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_strided_nested_tensor_and_many_components() -> None:
    packed = torch.nested.nested_tensor([torch.ones(k + 1) for k in range(40)])
    facts = tm.describe(packed)
    assert facts.shape == (40, RAGGED) and facts.numel == sum(range(1, 41))
    assert facts.nested is not None and facts.nested.layout == "strided" and facts.nested.count == 40
    assert facts.nested.shapes == ((1,), (2,), (3,), (4,), (5,), (6,))  # the first few
    assert facts.stats is not None and facts.stats.mean == 1.0
    annotation = tm.annotate(packed)
    assert "… 34 more" in annotation.values_text and annotation.values_text.count("  tensor(") == 6
    same = torch.nested.nested_tensor([torch.ones(2, 3), torch.ones(2, 3)])
    assert tm.describe(same).shape == (2, 2, 3)  # nothing ragged where every component agrees


def test_a_narrowed_jagged_tensor_is_not_summarised_through_foreign_elements() -> None:
    base = torch.arange(10.0).view(2, 5)
    narrowed = torch.nested.narrow(base, 1, torch.tensor([0, 1]), torch.tensor([2, 3]), layout=torch.jagged)
    facts = tm.describe(narrowed, {"base": base})
    assert facts.numel == 5 and facts.nested is not None and not facts.nested.packed
    assert facts.stats is None and facts.stats_skipped == "nested_gaps"
    assert "a narrowed view" in str(tm.annotate(narrowed))
    shares = {s.name: s for s in facts.shares_with}
    assert shares["base"].elements == "unknown"  # same buffer; which elements, not mapped


# --- subclasses are read as plain tensors --------------------------------------------------------------------


class Raising(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        raise ValueError("raised by the user's __torch_function__")


def test_a_subclass_whose_torch_function_raises_is_described() -> None:
    hostile = torch.arange(4.0).as_subclass(Raising)
    facts = tm.describe(hostile, {"hostile": hostile, "other": torch.ones(2)})
    assert facts.type_name.endswith("Raising") and facts.shape == (4,) and facts.name == "hostile"
    assert facts.stats is not None and facts.stats.max == 3.0
    assert "Raising([0., 1., 2., 3.])" in str(tm.annotate(hostile))
    assert tm.describe(torch.ones(2), {"hostile": hostile}).sharing_checked  # the namespace scan survives it


def test_a_subclass_sees_none_of_describes_calls() -> None:
    calls: list[object] = []

    class Counting(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            calls.append(func)
            return super().__torch_function__(func, types, args, kwargs or {})

    counting = torch.randn(100).as_subclass(Counting)
    calls.clear()
    str(tm.annotate(counting, {"counting": counting}))
    str(tm.overview({"counting": counting}))
    assert calls == []


def test_a_wrapper_subclass_without_storage_claims_no_sharing() -> None:
    class Wrapper(torch.Tensor):
        @staticmethod
        def __new__(cls, elem: torch.Tensor) -> Wrapper:
            return torch.Tensor._make_wrapper_subclass(cls, elem.shape, dtype=elem.dtype)  # type: ignore[attr-defined]

        @classmethod
        def __torch_dispatch__(cls, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            raise KeyError("raised by the user's __torch_dispatch__")

    wrapped = Wrapper(torch.ones(3))
    facts = tm.describe(wrapped, {"wrapped": wrapped})
    assert facts.shape == (3,) and facts.stats is None and facts.stats_skipped == "unsupported"
    assert "KeyError" in (facts.stats_error or "")
    assert not facts.sharing_checked  # its memory could not be located: no "owns its memory" claim
    assert "owns its memory" not in str(tm.annotate(wrapped, {"wrapped": wrapped}))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_nested_edge_cases_are_described() -> None:
    empty = tm.describe(torch.nested.nested_tensor([]))
    assert empty.numel == 0 and empty.nested is not None and empty.nested.count == 0 and empty.stats_skipped == "empty"
    meta = torch.nested.nested_tensor([torch.ones(2), torch.ones(3)], layout=torch.jagged, device="meta")
    facts = tm.describe(meta)
    assert facts.device == "meta" and facts.nested is not None and facts.nested.shapes == ()  # no lengths to read
    assert "2 tensors of shapes …" in str(tm.annotate(meta))
    jagged = torch.nested.nested_tensor([torch.ones(2, 3), torch.ones(4, 3)], layout=torch.jagged)
    facts = tm.describe(jagged.transpose(1, 2))
    assert facts.shape == (2, 3, RAGGED) and facts.nested is not None and facts.nested.shapes == ((3, 2), (3, 4))
    with_grad = torch.nested.nested_tensor([torch.ones(2), torch.ones(3)], layout=torch.jagged, requires_grad=True)
    facts = tm.describe(with_grad)
    assert facts.requires_grad and facts.stats is not None and facts.stats.count == 5
