"""RNN card: a real ``nn.RNN``; hidden-state shapes per step and the gradient that reaches step 1."""

from __future__ import annotations

import math

import ipywidgets as widgets
import torch
from torch import nn

from ..render import svg
from .base import Card, generator, materialize, shape_text
from .settings import Aliases, IntSetting

INPUT_SIZE = 3
HIDDEN_SIZE = 16
MAX_LENGTH = 40
SHOWN_STEPS = 4


def make_rnn(seed: int = 11) -> nn.RNN:
    """``nn.RNN`` with PyTorch's own default initialisation, U(-1/√hidden, 1/√hidden), from a private generator."""
    rnn = nn.RNN(INPUT_SIZE, HIDDEN_SIZE, device="meta")
    materialize(rnn)
    bound = 1 / math.sqrt(HIDDEN_SIZE)
    gen = generator(seed)
    with torch.no_grad():
        for parameter in rnn.parameters():
            parameter.uniform_(-bound, bound, generator=gen)
    return rnn


def gradient_to_first_step(rnn: nn.RNN, sequence: torch.Tensor, length: int) -> float:
    """‖∂(sum of the last hidden state)/∂x₁‖: how much of the loss signal reaches the first input."""
    x = sequence[:length].clone().requires_grad_(True)
    _, last = rnn(x)
    (gradient,) = torch.autograd.grad(last.sum(), x)
    return gradient[0].norm().item()


class RnnCard(Card):
    topic = "rnn"
    order = 40
    group = "models"
    aliases = Aliases(en=("recurrent",), zh=("循环神经网络", "梯度消失"))
    settings = (IntSetting("length", 10, 1, MAX_LENGTH),)

    def build_controls(self) -> list[widgets.Widget]:
        self.rnn = make_rnn()
        self.sequence = torch.randn(MAX_LENGTH, 1, INPUT_SIZE, generator=generator(12))
        # Measured once for every length the slider offers (a few ms each), so moving it is instant.
        self.gradient_norms = [gradient_to_first_step(self.rnn, self.sequence, n) for n in range(1, MAX_LENGTH + 1)]
        return self.setting_controls()

    def refresh(self) -> None:
        length = self.controls["length"].value
        with torch.no_grad():
            output, last = self.rnn(self.sequence[:length])
        steps = [f"h{t + 1} {shape_text(output[t].shape)}" for t in range(min(length, SHOWN_STEPS))]
        if length > SHOWN_STEPS:
            steps.append("…")
            steps.append(f"h{length} {shape_text(output[length - 1].shape)}")
        norm = self.gradient_norms[length - 1]
        first = self.gradient_norms[0]
        lines = [
            self.message("shapes", input=shape_text((length, 1, INPUT_SIZE)), output=shape_text(output.shape),
                   last=shape_text(last.shape), hidden=HIDDEN_SIZE, size=INPUT_SIZE),
            self.message("steps", length=length, steps=" → ".join(steps)),
            self.message("gradient", length=length, norm=f"{norm:.3g}", first=f"{first:.3g}",
                   ratio=f"{norm / first:.2g}" if first else "—"),
        ]
        checkpoints = [n for n in (1, 5, 10, 20, 40) if n <= MAX_LENGTH]
        table = ", ".join(f"{n}: {self.gradient_norms[n - 1]:.2g}" for n in checkpoints)
        lines.append(self.message("table", values=table))
        lines.append(self.message("why"))
        self.numbers = {
            "length": length, "output_shape": tuple(output.shape), "hidden_shape": tuple(last.shape),
            "gradient_norm": norm, "gradient_norms": list(self.gradient_norms),
        }
        labels = [str(n) if n in checkpoints else "" for n in range(1, MAX_LENGTH + 1)]
        chart = svg.bars(self.gradient_norms, labels, highlight=length - 1, log=True, width=360)
        self.lines = lines
        self.figures = [(self.message("fig.gradient", longest=MAX_LENGTH), chart)]
