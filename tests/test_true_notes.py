"""Sentences that were false or misleading, each pinned by a test that failed before it was fixed (issue 8, §2).

Each test states what torch really does (checked in the test itself where cheap) and what the note must, and must
not, say. The claims checker (``test_claims.py``) guards the general case; these keep the known cases named.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import torch

import tensormagic as tm
from tensormagic.explanation import Explanation


def explained(source: str, language: str = "en", **names: Any) -> Explanation:
    namespace: dict[str, Any] = {"torch": torch, "np": np, **names}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return tm.explain(source, namespace, language)
        except Exception as error:  # noqa: BLE001 - a cell that raises still has its explanation
            return error.tensormagic_explanation  # type: ignore[attr-defined,no-any-return]


def texts(e: Explanation, line: int | None = None) -> list[str]:
    return [n.text for s in e.steps if line is None or s.line == line for c in s.calls for n in c.notes]


def keys(e: Explanation, line: int | None = None) -> list[str]:
    return [n.key for s in e.steps if line is None or s.line == line for c in s.calls for n in c.notes]


# -- aliasing is decided at the moment of the call -------------------------------------------------------------------
def test_a_rebound_name_is_not_said_to_change() -> None:
    e = explained("x = torch.ones(3)\ny = x\nx = x + 10\ny += 1")
    said = " ".join(texts(e, 4))
    assert "y += … changes y in place" in said
    assert "x" not in said.replace("y += … changes y in place", "")  # x was rebound before: only y changed


def test_an_alias_still_bound_is_said_to_change() -> None:
    e = explained("p = torch.zeros(4)\nq = p\nq.add_(1)")
    assert any("p is another name for this very tensor, so it shows the change too" in t for t in texts(e, 3))


# -- comparisons and promotion ---------------------------------------------------------------------------------------
def test_a_comparison_gives_bool_and_is_not_called_a_promotion() -> None:
    assert (torch.tensor([1, 2, 3]) > 1.5).dtype == torch.bool
    e = explained("a = torch.tensor([1, 2, 3])\nb = a > 1.5\npred = a\nlabels = a\nok = pred == labels")
    gt = texts(e, 2)
    assert any("a > 1.5 gives bool" in t and "compared as float32" in t for t in gt)
    assert not any("default float type" in t or "promotion" in t for t in gt)
    eq = texts(e, 5)
    assert any("pred == labels gives bool" in t for t in eq)
    assert not any("type promotion" in t for t in eq)


def test_a_zero_dim_tensor_does_not_raise_the_type() -> None:
    assert (torch.tensor([1.0, 2.0]) + torch.tensor(1.5, dtype=torch.float64)).dtype == torch.float32
    e = explained("r = torch.tensor([1., 2.]) + torch.tensor(1.5, dtype=torch.float64)")
    assert "note.dtype.zero_dim_same_kind" in keys(e)
    assert not any("float32 and float64 give float32" in t for t in texts(e))


def test_where_promotes_its_values_not_its_condition() -> None:
    e = explained(
        "w = torch.where(torch.tensor([True, False]), torch.tensor([1, 2], dtype=torch.int32), torch.tensor([1., 2.]))"
    )
    promotion = [t for t in texts(e) if "promotion" in t]
    assert promotion and promotion[0].startswith("int32 and float32 give float32")


def test_explicit_dtype_names_the_default_for_that_data() -> None:
    assert torch.tensor([1, 2]).dtype == torch.int64
    e = explained("t = torch.tensor([1, 2], dtype=torch.int32)\nf = torch.tensor([1.5], dtype=torch.float64)")
    assert "dtype=int32 is given, so the default for this data (int64) is not used" in texts(e, 1)
    assert "dtype=float64 is given, so the default for this data (float32) is not used" in texts(e, 2)


# -- legacy constructors ---------------------------------------------------------------------------------------------
def test_legacy_constructor_converts_a_float64_array_and_says_so() -> None:
    n64 = np.ones(3)
    assert torch.Tensor(n64).dtype == torch.float32
    e = explained("a = torch.Tensor(n64)", n64=n64)
    (call,) = e.calls
    assert call.result is not None and call.result.dtype == "torch.float32"
    assert "note.copy.from" in keys(e) and "element type float64 → float32" in texts(e)
    assert not any("float64, PyTorch's default" in t for t in texts(e))


def test_legacy_constructor_shares_a_float32_arrays_memory() -> None:
    n32 = np.ones(3, dtype=np.float32)
    e = explained("b = torch.Tensor(n32)", n32=n32)
    assert any(t.startswith("shares memory with n32") for t in texts(e))


def test_legacy_constructor_follows_the_default_dtype() -> None:
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        e = explained("t = torch.Tensor([1, 2])")
    finally:
        torch.set_default_dtype(before)
    said = texts(e)
    assert any("the default float type, now float64" in t for t in said)
    assert not any("float32" in t for t in said)


# -- a call that raised ----------------------------------------------------------------------------------------------
def test_a_failed_in_place_call_is_not_said_to_change_anything() -> None:
    e = explained("w = torch.ones(3, requires_grad=True)\nw.add_(1)")
    said = texts(e, 2)
    assert not any("changes w in place" in t for t in said)
    assert any("w is unchanged" in t and "torch.no_grad()" in t for t in said)


def test_a_failed_broadcast_gets_no_advice_to_use_the_in_place_method() -> None:
    for line in ("x * torch.ones(2)", "x.mul(torch.ones(2))"):
        e = explained(f"x = torch.ones(3)\n{line}")
        said = texts(e, 2)
        assert any("cannot be broadcast" in t for t in said)
        assert not any("mul_()" in t for t in said)


# -- temporaries -----------------------------------------------------------------------------------------------------
def test_from_numpy_of_a_copy_is_independent_of_the_original() -> None:
    e = explained("n1 = np.ones(3)\nt = torch.from_numpy(n1.copy())")
    said = texts(e, 2)
    assert any("independent of n1" in t for t in said)
    assert not any("shares memory with the NumPy array n1.copy()" in t for t in said)


def test_a_view_of_a_temporary_does_not_speak_of_writing_to_it() -> None:
    e = explained("v = torch.arange(3).reshape(3, 1)")
    said = " ".join(texts(e))
    assert "a view of torch.arange(3): same memory, nothing copied" in said
    assert "writing to one changes the other" not in said


def sharing(obj: Any, **names: Any) -> list[str]:
    """What %tensor and the inspector say of ``obj``'s memory, searched in ``names``."""
    from tensormagic.render.annotation import sharing_sentences

    return sharing_sentences(tm.describe(obj, {**names, "obj": obj}, name="obj"), "en")


def test_from_numpy_of_a_temporary_does_not_own_its_memory() -> None:
    """The issue: ``%tensor t = torch.from_numpy(np.ones(3))`` said "owns its memory"; a NumPy array owns it."""
    t = torch.from_numpy(np.ones(3))
    assert not t.untyped_storage().resizable()  # torch's own mark of memory it did not allocate
    said = sharing(t)
    assert said and not any("owns" in s for s in said)
    assert "uses memory it did not allocate" in said[0]
    from_tensor = torch.arange(3.0).numpy()  # the array's memory is a tensor's
    assert not from_tensor.flags.owndata and "uses memory it did not allocate" in sharing(from_tensor)[0]


def test_a_strided_view_of_a_temporary_is_not_said_to_own_its_memory() -> None:
    view = torch.arange(10)[::2]
    assert view._is_view() and view._base is not None  # its base lives on, unnamed
    said = sharing(view)
    assert said and not any("owns" in s for s in said) and "a view of an object no variable names" in said[0]
    array_view = np.arange(10)[::2]
    assert "a view of an object no variable names" in sharing(array_view)[0]


def test_memory_of_its_own_is_still_said_to_be_owned() -> None:
    t = torch.arange(3.0)
    assert t.untyped_storage().resizable() and not t._is_view()
    assert sharing(t) == ["owns its memory: shares it with no other variable"]
    n = np.ones(3)
    assert n.flags.owndata and sharing(n) == ["owns its memory: shares it with no other variable"]


def test_a_copy_of_a_named_array_is_not_said_to_own_borrowed_memory() -> None:
    n1 = np.ones(3)
    t = torch.from_numpy(n1.copy())
    said = sharing(t, n1=n1)
    assert not any("owns" in s for s in said)


# -- smaller ones ----------------------------------------------------------------------------------------------------
def test_transpose_of_a_1d_tensor_swaps_nothing() -> None:
    e = explained("x = torch.arange(3.)\nxt = x.T")
    said = " ".join(texts(e, 2))
    assert ".T has no axes to swap" in said and "axes swapped" not in said


def test_empty_is_not_said_to_be_never_zero() -> None:
    said = " ".join(texts(explained("e = torch.empty(2)")))
    assert "not necessarily zeros" in said


def test_to_the_same_device_returns_the_tensor_itself_for_the_right_reason() -> None:
    x = torch.ones(3)
    assert x.to("cpu") is x
    said = " ".join(texts(explained("c = x.to('cpu')", x=x)))
    assert "nothing to convert (float32 on cpu already): x itself is returned" in said
    assert "already float32:" not in said


def test_a_power_is_explained_once() -> None:
    e = explained("x = torch.arange(3.)\np = x ** 2")
    assert keys(e, 2).count("note.broadcast.scalar") == 1


def test_a_reduction_over_several_axes_reads_right() -> None:
    e = explained("s = torch.ones(2, 3, 4).sum(dim=(0, 2))")
    assert "sum(dim=(0, 2)) on (2, 3, 4): axes 0 and 2 are reduced away → (3,)" in texts(e)
    zh = texts(e.in_language("zh"))
    assert "sum(dim=(0, 2)) 作用于 (2, 3, 4)：第 0、2 轴被归约消去 → (3,)" in zh
    assert not any("压缩" in t for t in zh)


def test_item_of_float32_explains_the_extra_digits() -> None:
    assert torch.tensor(0.1).item() == 0.10000000149011612
    said = " ".join(texts(explained("i = torch.tensor(0.1).item()")))
    assert "0.10000000149011612" in said and "nearest to 0.1" in said


def test_linspace_has_its_own_code_not_half_open() -> None:
    e = explained("l = torch.linspace(0, 1, 5)")
    codes = {n.code for c in e.calls for n in c.notes}
    assert "both-ends" in codes and "half-open" not in codes


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_note_of_these_cells_carries_a_claim(language: str) -> None:
    e = explained(
        "n1 = np.ones(3)\nt1 = torch.from_numpy(n1)\nt1[0] = 5\nm = torch.arange(6).view(2, 3)\ns = m.sum(dim=0)",
        language,
    )
    assert all(note.claims for call in e.calls for note in call.notes)


def test_counts_agree_with_their_numbers_in_both_languages() -> None:
    """The issue: "(s)" plurals, "1 elements", and "含有 2 NaN" without its measure word."""
    one = str(tm.annotate(torch.tensor([2.5])))
    assert "over the one element in 1 chunk of" in one and "(s)" not in one
    assert "std is nan" in one  # one value, n-1: torch's std() is nan, and we say why
    mixed = torch.tensor([1.0, float("nan"), float("nan"), float("inf")])
    english = str(tm.annotate(mixed))
    assert "contains 2 NaN, 1 +Inf" in english and "ignore the 3 non-finite values" in english
    chinese = str(tm.annotate(mixed, language="zh"))
    assert "含有 2 个 NaN、1 个 +Inf" in chinese and "(s)" not in chinese
