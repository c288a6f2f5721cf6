"""Step through a cell: the names it touches, the tensors and arrays they refer to, and their memory, per line.

``tensormagic.steps(source, namespace)`` runs ``source`` once (like ``exec``, under the same recorder as
``tensormagic.explain``) and returns a :class:`Timeline`; ``%%explain --steps`` does the same for a notebook cell and
shows it with a slider. See :mod:`.recorder` for how the steps are taken and :mod:`.model` for what they hold.
"""

from __future__ import annotations

from .model import FIRST_KEPT, LAST_KEPT, SMALL, Block, Frame, Storage, Timeline
from .recorder import StepRecorder

__all__ = ["FIRST_KEPT", "LAST_KEPT", "SMALL", "Block", "Frame", "StepRecorder", "Storage", "Timeline"]
