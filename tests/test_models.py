"""``%tensor model``: every layer with its path, type, output shape and parameters, as a teacher draws it."""

from __future__ import annotations

import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from torch import nn

import tensormagic as tm
from tensormagic.models import describe_model


def course_model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.2),
        nn.Linear(4 * 13 * 13, 10),
    )  # fmt: skip


def real_output_shapes(model: nn.Module, x: torch.Tensor) -> dict[str, tuple[int, ...]]:
    """The truth, by a real forward pass with hooks of the test's own."""
    shapes: dict[str, tuple[int, ...]] = {}
    hooks = [
        m.register_forward_hook(lambda m, a, o, n=n: shapes.__setitem__(n, tuple(o.shape)))
        for n, m in model.named_modules()
    ]
    model.eval()
    with torch.no_grad():
        model(x)
    for hook in hooks:
        hook.remove()
    return shapes


def test_the_dry_run_finds_the_real_output_shapes_without_touching_the_model() -> None:
    model = course_model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()
    summary = describe_model(model, "model", (8, 1, 28, 28))
    assert torch.equal(torch.get_rng_state(), rng)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # running stats untouched
    truth = real_output_shapes(course_model(), torch.zeros(8, 1, 28, 28))
    by_path = {row.path: row.output_shape for row in summary.rows}
    assert by_path["model"] == truth[""] == (8, 10)
    assert by_path["model[0]"] == truth["0"] == (8, 4, 26, 26)
    assert by_path["model[3]"] == truth["3"] == (8, 4, 13, 13)
    assert summary.parameters == sum(p.numel() for p in model.parameters())
    assert [row.summary for row in summary.rows][1:4] == ["Conv2d(1, 4, 3)", "BatchNorm2d(4)", "ReLU()"]


def test_frozen_layers_and_buffers_are_said() -> None:
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    model[0].weight.requires_grad_(False)
    summary = describe_model(model, "m")
    assert summary.trainable == model[0].bias.numel() + sum(p.numel() for p in model[1].parameters())
    text = str(summary)
    assert "3 of 9" in text and "buffers" in text and "not known yet" in text


def test_a_shape_that_does_not_fit_is_reported_not_raised() -> None:
    summary = describe_model(nn.Linear(4, 2), "layer", (3, 5))
    assert summary.error is not None and "RuntimeError" in summary.error
    assert "the dry run stopped" in str(summary)


def test_shapes_from_the_last_forward_pass_explain_saw() -> None:
    namespace = {"torch": torch, "nn": nn}
    tm.explain("model = nn.Sequential(nn.Linear(2, 5), nn.ReLU())\ny = model(torch.ones(7, 2))", namespace)
    summary = describe_model(namespace["model"], "model")  # type: ignore[arg-type]
    assert summary.shapes_from == "last-forward"
    assert {row.path: row.output_shape for row in summary.rows}["model[0]"] == (7, 5)


def test_percent_tensor_on_a_model_in_a_real_shell(shell: InteractiveShell) -> None:
    shell.run_cell("net = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))")
    with capture_output() as captured:
        result = shell.run_cell("%tensor --input-shape 16,2 net")
    assert result.success, captured.stderr
    text = captured.stdout + "".join(o.data.get("text/plain", "") for o in captured.outputs)
    assert "net[0]" in text and "Linear(2 → 8)" in text and "(16, 8)" in text and "33 parameters" in text
    html = "".join(o.data.get("text/html", "") for o in captured.outputs)
    assert "tensormagic-model" in html and "<script" not in html
    with capture_output() as captured:
        result = shell.run_cell("%tensor --lang zh net")
    text = "".join(o.data.get("text/plain", "") for o in captured.outputs)
    assert "个参数" in text
    with capture_output() as captured:
        result = shell.run_cell("%tensor --input-shape 16,x net")
    assert not result.success and "not a shape" in captured.stderr + captured.stdout + str(result.error_in_exec)
