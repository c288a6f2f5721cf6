"""Weeks 2-3 explained: backward(), accumulating gradients, zero_grad(), step(), no_grad, the graph's cuts, joins,
softmax, losses, numbers gone wrong and the layers of a forward pass — each note checked against torch."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import torch
from claims import explain_checked
from torch import nn

import tensormagic as tm
from tensormagic.explanation import Explanation


def run(source: str, language: str = "en", **names: Any) -> Explanation:
    namespace: dict[str, Any] = {"torch": torch, "np": np, "nn": nn, **names}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explanation, problems, _error = explain_checked(source, namespace, language)
    assert problems == []  # every claim these notes make holds
    explanation.max_lines = 500
    return explanation


def keys(e: Explanation, line: int | None = None) -> list[str]:
    return [n.key for s in e.steps if line is None or s.line == line for c in s.calls for n in c.notes]


def params(e: Explanation, key: str) -> dict[str, Any]:
    return next(n.params for c in e.calls for n in c.notes if n.key == key)


TRAINING = """\
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
X = torch.randn(8, 2)
Y = X.sum(dim=1, keepdim=True)
for step in range(3):
    pred = model(X)
    loss = ((pred - Y) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_backward_names_the_leaves_that_received_gradients() -> None:
    e = run(TRAINING)
    leaves = params(e, "note.backward.leaves")
    assert leaves["count"] == 4
    for name in ("model[0].weight (4, 2)", "model[0].bias (4,)", "model[2].weight (1, 4)", "model[2].bias (1,)"):
        assert name in leaves["leaves"]
    assert params(e, "note.backward.nonleaf")["names"] == "pred"
    assert "note.backward.freed" in keys(e)


def test_zero_grad_and_step_are_explained_with_their_numbers() -> None:
    e = run(TRAINING)
    cleared = params(e, "note.zero_grad.none")
    assert (cleared["owner"], cleared["count"], cleared["total"]) == ("opt", 4, 4)
    (step,) = e.find("torch.optim.SGD.step")
    assert step.count == 3
    changed = params(e, "note.step.changed")
    assert (changed["changed"], changed["total"]) == (4, 4)
    assert float(changed["largest"]) > 0
    assert params(e, "note.step.rule_sgd")["lr"] == "0.1"


def test_a_loop_without_zero_grad_is_said_to_accumulate() -> None:
    e = run(TRAINING.replace("    opt.zero_grad()\n", ""))
    adds = params(e, "note.grad.loop_adds")
    assert (adds["count"], adds["total"]) == (2, 3)


def test_a_second_backward_adds_to_the_gradient_with_its_norms() -> None:
    e = run("w = torch.tensor([1.0, 2.0], requires_grad=True)\n(w * 3).sum().backward()\n(w * 3).sum().backward()")
    added = params(e, "note.grad.added_norm")
    assert added["names"] == "w"
    assert float(added["after"]) == pytest.approx(2 * float(added["before"]), rel=1e-3)


def test_backward_errors_are_explained() -> None:
    twice = run("w = torch.ones(3, requires_grad=True)\nloss = (w * w).sum()\nloss.backward()\nloss.backward()")
    assert "note.backward.twice" in keys(twice, 4)
    not_scalar = run("w = torch.ones(3, requires_grad=True)\n(w * 2).backward()")
    assert "note.backward.not_scalar" in keys(not_scalar, 2)


def test_a_graph_without_saved_tensors_is_not_said_to_be_freed() -> None:
    e = run("w = torch.ones(3, requires_grad=True)\nloss = w.sum()\nloss.backward()\nloss.backward()")
    assert "note.backward.freed" not in keys(e)  # sum saves nothing: a second backward works, and it did


def test_adam_and_momentum_rules() -> None:
    adam = run(TRAINING.replace("torch.optim.SGD(model.parameters(), lr=0.1)", "torch.optim.Adam(model.parameters())"))
    assert params(adam, "note.step.rule_adam")["betas"] == "0.9, 0.999"
    momentum = run(TRAINING.replace("lr=0.1)", "lr=0.1, momentum=0.9)"))
    assert params(momentum, "note.step.rule_momentum")["momentum"] == "0.9"


def test_no_grad_requires_grad_and_the_graphs_cuts() -> None:
    e = run(
        "w = torch.ones(2, requires_grad=True)\ny = w * 3\nd = w.detach()\nc = w.clone()\ni = y.sum().item()\n"
        "with torch.no_grad():\n    z = w * 2\n    w -= 0.1\n"
    )
    assert params(e, "note.requires_grad.propagates")["grad_fn"] == "MulBackward0"
    assert "note.graph.detach" in keys(e, 3) and "note.graph.clone" in keys(e, 4) and "note.graph.item" in keys(e, 5)
    assert "note.no_grad.off" in keys(e, 7) and "note.no_grad.inplace" in keys(e, 8)
    numpy = run("w = torch.ones(2, requires_grad=True)\nw.numpy()")
    assert "note.graph.numpy" in keys(numpy, 2)


def test_cat_stack_softmax_and_losses() -> None:
    e = run(
        "c = torch.cat([torch.ones(2, 3), torch.zeros(1, 3)])\ns = torch.stack([torch.ones(3), torch.zeros(3)])\n"
        "logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])\np = torch.softmax(logits, dim=1)\n"
        "l1 = nn.functional.cross_entropy(logits, torch.tensor([0, 1]))\n"
        "l2 = nn.functional.cross_entropy(p, torch.tensor([0, 1]))\n"
        "m = nn.functional.mse_loss(torch.ones(4, 1), torch.zeros(4))\n"
    )
    assert params(e, "note.join.cat")["result"] == "(3, 3)" and params(e, "note.join.stack")["result"] == "(2, 3)"
    assert params(e, "note.softmax.probabilities_sums")["sums"] in ("1", "0.999999 … 1", "1 … 1")
    assert params(e, "note.loss.cross_entropy")["n"] == 2
    assert "note.loss.softmax_twice" in keys(e, 6) and "note.loss.softmax_twice" not in keys(e, 5)
    assert params(e, "note.loss.broadcast")["shape"] == "(4, 4)"
    wrong = run("nn.functional.cross_entropy(torch.randn(2, 3), torch.tensor([0.0, 1.0]))")
    assert "note.loss.target_dtype" in keys(wrong)


def test_numbers_gone_wrong() -> None:
    e = run(
        "a = torch.log(torch.tensor([0.0, -1.0, 2.0]))\nb = torch.sqrt(torch.tensor([-1.0]))\n"
        "c = torch.exp(torch.tensor([100.0]))\nd = torch.tensor([0.0, 1.0]) / torch.tensor([0.0, 0.0])\n"
        "u = torch.tensor([250], dtype=torch.uint8) + 10\nq = torch.ones(2, 3).squeeze(0)\n"
    )
    assert params(e, "note.nonfinite.count")["count"] == 2 and "note.nonfinite.why_log" in keys(e, 1)
    for line, reason in ((2, "note.nonfinite.why_sqrt"), (3, "note.nonfinite.why_exp"), (4, "note.nonfinite.why_div")):
        assert reason in keys(e, line)
    wrapped = params(e, "note.nonfinite.wrapped")
    assert (wrapped["a"], wrapped["b"], wrapped["got"]) == (250, 10, 4)
    assert params(e, "note.nonfinite.squeeze")["size"] == 2


def test_layers_are_named_as_the_user_built_them() -> None:
    e = run(TRAINING)
    layers = [n.params for c in e.calls for n in c.notes if n.key == "note.layer.call"]
    assert [(p["path"], p["summary"], p["parameters"]) for p in layers] == [
        ("model[0]", "Linear(2 → 4)", 12),
        ("model[1]", "ReLU()", 0),
        ("model[2]", "Linear(4 → 1)", 5),
    ]
    assert {c.group for c in e.calls if c.layer} == {"model"}


def test_the_training_loop_reads_in_chinese() -> None:
    e = run(TRAINING, "zh")
    text = str(e)
    assert "梯度反向传播到了 4 个叶子张量" in text and "zero_grad() 把 4 个参数" in text and "SGD 的更新规则" in text


def test_explaining_a_training_loop_changes_nothing_it_trains() -> None:
    def train(explain: bool) -> tuple[list[torch.Tensor], dict[str, Any], torch.Tensor]:
        namespace: dict[str, Any] = {"torch": torch, "nn": nn}
        source = TRAINING.replace("SGD(model.parameters(), lr=0.1)", "Adam(model.parameters(), lr=0.01)")
        if explain:
            tm.explain(source, namespace)
        else:
            exec(compile(source, "<plain>", "exec"), namespace)
        state = namespace["opt"].state_dict()
        return [p.detach().clone() for p in namespace["model"].parameters()], state, torch.get_rng_state()

    plain, explained = train(False), train(True)
    assert all(torch.equal(a, b) for a, b in zip(plain[0], explained[0], strict=True))
    state_a, state_b = plain[1]["state"], explained[1]["state"]
    assert state_a.keys() == state_b.keys()
    for key, values in state_a.items():
        assert all(torch.equal(torch.as_tensor(values[k]), torch.as_tensor(state_b[key][k])) for k in values)
    assert torch.equal(plain[2], explained[2])


def test_the_zero_grad_wrappers_are_removed_even_when_the_cell_fails() -> None:
    module_zero_grad, optimizer_zero_grad = nn.Module.zero_grad, torch.optim.Optimizer.zero_grad
    with pytest.raises(ZeroDivisionError):
        tm.explain("m = nn.Linear(2, 1)\nm.zero_grad()\n1 / 0", {"torch": torch, "nn": nn})
    assert nn.Module.zero_grad is module_zero_grad and torch.optim.Optimizer.zero_grad is optimizer_zero_grad
    from torch.optim.optimizer import _global_optimizer_post_hooks, _global_optimizer_pre_hooks

    tm.explain(TRAINING, {"torch": torch, "nn": nn})
    assert not _global_optimizer_pre_hooks and not _global_optimizer_post_hooks
