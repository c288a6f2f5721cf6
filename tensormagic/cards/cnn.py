"""CNN card: a real ``nn.Conv2d`` under sliders; weight sharing counted against a dense layer."""

from __future__ import annotations

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from torch import nn

from ..render import svg
from .base import Card, materialize, shape_text
from .settings import Aliases, IntSetting

OUT_CHANNELS = 8

#: A Sobel kernel: responds to left-to-right brightness changes (vertical edges), negatively where it rises.
SOBEL_X = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]], device="cpu")

#: The toy picture: a bright square and a half-bright bar, as (rows, columns) slices of a 16×16 picture.
PICTURE_SIZE = 16
SQUARE = (slice(4, 12), slice(3, 9))
BAR = (slice(2, 14), slice(11, 13))


def toy_image(size: int = PICTURE_SIZE) -> torch.Tensor:
    """A dark picture with a bright square and a half-bright bar, drawn with plain tensor writes."""
    picture = torch.zeros(size, size)
    picture[SQUARE] = 1.0
    picture[BAR] = 0.5
    return picture


def edge_columns(columns: slice) -> tuple[list[int], list[int]]:
    """Feature-map columns whose 3×3 window straddles the left / the right side of an object spanning ``columns``.

    Output column j of a 3×3 convolution without padding sees input columns j, j+1, j+2.
    """
    start, stop = columns.start, columns.stop
    return [start - 2, start - 1], [stop - 2, stop - 1]


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """The textbook formula: floor((size + 2*padding - kernel) / stride) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def number(value: float) -> str:
    """A measured value in a sentence: shortest form, with a real minus sign."""
    return f"{value:g}".replace("-", "−")


class CnnCard(Card):
    topic = "cnn"
    order = 30
    group = "models"
    aliases = Aliases(en=("conv", "convolution", "conv2d", "convolutional"), zh=("卷积", "卷积神经网络", "池化"))
    settings = (
        IntSetting("size", 28, 4, 64), IntSetting("channels", 3, 1, 16), IntSetting("kernel", 3, 1, 11),
        IntSetting("stride", 1, 1, 4), IntSetting("padding", 0, 0, 5),
    )

    def build_controls(self) -> list[widgets.Widget]:
        self._feature_lines, self._feature_figures = self._feature_map()
        return self.setting_controls()

    def refresh(self) -> None:
        size, channels, kernel, stride, padding = (
            self.controls[k].value for k in ("size", "channels", "kernel", "stride", "padding")
        )
        # Weights on the meta device then zero-filled: the shape computation is real, and no global RNG draw.
        conv = materialize(nn.Conv2d(channels, OUT_CHANNELS, kernel, stride=stride, padding=padding, device="meta"))
        with torch.no_grad():
            for parameter in conv.parameters():
                parameter.zero_()
        x = torch.zeros(1, channels, size, size)
        lines = [self.message("input", shape=shape_text(x.shape), channels=channels, out=OUT_CHANNELS, kernel=kernel,
                              stride=stride, padding=padding)]
        if kernel > size + 2 * padding:  # nn.Conv2d raises for this; say why instead of showing the error
            self.numbers = {"output_shape": None}
            lines.append(self.message("too_small", padded=size + 2 * padding, kernel=kernel))
            self.lines = lines + self._feature_lines
            self.figures = self._feature_figures
            return
        with torch.no_grad():
            y = conv(x)
        side = output_size(size, kernel, stride, padding)
        conv_params = sum(p.numel() for p in conv.parameters())
        # The dense layer is built on the meta device: its parameter count is real but it allocates nothing
        # (it can reach billions of parameters, which is the point being made).
        dense = nn.Linear(x.numel(), y.numel(), device="meta")
        dense_params = sum(p.numel() for p in dense.parameters())
        ratio = dense_params / conv_params
        self.numbers = {
            "output_shape": tuple(y.shape), "formula_side": side, "conv_params": conv_params,
            "dense_params": dense_params, "ratio": ratio,
        }
        lines.append(self.message("output", shape=shape_text(y.shape)))
        formula = dict(size=size, padding=padding, kernel=kernel, stride=stride, side=side)
        if (side, side) == tuple(y.shape[-2:]):
            lines.append(self.message("formula_same", **formula))
        else:
            lines.append(self.message("formula_differs", real=shape_text(tuple(y.shape[-2:])), **formula))
        lines.append(self.message("conv_params", out=OUT_CHANNELS, channels=channels, kernel=kernel, count=conv_params))
        lines.append(self.message("dense_params", inputs=x.numel(), outputs=y.numel(), count=dense_params,
                                  ratio=f"{ratio:,.0f}" if ratio >= 100 else f"{ratio:.1f}"))
        lines.append(self.message("sharing", positions=y.shape[-2] * y.shape[-1]))
        self.lines = lines + self._feature_lines
        self.figures = self._feature_figures

    def _feature_map(self) -> tuple[list[str], list[tuple[str, str]]]:
        """The edge-detection demo; also sets ``self.text_figures`` (it does not depend on the settings)."""
        picture = toy_image()
        features = F.conv2d(picture[None, None], SOBEL_X[None, None])[0, 0]
        rectified = features.relu()
        pooled = F.max_pool2d(rectified[None, None], 2)[0, 0]
        flipped = F.max_pool2d(F.conv2d(picture[None, None], -SOBEL_X[None, None]).relu(), 2)[0, 0]
        square_left, square_right = edge_columns(SQUARE[1])
        bar_left, bar_right = edge_columns(BAR[1])

        def pooled_peak(pooled_map: torch.Tensor, columns: list[int]) -> float:
            # Pooling 2×2 maps feature column j to pooled column j // 2.
            return pooled_map[:, sorted({j // 2 for j in columns})].max().item()

        peak = features.abs().max().item()
        values = {
            "peak": peak, "low": features.min().item(), "high": features.max().item(),
            "square_right": pooled_peak(pooled, square_right), "bar_right": pooled_peak(pooled, bar_right),
            "square_left_flipped": pooled_peak(flipped, square_left),
            "bar_left_flipped": pooled_peak(flipped, bar_left),
        }
        negatives = int((features < 0).sum())
        self.feature_numbers = {
            "image_shape": tuple(picture.shape), "feature_shape": tuple(features.shape),
            "pooled_shape": tuple(pooled.shape), "negatives": negatives, **values,
        }
        lines = [
            "",
            self.message("feature", image=shape_text(picture.shape), feature=shape_text(features.shape),
                         low=number(values["low"]), high=number(values["high"]), peak=number(peak)),
            self.message("relu", negatives=negatives),
            self.message("pool", feature=shape_text(features.shape), pooled=shape_text(pooled.shape),
                         before=features.numel(), after=pooled.numel(), square=number(values["square_right"]),
                         bar=number(values["bar_right"])),
            self.message("flipped", square=number(values["square_left_flipped"]),
                         bar=number(values["bar_left_flipped"])),
        ]
        figures = [
            (self.message("fig.image"), svg.image(picture.tolist(), cell=8)),
            (self.message("fig.feature"), svg.image(features.tolist(), cell=8, signed=True)),
            (self.message("fig.pooled"), svg.image(pooled.tolist(), cell=16)),
        ]
        self.text_figures = [
            (self.message("fig.image_text"), svg.text_image(picture.tolist())),
            (self.message("fig.feature_text", half=number(peak / 2)), svg.text_image(features.tolist(), signed=True)),
            (self.message("fig.pooled_text", high=number(pooled.max().item())), svg.text_image(pooled.tolist())),
        ]
        return lines, figures
