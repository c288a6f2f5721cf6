"""Transformer card: real ``nn.MultiheadAttention`` weights as a heat map; one parallel step vs an RNN's loop."""

from __future__ import annotations

import math

import ipywidgets as widgets
import torch
from torch import nn

from ..render import svg
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


def attention_by_hand(attention: nn.MultiheadAttention, x: torch.Tensor, scale: bool = True) -> torch.Tensor:
    """softmax(Q·Kᵀ / √d_k) per head, from the layer's own projection weights: (batch, heads, query, key)."""
    batch, length, embed = x.shape
    heads = attention.num_heads
    head_size = embed // heads
    q, k, _ = (x @ attention.in_proj_weight.T + attention.in_proj_bias).chunk(3, dim=-1)

    def split(t: torch.Tensor) -> torch.Tensor:
        return t.reshape(batch, length, heads, head_size).transpose(1, 2)

    scores = split(q) @ split(k).transpose(-1, -2)
    return (scores / math.sqrt(head_size) if scale else scores).softmax(dim=-1)


def distinct(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` with 3 decimals, or as many more as it takes for two different values to read differently."""
    for decimals in range(3, 9):
        shown = f"{a:.{decimals}f}", f"{b:.{decimals}f}"
        if a == b or shown[0] != shown[1]:
            return shown
    return f"{a:.9f}", f"{b:.9f}"


def labelled(words: list[str]) -> list[str]:
    """Words as labels; a word that occurs more than once gets its position, "the(1)" and "the(5)"."""
    return [f"{w}({i + 1})" if words.count(w) > 1 else w for i, w in enumerate(words)]


class TransformerCard(Card):
    topic = "transformer"
    order = 50
    group = "models"
    aliases = Aliases(en=("attention", "self-attention", "mha"), zh=("注意力", "自注意力"))
    #: head 0 shows the average over the heads, head k the k-th head's own weights.
    settings = (
        IntSetting("length", TOKENS, 2, TOKENS),
        ChoiceSetting("head", 0, (("average", 0), *((str(h), h) for h in range(1, HEADS + 1)))),
    )

    def choice_label(self, setting: ChoiceSetting, word: str) -> str:
        if word == "average":
            return self.message("control.average")
        return self.message("control.head_number", number=word)

    def build_controls(self) -> list[widgets.Widget]:
        self.tokens = self.message("sentence").split()
        if len(self.tokens) != TOKENS:
            raise ValueError(f"the {self.language} toy sentence must have {TOKENS} words, not {len(self.tokens)}")
        gen = generator(21)
        self.attention = fresh(nn.MultiheadAttention, EMBED, HEADS, batch_first=True, gen=gen)
        self.rnn_cell = fresh(nn.RNNCell, EMBED, EMBED, gen=gen)
        vocabulary = sorted(set(self.tokens))
        table = torch.randn(len(vocabulary), EMBED, generator=gen)
        ids = torch.tensor([vocabulary.index(word) for word in self.tokens])
        self.words = table[ids]  # one random but fixed vector per word: the same word, the same vector
        self.codes = positional(len(self.tokens), EMBED)
        self.embedded = self.words + self.codes
        return self.setting_controls()

    def refresh(self) -> None:
        length, head = self.controls["length"].value, self.controls["head"].value
        x = self.embedded[:length][None]  # (batch 1, length, embed)
        with torch.no_grad():
            output, weights = self.attention(x, x, x, need_weights=True, average_attn_weights=False)
            by_hand = attention_by_hand(self.attention, x)
            unscaled = attention_by_hand(self.attention, x, scale=False)
            order = self._order_experiment(length)
            # The RNN comparison: the same sequence through an RNN cell needs one call per position.
            hidden = torch.zeros(1, EMBED)
            rnn_steps = 0
            for t in range(length):
                hidden = self.rnn_cell(x[:, t], hidden)
                rnn_steps += 1
        matrix = weights[0].mean(0) if head == 0 else weights[0, head - 1]
        row_sums = matrix.sum(dim=1)
        words = self.tokens[:length]
        labels = labelled(words)
        strongest = [labels[int(j)] for j in matrix.argmax(dim=1)]
        head_size = EMBED // HEADS
        self.numbers = {
            "weights_shape": tuple(weights.shape), "output_shape": tuple(output.shape),
            "attention_calls": 1, "rnn_steps": rnn_steps, "row_sums": row_sums.tolist(),
            "by_hand_difference": (by_hand - weights).abs().max().item(),
            "scaled_max": weights.max().item(), "unscaled_max": unscaled.max().item(), **order,
        }
        lines = [self.message("positions", dim=EMBED)]
        repeated = next((w for w in words if words.count(w) > 1), None)
        if repeated is not None:
            first = words.index(repeated)
            second = words.index(repeated, first + 1)
            lines.append(self.message("duplicates", word=repeated, first=first + 1, second=second + 1))
        lines += [
            self.message("order", without=f"{order['reversed_without_codes']:.1g}",
                         with_=f"{order['reversed_with_codes']:.2f}"),
            self.message("shapes", input=shape_text(x.shape), heads=HEADS, embed=EMBED,
                         weights=shape_text(weights.shape), output=shape_text(output.shape)),
            self.message("scaling", embed=EMBED, heads=HEADS, dk=head_size, root=f"{math.sqrt(head_size):g}",
                         diff=f"{self.numbers['by_hand_difference']:.1g}",
                         unscaled=f"{self.numbers['unscaled_max']:.2f}", scaled=f"{self.numbers['scaled_max']:.2f}"),
            self.message("parallel", length=length, heads=HEADS, scores=length * length * HEADS),
            self.message("rnn", steps=rnn_steps, distance=length - 1),
            self.message("rows", low=f"{row_sums.min().item():.6f}", high=f"{row_sums.max().item():.6f}"),
            self.message("strongest", pairs=self.common_message("separator").join(
                f"{a}→{b}" for a, b in zip(labels, strongest, strict=True))),
            self.message("untrained"),
        ]
        pronoun, referent = self.message("pronoun"), self.message("referent")
        if pronoun in words and referent in words:
            row = matrix[words.index(pronoun)]
            top = int(row.argmax())
            weight, top_weight = distinct(row[words.index(referent)].item(), row[top].item())
            lines.append(self.message("pronoun_line", pronoun=pronoun, referent=referent, weight=weight,
                                      top=labels[top], top_weight=top_weight))
        self.lines = lines
        codes = self.codes[:length].tolist()
        features = [str(i) for i in range(EMBED)]
        positions = [str(i) for i in range(length)]
        self.figures = [
            (self.message("fig.heat"), svg.heatmap(matrix.tolist(), row_labels=labels, column_labels=labels, cell=30,
                                                   low=0.0)),
            (self.message("fig.positions"), svg.heatmap(codes, row_labels=positions, column_labels=features, cell=30)),
        ]
        self.text_figures = [
            (self.message("fig.heat"), svg.text_matrix(matrix.tolist(), labels, labels)),
            (self.message("fig.positions"), svg.text_matrix(codes, positions, features)),
        ]

    def _order_experiment(self, length: int) -> dict[str, float]:
        """Reverse the tokens: without position codes the outputs are only reversed too; with them they change."""
        reverse = torch.arange(length - 1, -1, -1)

        def run(x: torch.Tensor) -> torch.Tensor:
            return self.attention(x[None], x[None], x[None], need_weights=False)[0][0]

        words, codes = self.words[:length], self.codes[:length]
        without = (run(words[reverse]) - run(words)[reverse]).abs().max().item()
        with_codes = (run(words[reverse] + codes) - run(words + codes)[reverse]).abs().max().item()
        return {"reversed_without_codes": without, "reversed_with_codes": with_codes}
