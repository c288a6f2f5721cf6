"""Autoencoder card: a tiny autoencoder trained live; reconstruction error against bottleneck size."""

from __future__ import annotations

import ipywidgets as widgets
import torch
from torch import nn

from ..widgets import svg
from .base import Card, fresh, generator, train

SIDE = 6
PIXELS = SIDE * SIDE
SAMPLES = 200
FACTORS = 3
HIDDEN = 16
STEPS = 150
MAX_BOTTLENECK = 6
SHOWN = 4


def stroke_images(count: int = SAMPLES, seed: int = 31) -> torch.Tensor:
    """``count`` 6×6 pictures, each a random mix of FACTORS strokes (a bar, a column, a diagonal) plus noise.

    Because the data is generated from exactly FACTORS numbers per picture, a bottleneck of that size
    is enough — the error curve shows it.
    """
    gen = generator(seed)
    strokes = torch.zeros(FACTORS, SIDE, SIDE)
    strokes[0, 2, :] = 1.0
    strokes[1, :, 4] = 1.0
    strokes[2] = torch.eye(SIDE)
    mix = torch.rand(count, FACTORS, generator=gen)
    pictures = mix @ strokes.reshape(FACTORS, PIXELS)
    return pictures + 0.02 * torch.randn(count, PIXELS, generator=gen)


def train_autoencoder(data: torch.Tensor, bottleneck: int, seed: int = 32) -> tuple[float, torch.Tensor]:
    """Encoder 36 → 16 → k, decoder k → 16 → 36; full-batch Adam on the reconstruction MSE (no labels)."""
    gen = generator(seed + bottleneck)
    model = nn.Sequential(
        fresh(nn.Linear, PIXELS, HIDDEN, gen=gen), nn.ReLU(), fresh(nn.Linear, HIDDEN, bottleneck, gen=gen),
        fresh(nn.Linear, bottleneck, HIDDEN, gen=gen), nn.ReLU(), fresh(nn.Linear, HIDDEN, PIXELS, gen=gen),
    )
    loss_fn = nn.MSELoss()
    train(list(model.parameters()), lambda: loss_fn(model(data), data), STEPS, lr=0.02)
    with torch.no_grad():
        reconstruction = model(data)
        error = loss_fn(reconstruction, data).item()
    return error, reconstruction[:SHOWN].clone()


class AutoencoderCard(Card):
    topic = "autoencoder"

    def build_controls(self) -> list[widgets.Widget]:
        self.data = stroke_images()
        self.results: dict[int, tuple[float, torch.Tensor]] = {}
        slider = widgets.IntSlider(value=2, min=1, max=MAX_BOTTLENECK, description=self.t("control.bottleneck"),
                                   style={"description_width": "110px"})
        slider.add_class("tm-autoencoder-bottleneck")
        self.controls["bottleneck"] = slider
        return [slider]

    def _result(self, k: int) -> tuple[float, torch.Tensor]:
        if k not in self.results:
            self.results[k] = train_autoencoder(self.data, k)
        return self.results[k]

    def refresh(self) -> None:
        k = self.controls["bottleneck"].value
        error, reconstruction = self._result(k)
        # The curve needs a neighbour on each side of the true factor count; sizes are trained once, on demand.
        for size in sorted({1, FACTORS, MAX_BOTTLENECK, k}):
            self._result(size)
        variance = self.data.var().item()
        known = sorted(self.results)
        curve = ", ".join(f"k={size}: {self.results[size][0]:.4f}" for size in known)
        self.numbers = {"bottleneck": k, "error": error, "errors": {s: self.results[s][0] for s in known},
                        "data_variance": variance}
        self.lines = [
            self.t("data", count=SAMPLES, side=SIDE, pixels=PIXELS, factors=FACTORS),
            self.t("model", pixels=PIXELS, hidden=HIDDEN, k=k, steps=STEPS),
            self.t("error", k=k, error=f"{error:.4f}", variance=f"{variance:.4f}",
                   percent=f"{error / variance:.1%}"),
            self.t("curve", curve=curve),
            self.t("why", factors=FACTORS),
        ]
        bars = [self.results[s][0] if s in self.results else 0.0 for s in range(1, MAX_BOTTLENECK + 1)]
        labels = [f"k={s}" if s in self.results else "" for s in range(1, MAX_BOTTLENECK + 1)]
        originals = "".join(svg.image(self.data[i].reshape(SIDE, SIDE).tolist(), cell=7) + " " for i in range(SHOWN))
        rebuilt = "".join(svg.image(reconstruction[i].reshape(SIDE, SIDE).tolist(), cell=7) + " " for i in range(SHOWN))
        self.figures = [
            (self.t("fig.curve"), svg.bars(bars, labels, highlight=k - 1, width=240)),
            (self.t("fig.pictures", k=k), f"<div>{originals}</div><div>{rebuilt}</div>"),
        ]
