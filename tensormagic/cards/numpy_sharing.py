"""NumPy sharing card (course notes §4): from_numpy/numpy() share memory, torch.tensor copies."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..sharing import element_overlap
from .live import LiveExampleCard
from .settings import Aliases


class NumpySharingCard(LiveExampleCard):
    topic = "numpy-sharing"
    order = 130
    aliases = Aliases(en=("numpy", "from-numpy", "sharing"), zh=("共享内存", "numpy共享"))
    code = """
n = np.array([1., 2., 3.])
t = torch.from_numpy(n)
c = torch.tensor(n)
n[0] = 100.
m = t.numpy()
"""

    def notes(self, variables: dict[str, Any], value: Any) -> list[str]:
        arrays = [(k, v) for k, v in variables.items() if isinstance(v, torch.Tensor | np.ndarray)]
        pairs = [
            f"{a}↔{b}" for i, (a, x) in enumerate(arrays) for b, y in arrays[i + 1 :]
            if element_overlap(x, y) in ("all", "some")
        ]
        return [self.message("pairs", pairs=", ".join(pairs) or "—")]
