"""Which names share the memory an in-place call changes, decided at the moment of the call.

At a cell's top level the namespace *is* the truth: a name is mentioned only if, right now, it is bound to an
object whose memory overlaps the changed memory (``y = x; x = x + 10; y += 1`` changes ``y`` only: ``x`` was
rebound). Inside a function the cell defined, locals cannot be read without side effects (see
:func:`~tensormagic.record.frames.frame_namespace`), so the recorder remembers the names the function's own
assignments gave to recorded results, per function, the latest binding of each name winning.
"""

from __future__ import annotations

import weakref
from typing import Any

from ..sharing import MemorySpan, Sharing, find_sharing, storage_span
from .frames import frame_namespace, is_module_level


class NameRegistry:
    """Names bound by recorded assignments inside functions, per function code; never the objects themselves."""

    def __init__(self) -> None:
        self._scopes: dict[int, dict[str, tuple[Any, MemorySpan]]] = {}

    def bind(self, frame: Any, names: list[str], obj: Any) -> None:
        """``names`` now refer to ``obj`` in ``frame`` (a weakref and the byte range are kept)."""
        if not names or is_module_level(frame):
            return  # the namespace itself says what top-level names are bound to
        span = storage_span(obj)
        try:
            ref = weakref.ref(obj)
        except TypeError:
            return
        scope = self._scopes.setdefault(id(frame.f_code), {})
        for name in names:
            if span is None:
                scope.pop(name, None)
            else:
                scope[name] = (ref, span)

    def sharing(self, frame: Any, target: Any) -> tuple[Sharing, ...]:
        """Everything named in ``frame`` whose memory overlaps ``target``'s, right now."""
        found = list(find_sharing(target, frame_namespace(frame)))
        scope = self._scopes.get(id(frame.f_code)) if not is_module_level(frame) else None
        span = storage_span(target) if scope else None
        if scope and span is not None:
            known = {s.name for s in found}
            for name, (ref, other) in scope.items():
                if name in known or ref() is None or not span.overlaps(other):
                    continue  # dead objects' memory may have been reused: never name them
                found.append(Sharing(name, "tensor", "shares", "unknown"))
        return tuple(found)
