"""Tensor creation card (course notes §3): tensor/arange/linspace/zeros/full, with a live example."""

from __future__ import annotations

from .live import LiveExampleCard
from .settings import Aliases


class TensorCreationCard(LiveExampleCard):
    topic = "tensor-creation"
    order = 110
    aliases = Aliases(en=("creation", "create", "tensor"), zh=("张量创建", "创建张量", "张量"))
    code = """
a = torch.tensor([[1., 2, 3], [4, 5, 6]])
b = torch.arange(0, 10, 2)
c = torch.linspace(0, 9, 4)
d = torch.zeros(2, 3)
e = torch.full((2, 2), 7)
"""
