"""Dtypes card (course notes §3.5 and §4): default float32, conversions (and when they do not copy), truncation,
NumPy's float64."""

from __future__ import annotations

from .live import LiveExampleCard
from .settings import Aliases


class DtypesCard(LiveExampleCard):
    topic = "dtypes"
    order = 120
    aliases = Aliases(en=("dtype", "types", "type"), zh=("元素类型", "数据类型", "类型转换"))
    code = """
a = torch.tensor([1.9, -1.9])
b = a.int()
c = a.type(torch.float16)
n = np.array([1.5, 2.5])
d = torch.tensor(n)
a.float() is a
"""
