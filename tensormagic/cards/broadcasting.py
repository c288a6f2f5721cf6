"""Broadcasting card: shapes aligned from the right; size-1 axes stretched without copying."""

from __future__ import annotations

from typing import Any

import torch

from .base import shape_text
from .live import LiveExampleCard


class BroadcastingCard(LiveExampleCard):
    topic = "broadcasting"
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
            f"  {name:>6}: " + "  ".join(["·"] * (width - t.dim()) + [str(n) for n in t.shape])
            for name, t in tensors.items()
        ]
        try:
            result = shape_text(torch.broadcast_shapes(*(t.shape for t in tensors.values())))
        except RuntimeError:
            result = self.t("incompatible")
        return [self.t("aligned"), *aligned, self.t("together", shape=result)]
