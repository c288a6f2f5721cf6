"""Reductions card: sum/mean/max along ``dim`` remove that axis (unless keepdim=True)."""

from __future__ import annotations

from .live import LiveExampleCard
from .settings import Aliases


class ReductionsCard(LiveExampleCard):
    topic = "reductions"
    order = 160
    aliases = Aliases(en=("reduce", "reduction", "dim", "sum"), zh=("归约", "聚合", "按维度", "求和"))
    code = """
t = torch.arange(6.).reshape(2, 3)
s0 = t.sum(dim=0)
s1 = t.sum(dim=1)
k = t.sum(dim=1, keepdim=True)
m = t.mean(dim=0)
"""
