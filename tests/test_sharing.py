"""Memory sharing: decided from byte ranges of storages and buffers, said truthfully, never by identity."""

from __future__ import annotations

import numpy as np
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
