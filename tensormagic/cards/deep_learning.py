"""Deep-learning card: "layers of non-linear transforms", shown by a tiny MLP's layer outputs on real input."""

from __future__ import annotations

import math

import ipywidgets as widgets
import torch
from torch import nn

from ..render import svg
from ..render.text import pad
from .base import Card, fresh, generator, shape_text, train
from .settings import Aliases, IntSetting

POINTS = 200
WIDTH = 8
STEPS = 200
GRID = 30
EXTENT = (-1.6, 1.6)


def rings(count: int = POINTS, seed: int = 41) -> tuple[torch.Tensor, torch.Tensor]:
    """Two noisy concentric rings: inner ring class 0, outer ring class 1. No straight line separates them."""
    gen = generator(seed)
    labels = torch.arange(count) % 2
    angle = torch.rand(count, generator=gen) * 2 * math.pi
    radius = 0.5 + 0.7 * labels + 0.1 * torch.randn(count, generator=gen)
    points = torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1)
    return points, labels


class DeepLearningCard(Card):
    topic = "deep-learning"
    order = 10
    group = "models"
    aliases = Aliases(en=("deeplearning", "dl", "deep"), zh=("深度学习", "深度学习简介"))
    settings = (IntSetting("sample", 1, 0, POINTS - 1),)

    def build_controls(self) -> list[widgets.Widget]:
        gen = generator(42)
        self.points, self.labels = rings()
        self.model = nn.Sequential(
            fresh(nn.Linear, 2, WIDTH, gen=gen), nn.ReLU(), fresh(nn.Linear, WIDTH, WIDTH, gen=gen), nn.ReLU(),
            fresh(nn.Linear, WIDTH, 2, gen=gen),
        )
        self.linear = fresh(nn.Linear, 2, 2, gen=gen)
        loss_fn = nn.CrossEntropyLoss()
        self.deep_loss = train(list(self.model.parameters()), lambda: loss_fn(self.model(self.points), self.labels),
                               STEPS, lr=0.03)
        self.linear_loss = train(list(self.linear.parameters()),
                                 lambda: loss_fn(self.linear(self.points), self.labels), STEPS, lr=0.03)
        with torch.no_grad():
            self.deep_correct = int((self.model(self.points).argmax(1) == self.labels).sum())
            self.linear_correct = int((self.linear(self.points).argmax(1) == self.labels).sum())
            self.deep_accuracy = self.deep_correct / POINTS
            self.linear_accuracy = self.linear_correct / POINTS
            axis = torch.linspace(*EXTENT, GRID)
            ys, xs = torch.meshgrid(axis.flip(0), axis, indexing="ij")
            grid = torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=1)
            deep_regions = self.model(grid).argmax(1).reshape(GRID, GRID).tolist()
            linear_regions = self.linear(grid).argmax(1).reshape(GRID, GRID).tolist()
        dots = [(x, y, int(c)) for (x, y), c in zip(self.points.tolist(), self.labels.tolist(), strict=True)]
        self.text_figures = [
            (self.message("fig.deep_text"), svg.text_regions(deep_regions, [], extent=EXTENT)),
            (self.message("fig.linear_text"), svg.text_regions(linear_regions, [], extent=EXTENT)),
        ]
        self.region_figures = [
            (self.message("fig.deep"), svg.regions(deep_regions, dots, extent=EXTENT, radius=2.2)),
            (self.message("fig.linear"), svg.regions(linear_regions, dots, extent=EXTENT, radius=2.2)),
        ]
        return self.setting_controls()

    def refresh(self) -> None:
        index = self.controls["sample"].value
        x = self.points[index]
        steps: list[tuple[str, torch.Tensor]] = [(self.message("layer.input"), x)]
        value = x
        with torch.no_grad():
            for layer in self.model:
                value = layer(value)
                steps.append((repr(layer) if isinstance(layer, nn.ReLU) else
                              f"Linear({layer.in_features}→{layer.out_features})", value))
        lines = [self.message("sample", index=index, x=f"{x[0].item():.2f}", y=f"{x[1].item():.2f}",
                        label=self.message(f"class{int(self.labels[index])}"))]
        for position, (name, out) in enumerate(steps):
            values = ", ".join(f"{v:.2f}" for v in out.tolist())
            extra = ""
            if name == "ReLU()":  # what ReLU did: the negative values it received became 0
                received = steps[position - 1][1]
                extra = " " + self.message("zeros", count=int((received < 0).sum()))
            lines.append(f"  {pad(name, 14)} → {shape_text(out.shape)} [{values}]{extra}")
        predicted = int(value.argmax())
        parameters = sum(p.numel() for p in self.model.parameters())
        lines += [
            self.message("prediction", label=self.message(f"class{predicted}")),
            self.message("accuracy", deep=self.deep_correct, linear=self.linear_correct, steps=STEPS, count=POINTS,
                         deep_percent=f"{self.deep_accuracy:.1%}", linear_percent=f"{self.linear_accuracy:.1%}"),
            self.message("features", width=WIDTH),
            self.message("black_box", parameters=parameters),
            self.message("compute", steps=STEPS, count=POINTS, total=STEPS * POINTS),
        ]
        self.numbers = {
            "deep_accuracy": self.deep_accuracy, "linear_accuracy": self.linear_accuracy, "parameters": parameters,
            "layer_shapes": [tuple(out.shape) for _, out in steps], "prediction": predicted,
        }
        activations = [out.tolist() for _, out in steps[1:]]
        strip = svg.heatmap([row + [float("nan")] * (WIDTH - len(row)) for row in activations],
                            row_labels=[name for name, _ in steps[1:]], cell=24)
        self.lines = lines
        self.figures = [(self.message("fig.layers"), strip), *self.region_figures]
