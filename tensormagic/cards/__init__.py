"""Concept cards: ``card(topic, language)`` builds a live, interactive explanation of one idea.

Every card runs real torch code when it is built (and again when a control moves) and shows the
measured numbers; see :mod:`tensormagic.cards.base` for the protocol. Topics are found by name or by
alias in English or Chinese (``cnn``, ``conv``, ``卷积神经网络`` …).
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the base module imports ipywidgets: only pay for it when a card is built
    from .base import Card

#: topic -> (module, class). Imported lazily: building one card must not pay for the others' imports.
_CARDS: dict[str, tuple[str, str]] = {
    "deep-learning": ("deep_learning", "DeepLearningCard"),
    "perceptron": ("perceptron", "PerceptronCard"),
    "cnn": ("cnn", "CnnCard"),
    "rnn": ("rnn", "RnnCard"),
    "transformer": ("transformer", "TransformerCard"),
    "autoencoder": ("autoencoder", "AutoencoderCard"),
    "tensor-creation": ("tensor_creation", "TensorCreationCard"),
    "dtypes": ("dtypes", "DtypesCard"),
    "numpy-sharing": ("numpy_sharing", "NumpySharingCard"),
    "broadcasting": ("broadcasting", "BroadcastingCard"),
    "matmul": ("matmul", "MatmulCard"),
    "reductions": ("reductions", "ReductionsCard"),
}

#: Other names a student may type, in both languages (compared after ``_normalize``).
ALIASES: dict[str, str] = {
    "deeplearning": "deep-learning", "dl": "deep-learning", "deep": "deep-learning",
    "深度学习": "deep-learning", "深度学习简介": "deep-learning",
    "ann": "perceptron", "mlp": "perceptron", "xor": "perceptron", "neural-network": "perceptron",
    "感知机": "perceptron", "人工神经网络": "perceptron", "多层感知机": "perceptron", "神经网络": "perceptron",
    "conv": "cnn", "convolution": "cnn", "conv2d": "cnn", "convolutional": "cnn",
    "卷积": "cnn", "卷积神经网络": "cnn", "池化": "cnn",
    "recurrent": "rnn", "循环神经网络": "rnn", "梯度消失": "rnn",
    "attention": "transformer", "self-attention": "transformer", "mha": "transformer",
    "注意力": "transformer", "自注意力": "transformer",
    "ae": "autoencoder", "自编码器": "autoencoder", "自动编码器": "autoencoder",
    "creation": "tensor-creation", "create": "tensor-creation", "tensor": "tensor-creation",
    "张量创建": "tensor-creation", "创建张量": "tensor-creation", "张量": "tensor-creation",
    "dtype": "dtypes", "types": "dtypes", "type": "dtypes", "元素类型": "dtypes", "数据类型": "dtypes",
    "类型转换": "dtypes",
    "numpy": "numpy-sharing", "from-numpy": "numpy-sharing", "sharing": "numpy-sharing",
    "共享内存": "numpy-sharing", "numpy共享": "numpy-sharing",
    "broadcast": "broadcasting", "广播": "broadcasting", "广播机制": "broadcasting",
    "matrix-multiplication": "matmul", "@": "matmul", "mm": "matmul", "矩阵乘法": "matmul", "矩阵乘": "matmul",
    "reduce": "reductions", "reduction": "reductions", "dim": "reductions", "sum": "reductions",
    "归约": "reductions", "聚合": "reductions", "按维度": "reductions", "求和": "reductions",
}


class UnknownTopicError(KeyError, ValueError):
    """No card has this name. ``suggestions`` are the closest known names."""

    def __init__(self, topic: str, suggestions: list[str]) -> None:
        super().__init__(topic)
        self.topic = topic
        self.suggestions = suggestions

    def __str__(self) -> str:
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"no card named {self.topic!r}.{hint} Topics: {', '.join(_CARDS)}."


@dataclass(frozen=True)
class Topic:
    name: str
    aliases: tuple[str, ...]


def _normalize(topic: str) -> str:
    return topic.strip().lower().replace("_", "-").replace(" ", "-")


def topics() -> list[Topic]:
    """Every topic with its aliases, in course order."""
    return [Topic(name, tuple(a for a, t in ALIASES.items() if t == name)) for name in _CARDS]


def resolve(topic: str) -> str:
    """The canonical topic name for ``topic`` or one of its aliases; :class:`UnknownTopicError` otherwise."""
    key = _normalize(topic)
    if key in _CARDS:
        return key
    if key in ALIASES:
        return ALIASES[key]
    known = [*_CARDS, *ALIASES]
    close = difflib.get_close_matches(key, known, n=5, cutoff=0.5)
    suggestions = list(dict.fromkeys(close))[:3]
    raise UnknownTopicError(topic, suggestions)


def card_class(topic: str) -> type[Card]:
    module_name, class_name = _CARDS[resolve(topic)]
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, class_name)


@dataclass(frozen=True)
class TopicList:
    """Every topic with its title and aliases; what ``%explain`` alone shows."""

    language: str = "en"

    def rows(self) -> list[tuple[str, str, str]]:
        from ..i18n import message

        return [
            (t.name, message(f"card.{t.name}.title", self.language), ", ".join(t.aliases))
            for t in topics()
        ]

    def __str__(self) -> str:
        from ..i18n import message

        lines = [message("card.common.topics_title", self.language)]
        rows = self.rows()
        width = max(len(name) for name, _, _ in rows)
        for name, title, aliases in rows:
            lines.append(f"  {name:<{width}}  {title}")
            lines.append(f"  {'':<{width}}    ↳ {aliases}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from ..i18n import message
        from ..render.common import BOX_STYLE, MUTED_STYLE, escape

        body = "".join(
            # text-align is explicit: JupyterLab's stylesheet right-aligns table cells in HTML outputs.
            f'<tr><td style="padding:1px 8px;text-align:left"><code>{escape(name)}</code></td>'
            f'<td style="padding:1px 8px;text-align:left">{escape(title)}</td>'
            f'<td style="padding:1px 8px;text-align:left;{MUTED_STYLE}">{escape(aliases)}</td></tr>'
            for name, title, aliases in self.rows()
        )
        title = escape(message("card.common.topics_title", self.language))
        html = f'<div style="{BOX_STYLE}"><div><b>{title}</b></div><table>{body}</table></div>'
        return {"text/plain": str(self), "text/html": html}


def card(topic: str, language: str = "en") -> Card:
    """Build the card for ``topic`` (name or alias, English or Chinese) in ``language``."""
    return card_class(topic)(language)


def __getattr__(name: str) -> Any:
    if name == "Card":
        from .base import Card

        return Card
    raise AttributeError(name)


__all__ = ["ALIASES", "Card", "Topic", "TopicList", "UnknownTopicError", "card", "card_class", "resolve", "topics"]
