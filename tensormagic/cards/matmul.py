"""Matrix multiplication card: (n, m) @ (m, p) -> (n, p), batched forms, and how it differs from *."""

from __future__ import annotations

from .live import LiveExampleCard
from .settings import Aliases


class MatmulCard(LiveExampleCard):
    topic = "matmul"
    order = 150
    aliases = Aliases(en=("matrix-multiplication", "@", "mm"), zh=("矩阵乘法", "矩阵乘"))
    code = """
A = torch.ones(2, 3)
B = torch.arange(12.).reshape(3, 4)
C = A @ B
D = torch.ones(5, 2, 3) @ B
E = A * A
"""
