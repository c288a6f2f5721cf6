"""ipywidgets front ends: the tensor inspector (``inspect``) and the SVG drawings cards share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .inspector import Inspector


def inspect(
    obj: object, namespace: Mapping[str, Any] | None = None, *, name: str | None = None, language: str = "en"
) -> Inspector:
    """Open the interactive inspector on a tensor or NumPy array (see :class:`~.inspector.Inspector`)."""
    # Imported here so that ``tensormagic.widgets.svg`` (used by every card) does not pull in the inspector.
    from .inspector import Inspector

    return Inspector(obj, namespace, name=name, language=language)


__all__ = ["inspect"]
