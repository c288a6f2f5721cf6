"""CNN card: a real ``nn.Conv2d`` under sliders; weight sharing counted against a dense layer."""

from __future__ import annotations

import ipywidgets as widgets
import torch
import torch.nn.functional as F
from torch import nn

from ..widgets import svg
from .base import Card, materialize, shape_text

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

    def build_controls(self) -> list[widgets.Widget]:
        style = {"description_width": "110px"}
        specs = [
            ("size", 4, 64, 28), ("channels", 1, 16, 3), ("kernel", 1, 11, 3), ("stride", 1, 4, 1),
            ("padding", 0, 5, 0),
        ]
        for key, low, high, value in specs:
            slider = widgets.IntSlider(
                value=value, min=low, max=high, description=self.t(f"control.{key}"), style=style
            )
            slider.add_class(f"tm-cnn-{key}")
            self.controls[key] = slider
        self._feature_lines, self._feature_figures = self._feature_map()
        return list(self.controls.values())

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
        lines = [self.t("input", shape=shape_text(x.shape), channels=channels, out=OUT_CHANNELS, kernel=kernel,
                        stride=stride, padding=padding)]
        try:
            with torch.no_grad():
                y = conv(x)
        except RuntimeError:
            self.numbers = {"output_shape": None}
            lines.append(self.t("too_small", padded=size + 2 * padding, kernel=kernel))
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
        lines.append(self.t("output", shape=shape_text(y.shape)))
        lines.append(self.t("formula", size=size, padding=padding, kernel=kernel, stride=stride, side=side))
        lines.append(
            self.t("conv_params", out=OUT_CHANNELS, channels=channels, kernel=kernel, count=f"{conv_params:,}")
        )
        lines.append(self.t("dense_params", inputs=f"{x.numel():,}", outputs=f"{y.numel():,}",
                            count=f"{dense_params:,}", ratio=f"{dense_params / conv_params:,.0f}"))
        lines.append(self.t("sharing", positions=f"{side * side:,}"))
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
            self.t("feature", image=shape_text(picture.shape), feature=shape_text(features.shape), peak=f"{peak:g}"),
            self.t("pool", feature=shape_text(features.shape), pooled=shape_text(pooled.shape),
                   before=features.numel(), after=pooled.numel()),
        ]
        figures = [
            (self.t("fig.image"), svg.image(picture.tolist(), cell=8)),
            (self.t("fig.feature"), svg.image(features.tolist(), cell=8, signed=True)),
            (self.t("fig.pooled"), svg.image(pooled.tolist(), cell=16)),
        ]
        self.text_figures = [
            (self.t("fig.image"), svg.text_image(picture.tolist())),
            (self.t("fig.feature_text"), svg.text_image(features.tolist(), signed=True)),
        ]
        return lines, figures
