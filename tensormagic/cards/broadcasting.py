"""Broadcasting card: shapes aligned from the right; size-1 axes stretched without copying."""

from __future__ import annotations

from typing import Any

import torch

from ..render.text import rjust
from .base import shape_text
from .live import LiveExampleCard
from .settings import Aliases


def broadcast_shape(shapes: list[tuple[int, ...]]) -> tuple[int, ...] | None:
    """The broadcast of ``shapes`` by the rule the card teaches, or None when they do not fit.

    Written out rather than calling ``torch.broadcast_shapes``, whose first call imports torch's symbolic-shape
    machinery (sympy, about 0.8 s) — and because the rule itself is the lesson.
    """
    width = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(-width, 0):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            return None
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


class BroadcastingCard(LiveExampleCard):
    topic = "broadcasting"
    order = 140
    aliases = Aliases(en=("broadcast",), zh=("广播", "广播机制"))
    code = """
a = torch.arange(3).reshape(3, 1)
b = torch.arange(4)
c = a + b
"""

    def notes(self, variables: dict[str, Any], value: Any) -> list[str]:
        tensors = {k: v for k, v in variables.items() if isinstance(v, torch.Tensor)}
        if len(tensors) < 2:
            return []
        width = max(t.dim() for t in tensors.values())
        aligned = [
            "  " + rjust(name, 6) + ": " + "  ".join(["·"] * (width - t.dim()) + [str(n) for n in t.shape])
            for name, t in tensors.items()
        ]
        combined = broadcast_shape([tuple(t.shape) for t in tensors.values()])
        result = self.message("incompatible") if combined is None else shape_text(combined)
        return [self.message("aligned"), *aligned, self.message("together", shape=result)]
