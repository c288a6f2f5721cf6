"""tensormagic: PyTorch tensors that explain themselves inside any Jupyter kernel.

Load it in IPython or Jupyter with ``%load_ext tensormagic``; or use the plain API::

    import tensormagic as tm
    tm.describe(t, globals())          # Facts: shape, dtype, device, memory sharing, statistics
"""

from __future__ import annotations

from .annotate import annotate, overview
from .facts import Facts, describe
from .magics import load_ipython_extension, unload_ipython_extension
from .sharing import Sharing
from .stats import Stats

__version__ = "0.1.0"

__all__ = [
    "Facts",
    "Sharing",
    "Stats",
    "annotate",
    "describe",
    "load_ipython_extension",
    "overview",
    "unload_ipython_extension",
]
