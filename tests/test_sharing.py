"""Memory sharing: decided from byte ranges of storages and buffers, said truthfully, never by identity."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tensormagic as tm
from tensormagic.sharing import (
    Sharing,
    element_overlap,
    element_span,
    find_sharing,
    memory_groups,
    storage_span,
    user_arrays,
)


def sharing_of(obj: object, namespace: dict[str, object], **kwargs: object) -> dict[str, Sharing]:
    return {s.name: s for s in tm.describe(obj, namespace, stats=False, **kwargs).shares_with}  # type: ignore[arg-type]


def test_from_numpy_shares_memory_with_its_array() -> None:
    n1 = np.ones((2, 3))
    t1 = torch.from_numpy(n1)
    ns = {"n1": n1, "t1": t1}
    found = sharing_of(t1, ns)
    assert found["n1"] == Sharing("n1", "ndarray", "shares", "all")
    assert found["t1"].relation == "alias"
    t1[0, 0] = 5.0  # the sharing is real: a write to one shows in the other
    assert n1[0, 0] == 5.0
    assert tm.describe(t1, ns, sources=["n1"]).copies_of == ()


def test_torch_tensor_copies() -> None:
    n1 = np.ones((2, 3))
    copy = torch.tensor(n1)
    ns = {"n1": n1, "copy": copy}
    facts = tm.describe(copy, ns, sources=["n1"], stats=False)
    assert "n1" not in {s.name for s in facts.shares_with}
    assert facts.copies_of == ("n1",)
    assert facts.sharing_checked


def test_numpy_of_a_tensor_shares_and_its_copy_does_not() -> None:
    t = torch.arange(6.0)
    shared, copied = t.numpy(), t.numpy().copy()
    ns = {"t": t, "shared": shared, "copied": copied}
    assert sharing_of(shared, ns)["t"] == Sharing("t", "tensor", "shares", "all")
    assert "t" not in sharing_of(copied, ns)
    assert tm.describe(copied, ns, sources=["t"], stats=False).copies_of == ("t",)


def test_views_of_a_tensor() -> None:
    t = torch.arange(12.0).view(3, 4)
    row, reshaped, transposed = t[0], t.view(4, 3), t.T
    ns = {"t": t, "row": row, "reshaped": reshaped, "transposed": transposed}
    assert sharing_of(row, ns)["t"] == Sharing("t", "tensor", "view-of", "some")
    assert sharing_of(reshaped, ns)["t"] == Sharing("t", "tensor", "view-of", "all")
    assert sharing_of(transposed, ns)["t"] == Sharing("t", "tensor", "view-of", "all")
    assert sharing_of(t, ns)["row"].relation == "base-of"
    assert tm.describe(row, ns, stats=False).name == "row"  # named through its alias


def test_rows_share_a_storage_but_no_element() -> None:
    t = torch.arange(12.0).view(3, 4)
    first, second = t[0], t[1]
    ns = {"t": t, "first": first, "second": second}
    found = sharing_of(first, ns)
    assert found["second"] == Sharing("second", "tensor", "siblings", "none")
    assert storage_span(first) == storage_span(second)  # one storage ...
    assert element_overlap(first, second) == "none"  # ... no common element
    assert element_overlap(t[:, ::2], t[:, 1::2]) == "none"  # interleaved columns: exact, not by range
    assert element_overlap(t[:, :3], t[:, 2:]) == "some"


def test_meta_and_empty_tensors_share_nothing() -> None:
    meta, empty = torch.empty(10**6, device="meta"), torch.empty(0)
    t = torch.arange(4.0)
    ns = {"meta": meta, "empty": empty, "t": t, "other_meta": torch.empty(10, device="meta")}
    assert storage_span(meta) is None and storage_span(empty) is None and element_span(meta) is None
    assert find_sharing(meta, ns) == () and find_sharing(empty, ns) == ()
    assert "meta" not in sharing_of(t, ns) and "empty" not in sharing_of(t, ns)
    assert element_overlap(meta, ns["other_meta"]) == "none"


def test_sharing_is_by_address_not_identity() -> None:
    base = np.arange(10.0)
    left, right = base[:6], base[4:]  # two different objects over overlapping bytes
    ns = {"left": left, "right": right}
    found = find_sharing(left, ns)
    assert {s.name: s.elements for s in found} == {"left": "all", "right": "some"}
    assert next(s for s in found if s.name == "right").relation == "siblings"
    assert find_sharing(np.arange(10.0), ns) == ()  # equal values, own memory


def test_memory_groups_and_user_arrays() -> None:
    n1 = np.ones(3)
    t = torch.arange(8.0)
    ns = {
        "n1": n1,
        "t1": torch.from_numpy(n1),
        "t": t,
        "half": t[4:],
        "alone": torch.zeros(2),
        "meta": torch.empty(3, device="meta"),
        "_hidden": t,  # IPython's history names are not the user's
        "number": 3,
    }
    assert [name for name, _ in user_arrays(ns)] == ["n1", "t1", "t", "half", "alone", "meta"]
    groups = sorted(sorted(group) for group in memory_groups(ns))
    assert groups == [["alone"], ["half", "t"], ["meta"], ["n1", "t1"]]


# --- odd layouts and objects --------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_sparse_tensors_share_their_values_memory() -> None:
    indices, values = torch.tensor([[0, 1], [1, 0]]), torch.tensor([3.0, 4.0])
    coo = torch.sparse_coo_tensor(indices, values, (2, 2))
    csr = torch.sparse_csr_tensor(torch.tensor([0, 1, 2]), torch.tensor([1, 0]), values, (2, 2))
    ns = {"values": values, "coo": coo, "csr": csr, "dense": torch.eye(2).to_sparse()}
    assert sharing_of(coo, ns)["values"] == Sharing("values", "tensor", "shares", "all")
    assert set(sharing_of(csr, ns)) == {"values", "coo", "csr"}
    assert "dense" not in sharing_of(coo, ns)
    assert sorted(sorted(g) for g in memory_groups(ns)) == [["coo", "csr", "values"], ["dense"]]
    values[0] = 30.0  # the sharing is real
    assert coo.to_dense()[0, 1] == 30.0


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_quantized_views_share_storage_with_elements_unknown() -> None:
    quantized = torch.quantize_per_tensor(torch.arange(4.0), 0.5, 0, torch.quint8)
    row = quantized[1:]
    found = sharing_of(row, {"quantized": quantized})
    assert found["quantized"].elements == "unknown"  # not "shares none of its elements": that was never checked


class Raising(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        raise ValueError("raised by the user's __torch_function__")


def test_a_raising_subclass_anywhere_in_the_namespace_is_located() -> None:
    base = torch.arange(6.0)
    hostile = base[2:].as_subclass(Raising)
    ns = {"base": base, "hostile": hostile, 7: torch.ones(1), "alone": torch.zeros(2)}  # a non-str key, too
    assert sharing_of(base, ns)["hostile"].relation == "base-of"
    assert find_sharing(hostile, ns)[0].name == "base"
    assert sorted(sorted(g) for g in memory_groups(ns)) == [["alone"], ["base", "hostile"]]
    assert element_overlap(hostile, base) == "some"


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_nested_tensors_are_located_through_their_buffer() -> None:
    values = torch.arange(10.0)
    jagged = torch.nested.nested_tensor_from_jagged(values, torch.tensor([0, 4, 10]))
    packed = torch.nested.nested_tensor([torch.ones(2), torch.ones(3)])
    ns = {"values": values, "jagged": jagged, "packed": packed}
    assert sharing_of(jagged, ns)["values"].elements == "all"
    assert "packed" not in sharing_of(jagged, ns)
    assert storage_span(packed) is not None and element_span(packed) is not None
    assert sorted(sorted(g) for g in memory_groups(ns)) == [["jagged", "values"], ["packed"]]
