"""Transformer card: real ``nn.MultiheadAttention`` weights as a heat map; one parallel step vs an RNN's loop."""

from __future__ import annotations

import math

import ipywidgets as widgets
import torch
from torch import nn

from ..widgets import svg
from .base import Card, fresh, generator, shape_text
from .settings import Aliases, ChoiceSetting, IntSetting

EMBED = 8
HEADS = 2
#: Words in the toy sentence, in both languages (the length setting goes up to it).
TOKENS = 10


def positional(length: int, dim: int) -> torch.Tensor:
    """The sinusoidal position code of 'Attention Is All You Need'."""
    position = torch.arange(length, dtype=torch.float32)[:, None]
    frequency = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    code = torch.zeros(length, dim)
    code[:, 0::2] = torch.sin(position * frequency)
    code[:, 1::2] = torch.cos(position * frequency)
    return code


class TransformerCard(Card):
    topic = "transformer"
    order = 50
    group = "models"
    aliases = Aliases(en=("attention", "self-attention", "mha"), zh=("注意力", "自注意力"))
    #: head 0 shows the average over the heads, head k the k-th head's own weights.
    settings = (
        IntSetting("length", 6, 2, TOKENS),
        ChoiceSetting("head", 0, (("average", 0), *((str(h), h) for h in range(1, HEADS + 1)))),
    )

    def choice_label(self, setting: ChoiceSetting, word: str) -> str:
        return self.message("control.average") if word == "average" else self.message("control.head_number",
                                                                                       number=word)

    def build_controls(self) -> list[widgets.Widget]:
        self.tokens = self.message("sentence").split()
        gen = generator(21)
        self.attention = fresh(nn.MultiheadAttention, EMBED, HEADS, batch_first=True, gen=gen)
        self.rnn_cell = fresh(nn.RNNCell, EMBED, EMBED, gen=gen)
        vocabulary = sorted(set(self.tokens))
        table = torch.randn(len(vocabulary), EMBED, generator=gen)
        ids = torch.tensor([vocabulary.index(word) for word in self.tokens])
        self.embedded = table[ids] + positional(len(self.tokens), EMBED)
        return self.setting_controls()

    def refresh(self) -> None:
        length, head = self.controls["length"].value, self.controls["head"].value
        x = self.embedded[:length][None]  # (batch 1, length, embed)
        with torch.no_grad():
            output, weights = self.attention(x, x, x, need_weights=True, average_attn_weights=False)
            # The RNN comparison: the same sequence through an RNN cell needs one call per position.
            hidden = torch.zeros(1, EMBED)
            rnn_steps = 0
            for t in range(length):
                hidden = self.rnn_cell(x[:, t], hidden)
                rnn_steps += 1
        matrix = weights[0].mean(0) if head == 0 else weights[0, head - 1]
        row_sums = matrix.sum(dim=1)
        words = self.tokens[:length]
        strongest = [words[int(j)] for j in matrix.argmax(dim=1)]
        self.numbers = {
            "weights_shape": tuple(weights.shape), "output_shape": tuple(output.shape),
            "attention_calls": 1, "rnn_steps": rnn_steps, "row_sums": row_sums.tolist(),
        }
        self.lines = [
            self.message("shapes", input=shape_text(x.shape), heads=HEADS, embed=EMBED,
                         weights=shape_text(weights.shape), output=shape_text(output.shape)),
            self.message("parallel", length=length, scores=length * length * HEADS),
            self.message("rnn", steps=rnn_steps, distance=length - 1),
            self.message("rows", low=f"{row_sums.min().item():.4f}", high=f"{row_sums.max().item():.4f}"),
            self.message("strongest", pairs=", ".join(f"{a}→{b}" for a, b in zip(words, strongest, strict=True))),
            self.message("untrained"),
        ]
        heat = svg.heatmap(matrix.tolist(), row_labels=words, column_labels=words, cell=30, low=0.0)
        self.figures = [(self.message("fig.heat"), heat)]
        self.text_figures = [(self.message("fig.heat"), svg.text_matrix(matrix.tolist(), words, words))]
