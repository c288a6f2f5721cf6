"""tensormagic: PyTorch tensors that explain themselves inside any Jupyter kernel.

Load it in IPython or Jupyter with ``%load_ext tensormagic``; or use the plain API::

    import tensormagic as tm
    tm.describe(t, globals())          # Facts: shape, dtype, device, memory sharing, statistics
    tm.check("01.evens")               # a course exercise: what is right, what is wrong, a hint
"""

from __future__ import annotations

from typing import Any

from .annotate import annotate, overview
from .cards import card
from .check import check
from .explanation import Explanation
from .facts import Facts, describe
from .runner import explain
from .sharing import Sharing
from .stats import Stats
from .timeline import Timeline
from .timeline.run import steps
from .widgets import inspect

__version__ = "0.1.0"


# IPython is imported only when the extension is loaded, so the plain API (describe, explain) works
# in scripts and on machines without IPython, and `import tensormagic` stays quick.
def load_ipython_extension(shell: Any) -> None:
    from .magics import load_ipython_extension as load

    load(shell)


def unload_ipython_extension(shell: Any) -> None:
    from .magics import unload_ipython_extension as unload

    unload(shell)


__all__ = [
    "Explanation",
    "Facts",
    "Sharing",
    "Stats",
    "Timeline",
    "annotate",
    "card",
    "check",
    "describe",
    "explain",
    "inspect",
    "load_ipython_extension",
    "overview",
    "steps",
    "unload_ipython_extension",
]
