"""Autoencoder card: a tiny autoencoder trained live; reconstruction error against bottleneck size."""

from __future__ import annotations

import math

import ipywidgets as widgets
import torch

from ..render import svg
from .base import Card, generator, train
from .settings import Aliases, IntSetting

SIDE = 6
PIXELS = SIDE * SIDE
SAMPLES = 200
FACTORS = 3
HIDDEN = 16
STEPS = 150
MAX_BOTTLENECK = 6
SHOWN = 4
#: Standard deviation of the noise added to every pixel.
NOISE = 0.02


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
    return pictures + NOISE * torch.randn(count, PIXELS, generator=gen)


def _uniform(gen: torch.Generator, *shape: int) -> torch.Tensor:
    """Glorot-uniform weights for ``shape[-2] -> shape[-1]`` layers, drawn from the card's own generator."""
    bound = math.sqrt(6.0 / (shape[-2] + shape[-1]))
    return ((torch.rand(*shape, generator=gen) * 2 - 1) * bound).requires_grad_(True)


def train_autoencoders(data: torch.Tensor, sizes: list[int], seed: int = 32) -> dict[int, tuple[float, torch.Tensor]]:
    """One autoencoder per bottleneck size in ``sizes``: encoder 36 → 16 → k, decoder k → 16 → 36.

    The models are trained side by side as one batched computation (weights stacked along a leading model
    axis, ``torch.bmm``): each model still has its own parameters, its own loss and — Adam being
    element-wise — its own optimiser state, exactly as if trained alone, but the whole error curve costs
    about one training run. A k-wide bottleneck is the widest one with the units past k multiplied by 0,
    which removes them from the forward pass and from every gradient.
    """
    gen = generator(seed)
    count, widest = len(sizes), max(sizes)
    mask = (torch.arange(widest)[None, :] < torch.tensor(sizes)[:, None]).float()[:, None, :]
    weights = [
        _uniform(gen, count, PIXELS, HIDDEN), _uniform(gen, count, HIDDEN, widest),
        _uniform(gen, count, widest, HIDDEN), _uniform(gen, count, HIDDEN, PIXELS),
    ]
    biases = [torch.zeros(count, 1, w.shape[-1], requires_grad=True) for w in weights]
    batch = data.expand(count, *data.shape)

    def forward() -> torch.Tensor:
        hidden = torch.relu(torch.baddbmm(biases[0], batch, weights[0]))
        code = torch.baddbmm(biases[1], hidden, weights[1]) * mask
        hidden = torch.relu(torch.baddbmm(biases[2], code, weights[2]))
        return torch.baddbmm(biases[3], hidden, weights[3])

    def loss() -> torch.Tensor:
        # Sum of the per-model mean squared errors: each model's gradient is that of its own MSE.
        return ((forward() - batch) ** 2).mean(dim=(1, 2)).sum()

    train([*weights, *biases], loss, STEPS, lr=0.02)
    with torch.no_grad():
        reconstruction = forward()
        errors = ((reconstruction - batch) ** 2).mean(dim=(1, 2))
    return {k: (errors[i].item(), reconstruction[i, :SHOWN].clone()) for i, k in enumerate(sizes)}


class AutoencoderCard(Card):
    topic = "autoencoder"
    order = 60
    group = "models"
    aliases = Aliases(en=("ae",), zh=("自编码器", "自动编码器"))
    settings = (IntSetting("bottleneck", 2, 1, MAX_BOTTLENECK),)

    def build_controls(self) -> list[widgets.Widget]:
        self.data = stroke_images()
        self.results: dict[int, tuple[float, torch.Tensor]] = {}
        return self.setting_controls()

    def refresh(self) -> None:
        k = self.controls["bottleneck"].value
        if not self.results:  # every setting is trained once, together (see train_autoencoders)
            self.results = train_autoencoders(self.data, list(range(1, MAX_BOTTLENECK + 1)))
        error, reconstruction = self.results[k]
        variance = self.data.var().item()
        known = sorted(self.results)
        errors = {size: self.results[size][0] for size in known}
        curve = ", ".join(f"k={size}: {errors[size]:.4f}" for size in known)
        wider = [size for size in known if size > FACTORS]
        best_wider = min(wider, key=errors.__getitem__)
        self.numbers = {"bottleneck": k, "error": error, "errors": errors, "data_variance": variance}
        self.lines = [
            self.message("data", count=SAMPLES, side=SIDE, pixels=PIXELS, factors=FACTORS, noise=f"{NOISE:g}"),
            self.message("model", pixels=PIXELS, hidden=HIDDEN, k=k, steps=STEPS, count=SAMPLES),
            self.message("error", k=k, error=f"{error:.4f}", variance=f"{variance:.4f}",
                         percent=f"{error / variance:.1%}"),
            self.message("curve", curve=curve),
            self.message("why", factors=FACTORS, at_factors=f"{errors[FACTORS]:.4f}", noise=f"{NOISE:g}",
                         noise_variance=f"{NOISE**2:g}", wider=f"{wider[0]}…{wider[-1]}", best=best_wider,
                         beyond=f"{errors[best_wider]:.4f}"),
        ]
        bars = [errors.get(s, 0.0) for s in range(1, MAX_BOTTLENECK + 1)]
        labels = [f"k={s}" if s in errors else "" for s in range(1, MAX_BOTTLENECK + 1)]
        originals = [self.data[i].reshape(SIDE, SIDE) for i in range(SHOWN)]
        rebuilt = [reconstruction[i].reshape(SIDE, SIDE) for i in range(SHOWN)]
        low = min(p.min().item() for p in originals + rebuilt)
        self.figures = [
            (self.message("fig.curve"), svg.bars(bars, labels, highlight=k - 1, width=240)),
            (self.message("fig.pictures", k=k),
             f"<div>{''.join(svg.image(p.tolist(), cell=7) + ' ' for p in originals)}</div>"
             f"<div>{''.join(svg.image(p.tolist(), cell=7) + ' ' for p in rebuilt)}</div>"),
        ]
        self.text_figures = [(self.message("fig.pictures_text", k=k, shown=SHOWN),
                              picture_rows([originals, rebuilt], low))]


def picture_rows(rows: list[list[torch.Tensor]], low: float) -> list[str]:
    """Rows of small pictures side by side as characters, on one grey scale.

    ``text_image`` scales each call to the range of what it draws, so every picture of the figure goes into
    one sheet (gaps filled with ``low``, the smallest value shown) and is drawn in a single call.
    """
    gap = torch.full((SIDE, 1), low)
    bands = []
    for pictures in rows:
        band = torch.cat([torch.cat([p, gap], dim=1) for p in pictures], dim=1)[:, :-1]
        bands += [band, torch.full((1, band.shape[1]), low)]
    return svg.text_image(torch.cat(bands[:-1], dim=0).tolist())
