"""Notes: what ``%%explain`` says about each recorded call, as data with stable codes.

One module per family of rules (:mod:`.memory`, :mod:`.inplace`, :mod:`.elementwise`, :mod:`.matmul`,
:mod:`.layers`, :mod:`.reduce`, :mod:`.dtypes`, :mod:`.creation`, :mod:`.rng`, :mod:`.item`, :mod:`.errors`), each
declaring its note codes and the ops its rules handle in :mod:`.registry`. :func:`build_explanation` turns a
recorder's sites into an :class:`~tensormagic.explanation.Explanation`.
"""

from __future__ import annotations

import importlib
import pkgutil

from .build import build_explanation, notes_for
from .registry import CODES, RULES, NoteCode, Rule

_PLUMBING = {"build", "context", "naming", "registry"}
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _PLUMBING:
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["CODES", "RULES", "NoteCode", "Rule", "build_explanation", "notes_for"]
