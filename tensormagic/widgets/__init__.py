"""ipywidgets front ends: the tensor inspector (``inspect``); the drawings live in :mod:`tensormagic.render.svg`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .inspector import Inspector


def inspect(
    obj: object, namespace: Mapping[str, Any] | None = None, *, name: str | None = None, language: str = "en"
) -> Inspector:
    """Open the interactive inspector on a tensor or NumPy array (see :class:`~.inspector.Inspector`)."""
    # Imported on first use: ``import tensormagic`` needs the module only when an inspector is opened.
    from .inspector import Inspector

    return Inspector(obj, namespace, name=name, language=language)


__all__ = ["inspect"]
