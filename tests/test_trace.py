"""The recorder: names as written, line mapping, descriptor noise, hooks entered only when needed and always
restored, traceback pruning. Driven through ``tensormagic.explain`` (real torch, real exec)."""

from __future__ import annotations

import sys
import traceback
from typing import Any

import numpy as np
import pytest
import torch
import torch.random

import tensormagic as tm
from tensormagic.record import Recorder, prune_traceback


def names_by_line(source: str, **extra: Any) -> dict[int, list[str]]:
    e = tm.explain(source, {"torch": torch, "np": np, **extra})
    return {step.line: [call.name for call in step.calls] for step in e.steps}


def test_operators_are_named_as_written() -> None:
    source = "\n".join(
        [
            "t = torch.ones(2, 2)",  # 1
            "a = t * 2",  # 2
            "b = t.mul(2)",  # 3
            "c = 10 - t",  # 4
            "t += 1",  # 5
            "d = t @ t",  # 6
            "e = torch.matmul(t, t)",  # 7
            "f = t[0]",  # 8
            "t[1] = 5",  # 9
            "g = t.T",  # 10
            "h = -t",  # 11
            "i = t > 1",  # 12
            "j = torch.nn.functional.relu(t)",  # 13
            "k = t.neg_()",  # 14
        ]
    )
    assert names_by_line(source) == {
        1: ["torch.ones"],
        2: ["Tensor.__mul__"],
        3: ["Tensor.mul"],
        4: ["Tensor.__rsub__"],
        5: ["Tensor.__iadd__"],
        6: ["Tensor.__matmul__"],
        7: ["torch.matmul"],
        8: ["Tensor.__getitem__"],
        9: ["Tensor.__setitem__"],
        10: ["Tensor.T"],
        11: ["Tensor.__neg__"],
        12: ["Tensor.__gt__"],
        13: ["torch.nn.functional.relu"],
        14: ["Tensor.neg_"],
    }


def test_descriptor_reads_and_printing_are_not_steps() -> None:
    source = "t = torch.ones(2, 3)\ns = t.shape\nd = t.dtype\nn = t.ndim\nprint(t, repr(t), f'{t}')\nr = t.mT\n"
    assert names_by_line(source) == {1: ["torch.ones"], 6: ["Tensor.mT"]}


def test_calls_inside_cell_functions_map_to_their_own_lines() -> None:
    source = "def f(x):\n    y = x + 1\n    return y.sum()\n\nout = f(torch.zeros(3))\n"
    assert names_by_line(source) == {2: ["Tensor.__add__"], 3: ["Tensor.sum"], 5: ["torch.zeros"]}


def test_legacy_constructors_and_from_numpy_are_caught() -> None:
    source = (
        "n = np.arange(4)\na = torch.from_numpy(n)\nb = torch.Tensor(2, 3)\nc = torch.LongTensor([1.9, -1.9])\n"
        "d = torch.DoubleTensor([1, 2])\n"
    )
    e = tm.explain(source, {"torch": torch, "np": np})
    assert [c.name for c in e.calls] == ["torch.from_numpy", "torch.Tensor", "torch.LongTensor", "torch.DoubleTensor"]
    (long,) = e.find("torch.LongTensor")
    note = next(n for n in long.notes if n.code == "dtype-change")
    assert note.params["examples"] == "1.9 → 1, -1.9 → -1"
    (empty,) = e.find("torch.Tensor")
    assert "uninitialized" in empty.codes
    (double,) = e.find("torch.DoubleTensor")
    assert "note.dtype.to_float" in [n.key for n in double.notes]


def test_dispatch_mode_only_when_the_source_needs_it() -> None:
    assert not Recorder({"x"}, "y = torch.rand(3) @ torch.rand(3)").use_dispatch
    assert Recorder({"x"}, "t = torch.from_numpy(n)").use_dispatch
    assert Recorder({"x"}, "t = torch.IntTensor([1])").use_dispatch
    assert not Recorder({"x"}, "t = torch.ones(1)").use_seed_proxy
    assert Recorder({"x"}, "torch.manual_seed(0)").use_seed_proxy


def test_seed_proxy_is_restored_even_when_the_cell_fails() -> None:
    real = torch.random.default_generator
    with pytest.raises(ZeroDivisionError):
        tm.explain("torch.manual_seed(5)\n1 / 0", {"torch": torch})
    assert torch.random.default_generator is real
    assert torch.initial_seed() == 5
    assert not torch._C._is_torch_function_mode_enabled()


def test_explaining_draws_no_random_numbers() -> None:
    source = "torch.manual_seed(11)\nx = torch.rand(4)\ny = torch.randn(2, 2)\nz = torch.randint(0, 5, (3,))\n"
    plain: dict[str, Any] = {"torch": torch}
    exec(source, plain)
    state = torch.get_rng_state()
    explained: dict[str, Any] = {"torch": torch}
    tm.explain(source, explained)
    assert torch.equal(torch.get_rng_state(), state)
    for name in ("x", "y", "z"):
        assert torch.equal(plain[name], explained[name])


def test_matmul_shape_variants() -> None:
    source = (
        "v = torch.ones(3)\nm = torch.ones(2, 3)\nb = torch.ones(5, 2, 3)\nw = torch.ones(3, 4)\n"
        "dot = v @ v\nmv = m @ v\nvm = v @ w\nbatched = b @ w\n"
    )
    e = tm.explain(source, {"torch": torch})
    keys = {step.line: step.calls[0].notes[0].key for step in e.steps if step.line >= 5}
    assert keys == {5: "note.matmul.dot", 6: "note.matmul.mv", 7: "note.matmul.vm", 8: "note.matmul.batched"}
    batched = e.find("Tensor.__matmul__", 8)[0].notes[0].params
    assert (batched["result"], batched["batch"], batched["inner"]) == ("(5, 2, 4)", "(5,)", 3)


def test_reduction_variants() -> None:
    source = (
        "t = torch.arange(24.).view(2, 3, 4)\nk = t.sum(dim=1, keepdim=True)\nvalues, idx = t.max(dim=2)\n"
        "a = t.argmax()\ni = torch.tensor([[1, 2], [3, 4]], dtype=torch.int32).sum()\n"
    )
    e = tm.explain(source, {"torch": torch})
    keep = {n.key: n.params for n in e.find("Tensor.sum", 2)[0].notes}
    assert keep["note.reduce.keepdim"]["result"] == "(2, 1, 4)"
    maximum = {n.key: n.params for n in e.find("Tensor.max", 3)[0].notes}
    assert maximum["note.reduce.values_indices"]["result"] == "(2, 3)"
    assert e.find("Tensor.argmax", 4)[0].notes[0].params["count"] == 24
    assert "note.dtype.sum_int" in [n.key for n in e.find("Tensor.sum", 5)[0].notes]


def test_type_promotion_and_division() -> None:
    source = "i = torch.tensor([1, 2])\nf = i + 0.5\nq = i / 2\nfl = i // 2\nmixed = i * torch.ones(2)\n"
    e = tm.explain(source, {"torch": torch})
    key = {step.line: [n.key for n in step.calls[-1].notes if n.code == "dtype-change"] for step in e.steps}
    assert key[2] == ["note.dtype.scalar_float"]
    assert key[3] == ["note.dtype.true_div"]
    assert key[4] == ["note.dtype.floor_div"]
    assert key[5] == ["note.dtype.promotion"]


def test_prune_traceback_removes_only_our_frames() -> None:
    def user_code() -> None:
        tm.explain("torch.ones(2, 3) @ torch.ones(2, 3)", {"torch": torch})

    try:
        user_code()
    except RuntimeError:
        tb = sys.exc_info()[2]
    names = [frame.name for frame in traceback.extract_tb(tb)]
    assert "__torch_function__" not in names and "first_call" not in names
    assert names[0] == "test_prune_traceback_removes_only_our_frames" and "user_code" in names
    prune_traceback(None)  # harmless on nothing


def test_library_internals_are_not_steps_but_user_functions_are() -> None:
    source = (
        "model = torch.nn.Linear(3, 1)\n"  # 1: nn.Linear's own init maths is torch's business
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"  # 2
        "loss = model(torch.ones(2, 3)).sum()\n"  # 3: the forward pass's linear is shown, not the init
        "loss.backward()\n"  # 4
        "opt.step()\n"  # 5: the step itself is explained; the optimizer's own add_ calls are internals
        "class Box:\n"
        "    def __init__(self, t):\n"
        "        self.t = t\n"
        "    def __add__(self, other):\n"
        "        return Box(self.t.add(other.t))\n"  # 10: a cell function: its own line
        "b = Box(torch.ones(2)) + Box(torch.ones(2))\n"  # 11
    )
    lines = names_by_line(source)
    assert lines == {
        3: ["torch.ones", "torch.nn.functional.linear", "Tensor.sum"],
        4: ["Tensor.backward"],
        5: ["torch.optim.SGD.step"],
        10: ["Tensor.add"],
        11: ["torch.ones"],
    }


def test_user_function_from_elsewhere_is_named_by_function_not_by_operator() -> None:
    helper: dict[str, Any] = {"torch": torch}
    exec("class Wrapped:\n    def __add__(self, other):\n        return torch.mul(torch.ones(2), 2)\n", helper)
    e = tm.explain("w = Wrapped() + Wrapped()\n", {"torch": torch, "Wrapped": helper["Wrapped"]})
    assert [c.name for c in e.calls] == ["torch.ones", "torch.mul"]  # not Tensor.__add__: the cell's + is user code
    (mul,) = e.find("torch.mul")
    scalar = next(n for n in mul.notes if n.key == "note.broadcast.scalar")
    assert scalar.params["name"] == "tensor (2,)" and scalar.params["scalar"] == "2"


def test_default_dtype_notes_follow_the_dtype_torch_chose() -> None:
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        e = tm.explain("a = torch.tensor([1.5, 2])\nb = torch.ones(2)\nc = torch.arange(0.5, 3)\n", {"torch": torch})
    finally:
        torch.set_default_dtype(previous)
    params = {step.line: step.calls[0].notes[0].params for step in e.steps}
    assert params == {1: {"dtype": "float64"}, 2: {"dtype": "float64"}, 3: {"dtype": "float64"}}


def test_out_argument_is_an_in_place_write() -> None:
    e = tm.explain("a = torch.ones(3)\nbuf = torch.empty(3)\ntorch.add(a, 1, out=buf)\n", {"torch": torch})
    (add,) = e.find("torch.add")
    note = next(n for n in add.notes if n.code == "in-place")
    assert note.params == {"target": "buf", "method": "add"}


def test_ops_run_from_a_frame_like_their_callers_and_keep_nothing_after() -> None:
    """Warnings raised by an op name the cell's line and registry (``tm.explain`` runs the source with exec)."""
    import warnings

    namespace: dict[str, Any] = {"torch": torch, "np": np, "__name__": "cellmodule"}
    source = "q = torch.ones(4)\nr = q.resize(2, 2)\nx = torch.tensor(q)\n"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e = tm.explain(source, namespace)
    assert [(w.lineno, w.category) for w in caught] == [(2, UserWarning), (3, UserWarning)]
    assert len({w.filename for w in caught}) == 1 and caught[0].filename.startswith("<tensormagic-explain-")
    assert "__warningregistry__" in namespace  # the cell's own globals, as without the recorder
    assert [call.name for step in e.steps for call in step.calls if step.line == 2] == ["Tensor.resize"]

    recorder = Recorder({"<cell>"}, "t = torch.ones(2) + 1")
    code = compile("t = torch.ones(2) + 1", "<cell>", "exec")
    with recorder:
        exec(code, {"torch": torch})
    assert not recorder.calls  # trampolines hold their callers' globals: dropped with the cell
