"""The user's own torch hooks see the cell's calls only, never tensormagic's: a counting tensor subclass, a torch
function mode and a dispatch mode count the same under ``%%explain`` as without it — even where the explanation
reads values (a log that gives -inf, a training step) and so computes something itself."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

import tensormagic as tm

CELL = (
    "x = torch.log(torch.tensor([0.0, 1.0]))\n"
    "m = nn.Linear(2, 1)\nopt = torch.optim.SGD(m.parameters(), lr=0.1)\n"
    "loss = m(torch.ones(3, 2)).sum()\nopt.zero_grad()\nloss.backward()\nopt.step()\n"
    "y = c + 1\n"
)


class Counting(torch.Tensor):
    calls: list[str] = []

    @classmethod
    def __torch_function__(cls, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        cls.calls.append(getattr(func, "__name__", str(func)))
        return super().__torch_function__(func, types, args, kwargs or {})


class FunctionCounter(TorchFunctionMode):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        self.calls.append(getattr(func, "__name__", str(func)))
        return func(*args, **(kwargs or {}))


class DispatchCounter(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        self.calls.append(str(func))
        return func(*args, **(kwargs or {}))


def counts(explain: bool) -> tuple[list[str], list[str], list[str]]:
    torch.manual_seed(0)
    namespace: dict[str, Any] = {"torch": torch, "nn": nn, "c": torch.ones(2).as_subclass(Counting)}
    Counting.calls = []
    with FunctionCounter() as functions, DispatchCounter() as dispatches:
        if explain:
            tm.explain(CELL, namespace)
        else:
            exec(compile(CELL, "<plain>", "exec"), namespace)
    return Counting.calls, functions.calls, dispatches.calls


def test_user_hooks_count_the_same_with_and_without_explain() -> None:
    plain, explained = counts(False), counts(True)
    assert explained[0] == plain[0] == ["add"]  # the subclass saw the cell's one call on it
    assert explained[1] == plain[1]  # the user's function mode: the same calls, in the same order
    assert explained[2] == plain[2]  # the user's dispatch mode: the same aten ops
