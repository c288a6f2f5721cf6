"""CNN card: a real ``nn.Conv2d`` under sliders; weight sharing counted against a dense layer."""

from __future__ import annotations

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from torch import nn

from ..widgets import svg
from .base import Card, materialize, shape_text
from .settings import Aliases, IntSetting

OUT_CHANNELS = 8

#: A Sobel kernel: responds to left-to-right brightness changes (vertical edges).
SOBEL_X = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]], device="cpu")


def toy_image(size: int = 16) -> torch.Tensor:
    """A dark picture with a bright square and a half-bright bar, drawn with plain tensor writes."""
    picture = torch.zeros(size, size)
    picture[4:12, 3:9] = 1.0
    picture[2:14, 11:13] = 0.5
    return picture


def output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """The textbook formula: floor((size + 2*padding - kernel) / stride) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


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
        try:
            with torch.no_grad():
                y = conv(x)
        except RuntimeError:
            self.numbers = {"output_shape": None}
            lines.append(self.message("too_small", padded=size + 2 * padding, kernel=kernel))
            self.lines = lines + self._feature_lines
            self.figures = self._feature_figures
            return
        side = output_size(size, kernel, stride, padding)
        conv_params = sum(p.numel() for p in conv.parameters())
        # The dense layer is built on the meta device: its parameter count is real but it allocates nothing
        # (it can reach billions of parameters, which is the point being made).
        dense = nn.Linear(x.numel(), y.numel(), device="meta")
        dense_params = sum(p.numel() for p in dense.parameters())
        self.numbers = {
            "output_shape": tuple(y.shape), "formula_side": side, "conv_params": conv_params,
            "dense_params": dense_params, "ratio": dense_params / conv_params,
        }
        lines.append(self.message("output", shape=shape_text(y.shape)))
        lines.append(self.message("formula", size=size, padding=padding, kernel=kernel, stride=stride, side=side))
        lines.append(
            self.message("conv_params", out=OUT_CHANNELS, channels=channels, kernel=kernel, count=f"{conv_params:,}")
        )
        lines.append(self.message("dense_params", inputs=f"{x.numel():,}", outputs=f"{y.numel():,}",
                            count=f"{dense_params:,}", ratio=f"{dense_params / conv_params:,.0f}"))
        lines.append(self.message("sharing", positions=f"{side * side:,}"))
        self.lines = lines + self._feature_lines
        self.figures = self._feature_figures

    def _feature_map(self) -> tuple[list[str], list[tuple[str, str]]]:
        """The edge-detection demo; also sets ``self.text_figures`` (it does not depend on the sliders)."""
        picture = toy_image()
        features = F.conv2d(picture[None, None], SOBEL_X[None, None])[0, 0]
        pooled = F.max_pool2d(features.relu()[None, None], 2)[0, 0]
        peak = features.abs().max().item()
        self.feature_numbers = {
            "image_shape": tuple(picture.shape), "feature_shape": tuple(features.shape),
            "pooled_shape": tuple(pooled.shape), "peak": peak,
        }
        lines = [
            "",
            self.message("feature", image=shape_text(picture.shape), feature=shape_text(features.shape),
                         peak=f"{peak:g}"),
            self.message("pool", feature=shape_text(features.shape), pooled=shape_text(pooled.shape),
                         before=features.numel(), after=pooled.numel()),
        ]
        figures = [
            (self.message("fig.image"), svg.image(picture.tolist(), cell=8)),
            (self.message("fig.feature"), svg.image(features.tolist(), cell=8, signed=True)),
            (self.message("fig.pooled"), svg.image(pooled.tolist(), cell=16)),
        ]
        self.text_figures = [
            (self.message("fig.image"), svg.text_image(picture.tolist())),
            (self.message("fig.feature_text"), svg.text_image(features.tolist(), signed=True)),
        ]
        return lines, figures
