"""Perceptron / ANN card: a perceptron learns AND and OR but not XOR; one hidden layer solves XOR."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import torch
from torch import nn

from ..render import svg
from .base import Card, fresh, generator, train
from .settings import Aliases, ChoiceSetting

# device="cpu" explicitly: these are made at import time, possibly under a user's torch.set_default_device.
INPUTS = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], device="cpu")
TARGETS = {
    "AND": torch.tensor([0.0, 0.0, 0.0, 1.0], device="cpu"),
    "OR": torch.tensor([0.0, 1.0, 1.0, 1.0], device="cpu"),
    "XOR": torch.tensor([0.0, 1.0, 1.0, 0.0], device="cpu"),
}
EPOCHS = 20
HIDDEN = 4
MLP_STEPS = 250
GRID = 24


@dataclass(frozen=True)
class PerceptronResult:
    weights: tuple[float, float]
    bias: float
    accuracy: float
    converged_epoch: int | None  # first epoch with no mistakes; None if it never got there
    last_mistakes: int  # mistakes made in the last epoch that ran


@dataclass(frozen=True)
class MlpResult:
    accuracy: float
    loss: float
    steps: int


def train_perceptron(targets: torch.Tensor, epochs: int = EPOCHS) -> tuple[PerceptronResult, torch.Tensor]:
    """Rosenblatt's rule: w += (y - ŷ)·x, b += (y - ŷ); stops after a mistake-free epoch."""
    w = torch.zeros(2)
    b = torch.zeros(())
    converged = None
    mistakes = 0
    for epoch in range(1, epochs + 1):
        mistakes = 0
        for x, y in zip(INPUTS, targets, strict=True):
            predicted = (x @ w + b > 0).float()
            if predicted != y:
                mistakes += 1
                w += (y - predicted) * x
                b += y - predicted
        if mistakes == 0:
            converged = epoch
            break
    accuracy = ((INPUTS @ w + b > 0).float() == targets).float().mean().item()
    result = PerceptronResult((w[0].item(), w[1].item()), b.item(), accuracy, converged, mistakes)
    return result, torch.cat([w, b.reshape(1)])


def _grid() -> torch.Tensor:
    axis = torch.linspace(-0.5, 1.5, GRID)
    ys, xs = torch.meshgrid(axis.flip(0), axis, indexing="ij")  # row 0 at the top of the picture
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)


def train_mlp(targets: torch.Tensor, seed: int) -> tuple[MlpResult, nn.Module]:
    """2 → HIDDEN (tanh) → 1, full-batch Adam on the four points."""
    gen = generator(seed)
    hidden = fresh(nn.Linear, 2, HIDDEN, gen=gen)
    model = nn.Sequential(hidden, nn.Tanh(), fresh(nn.Linear, HIDDEN, 1, gen=gen))
    with torch.no_grad():  # small random biases break the symmetry of the four points
        hidden.bias.uniform_(-0.5, 0.5, generator=gen)
    loss_fn = nn.BCEWithLogitsLoss()
    loss = train(list(model.parameters()), lambda: loss_fn(model(INPUTS).squeeze(1), targets), MLP_STEPS, lr=0.1)
    with torch.no_grad():
        accuracy = ((model(INPUTS).squeeze(1) > 0).float() == targets).float().mean().item()
    return MlpResult(accuracy, loss, MLP_STEPS), model


class PerceptronCard(Card):
    topic = "perceptron"
    order = 20
    group = "models"
    aliases = Aliases(
        en=("ann", "mlp", "xor", "neural-network"), zh=("感知机", "人工神经网络", "多层感知机", "神经网络")
    )
    settings = (ChoiceSetting("data", "XOR", tuple((name, name) for name in TARGETS)),)

    def build_controls(self) -> list[widgets.Widget]:
        self._cache: dict[str, tuple[PerceptronResult, MlpResult, str, str, list[str], list[str]]] = {}
        return self.setting_controls()

    def _compute(self, name: str) -> tuple[PerceptronResult, MlpResult, str, str, list[str], list[str]]:
        if name not in self._cache:
            targets = TARGETS[name]
            perceptron, wb = train_perceptron(targets)
            mlp, model = train_mlp(targets, seed=7)
            grid = _grid()
            with torch.no_grad():
                linear = (grid @ wb[:2] + wb[2] > 0).int().reshape(GRID, GRID).tolist()
                hidden = (model(grid).squeeze(1) > 0).int().reshape(GRID, GRID).tolist()
            points = [(x.item(), y.item(), int(t)) for (x, y), t in zip(INPUTS, targets.tolist(), strict=True)]
            self._cache[name] = (
                perceptron, mlp, svg.regions(linear, points), svg.regions(hidden, points),
                svg.text_regions(linear, points), svg.text_regions(hidden, points),
            )
        return self._cache[name]

    def refresh(self) -> None:
        name = self.controls["data"].value
        perceptron, mlp, linear_svg, mlp_svg, linear_text, mlp_text = self._compute(name)
        targets = TARGETS[name]
        table = ", ".join(
            f"({int(x)}, {int(y)})→{int(t)}" for (x, y), t in zip(INPUTS.tolist(), targets.tolist(), strict=True)
        )
        w1, w2 = perceptron.weights
        lines = [self.message("data", name=name, table=table)]
        if perceptron.converged_epoch is not None:
            lines.append(self.message("perceptron_ok", epoch=perceptron.converged_epoch, w1=f"{w1:g}", w2=f"{w2:g}",
                                b=f"{perceptron.bias:g}", accuracy=f"{perceptron.accuracy:.0%}"))
        else:
            lines.append(self.message("perceptron_fail", epochs=EPOCHS, mistakes=perceptron.last_mistakes,
                                      accuracy=f"{perceptron.accuracy:.0%}"))
        lines.append(self.message("mlp", hidden=HIDDEN, steps=mlp.steps, accuracy=f"{mlp.accuracy:.0%}",
                                  loss=f"{mlp.loss:.4f}"))
        if mlp.accuracy == 1.0:  # only then has the hidden layer made the points linearly separable
            lines.append(self.message("why"))
        self.numbers = {
            "data": name, "perceptron_accuracy": perceptron.accuracy,
            "perceptron_converged": perceptron.converged_epoch,
            "mlp_accuracy": mlp.accuracy, "mlp_loss": mlp.loss,
        }
        self.lines = lines
        self.figures = [(self.message("fig.perceptron"), linear_svg), (self.message("fig.mlp", hidden=HIDDEN), mlp_svg)]
        side_by_side = [f"{a}   {b}" for a, b in zip(linear_text, mlp_text, strict=True)]
        self.text_figures = [(self.message("fig.text", hidden=HIDDEN), side_by_side)]
