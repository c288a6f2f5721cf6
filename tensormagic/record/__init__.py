"""Recording the torch calls a cell makes, each mapped to the place in the cell that made it.

- :mod:`.frames`: which frame made a call (the cell's, the user's, torch's, ours), one walk with a policy;
- :mod:`.site`: what is kept of a call (:class:`Site`, :class:`Value` summaries; never the objects);
- :mod:`.calling`: running an op as from its caller's frame, and pruning our frames from tracebacks;
- :mod:`.names`: which names share the memory an in-place call changes, at the moment of the call;
- :mod:`.modes`: the torch function and dispatch modes and the seed proxy that see the calls;
- :mod:`.recorder`: :class:`Recorder`, which turns them on for one cell and keeps the sites.
"""

from __future__ import annotations

from .calling import prune_exception, prune_traceback
from .recorder import Observer, Recorder
from .site import DataSummary, ErrorInfo, Site, Value, func_short_name

__all__ = [
    "DataSummary",
    "ErrorInfo",
    "Observer",
    "Recorder",
    "Site",
    "Value",
    "func_short_name",
    "prune_exception",
    "prune_traceback",
]
