"""Each rule on its own, from hand-built call sites: a table of (call, what the site saw) -> the notes' keys.

The end-to-end tests run real cells; these pin each rule's decisions without a recorder, so a rule can be changed
and tested alone (adding a note code touches its rule module, its messages and a row here).
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

from tensormagic.notes.build import notes_for
from tensormagic.notes.context import CallContext
from tensormagic.ops import canonical_op
from tensormagic.record.site import ErrorInfo, Site, Value, summarize


def number(value: float | int) -> Value:
    return summarize(value)


def context(name: str, *args: Any, result: Any = None, texts: list[str] | None = None, **site: Any) -> CallContext:
    """A call of ``name`` as the recorder would have seen it: arguments and result summarised, nothing recorded."""
    kwargs = site.pop("kwargs", {})
    built = Site(code=None, lasti=0, func=None, kind=site.pop("kind", "function"), order=1, count=1, **site)
    built.args = tuple(a if isinstance(a, Value) else summarize(a) for a in args)
    built.kwargs = {k: v if isinstance(v, Value) else summarize(v) for k, v in kwargs.items()}
    built.result = result if isinstance(result, Value) or result is None else summarize(result)
    ctx = CallContext(name=name, op=canonical_op(name), site=built, count=1, language="en")
    ctx.texts = texts or []
    return ctx


def keys(ctx: CallContext) -> list[str]:
    return [note.key for note in notes_for(ctx)]


a23 = torch.ones(2, 3)
CASES: list[tuple[str, CallContext, list[str]]] = [
    (
        "reduce: per column",
        context("Tensor.sum", a23, 0, result=torch.ones(3), texts=["t", "0"]),
        ["note.reduce.per_column"],
    ),
    (
        "reduce: several axes",
        context("Tensor.sum", torch.ones(2, 3, 4), (0, 2), result=torch.ones(3)),
        ["note.reduce.dims"],
    ),
    ("reduce: all elements", context("Tensor.mean", a23, result=torch.tensor(1.0)), ["note.reduce.all"]),
    (
        "matmul: 2-d",
        context("Tensor.__matmul__", a23, torch.ones(3, 4), result=torch.ones(2, 4), texts=["a", "b"]),
        ["note.matmul.2d"],
    ),
    (
        "broadcast: two shapes",
        context("Tensor.__add__", a23, torch.ones(3), result=a23, texts=["a", "b"]),
        ["note.broadcast.shapes", "note.broadcast.stretch", "note.broadcast.rule"],
    ),
    (
        "comparison: bool, not promotion",
        context(
            "Tensor.__gt__", torch.tensor([1, 2]), number(1.5), result=torch.tensor([False, True]), texts=["a", "1.5"]
        ),
        ["note.broadcast.scalar", "note.dtype.comparison_mixed"],
    ),
    (
        "promotion: a Python float",
        context(
            "Tensor.__add__", torch.tensor([1, 2]), number(0.5), result=torch.tensor([1.5, 2.5]), texts=["i", "0.5"]
        ),
        ["note.broadcast.scalar", "note.dtype.scalar_float"],
    ),
    (
        "conversion: truncation with values",
        context(
            "Tensor.int",
            torch.tensor([1.7, -2.5]),
            result=torch.tensor([1, -2], dtype=torch.int32),
            texts=["x"],
            values=((1.7, -2.5), (1, -2)),
        ),
        ["note.dtype.truncate_seen"],
    ),
    (
        "in place: the target and who shares it",
        context("Tensor.add_", torch.ones(3), number(1), result=torch.ones(3), texts=["x", "1"]),
        ["note.inplace.method", "note.broadcast.scalar"],
    ),
    (
        "a call that raised: only the error rules speak",
        context(
            "Tensor.__mul__",
            torch.ones(3),
            torch.ones(2),
            texts=["x", "y"],
            error=ErrorInfo("RuntimeError", "The size of tensor a (3) must match the size of tensor b (2)"),
        ),
        ["note.error.broadcast"],
    ),
    (
        "arange: half-open",
        context("torch.arange", number(3), result=torch.arange(3), texts=["3"]),
        ["note.default.arange_int", "note.halfopen.arange"],
    ),
    (
        "linspace: both ends",
        context("torch.linspace", number(0), number(1), number(5), result=torch.linspace(0, 1, 5)),
        ["note.default.factory_float", "note.linspace.both_ends"],
    ),
    (
        "empty: uninitialized",
        context("torch.empty", number(2), result=torch.empty(2)),
        ["note.default.factory_float", "note.uninitialized"],
    ),
    (
        "item: float32 widened",
        context("Tensor.item", torch.tensor(0.1), result=number(0.10000000149011612), texts=["t"]),
        ["note.item.widened"],
    ),
    (
        "cat: joins along an axis",
        context(
            "torch.cat", Value("tuple", items=(summarize(a23), summarize(torch.ones(1, 3)))), result=torch.ones(3, 3)
        ),
        ["note.join.cat"],
    ),
    (
        "view of a temporary",
        context(
            "Tensor.reshape",
            torch.arange(3),
            (3, 1),
            result=torch.arange(3).reshape(3, 1),
            texts=["torch.arange(3)"],
            relations=("view",),
        ),
        ["note.view.of_temporary"],
    ),
]


@pytest.mark.parametrize(("title", "ctx", "expected"), CASES, ids=[case[0] for case in CASES])
def test_rule_table(title: str, ctx: CallContext, expected: list[str]) -> None:
    assert keys(ctx) == expected
