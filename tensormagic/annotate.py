"""Building displayable annotations from live objects (the part of the API that sees the object)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import torch

from .facts import NESTED_SHOWN, describe
from .i18n import message, normalize_language
from .render import Annotation, Overview
from .render.annotation import check_detail
from .sharing import memory_groups, plain_torch, user_arrays

OVERVIEW_ROWS = 50
"""Rows the namespace overview lists; beyond them it says how many more there are, in how many groups."""


def values_text(obj: torch.Tensor | np.ndarray, precision: int = 4) -> str:
    """The values as the library itself prints them (summarised when large), at ``precision``.

    A tensor subclass prints through its own ``__repr__``, but its ``__torch_function__`` is not called
    (the values are read as a plain tensor's); if its ``__repr__`` fails, torch's own printing is used.
    """
    try:
        if isinstance(obj, torch.Tensor):
            with torch._tensor_str.printoptions(precision=precision), plain_torch():
                if obj.is_nested and not obj.is_meta:  # a meta one has no components to print: torch's repr
                    return _nested_values_text(obj)
                try:
                    return repr(obj)
                except Exception:
                    if type(obj).__repr__ is torch.Tensor.__repr__:
                        raise
                    return torch.Tensor.__repr__(obj)
        with np.printoptions(precision=precision):
            return repr(obj)
    except Exception as error:  # nothing printable: say why, in one line, rather than break the annotation
        text = f"{type(error).__name__}: {error}".splitlines()
        return f"<values unavailable: {text[0][:200] if text else type(error).__name__}>"


def _nested_values_text(tensor: torch.Tensor) -> str:
    """The first components as torch prints them, and how many more there are (torch would print all)."""
    count = tensor.size(0)
    lines = ["nested_tensor(["]
    for k in range(min(count, NESTED_SHOWN)):
        lines.extend("  " + line for line in (repr(tensor[k]) + ",").splitlines())
    if count > NESTED_SHOWN:
        lines.append(f"  … {count - NESTED_SHOWN:,} more")
    lines.append("])")
    return "\n".join(lines)


def annotate(
    obj: object,
    namespace: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    sources: Iterable[str] = (),
    language: str | None = None,
    precision: int = 4,
    stats: bool = True,
    detail: str = "full",
) -> Annotation:
    """``describe`` plus the values, ready to display (text and HTML); ``detail="brief"`` is student mode."""
    facts = describe(obj, namespace, stats=stats, name=name, sources=sources)
    return Annotation(
        facts=facts,
        values_text=values_text(obj, precision),  # type: ignore[arg-type]
        language=normalize_language(language),
        precision=precision,
        show_stats=stats,
        detail=check_detail(detail),
    )


def overview(namespace: Mapping[str, Any], language: str | None = None, *, rows: int = OVERVIEW_ROWS) -> Overview:
    """The tensors and arrays in ``namespace``, grouped by shared memory (largest groups first).

    The first ``rows`` are described; the rest are counted, with the number of memory groups they are in.
    Time is O(n log n) in the number of tensors and arrays (grouping sorts them by address), output O(rows).
    """
    arrays = dict(user_arrays(namespace))
    groups = memory_groups(arrays)
    groups.sort(key=lambda names: (-len(names), names[0]))
    listed: list[list[Any]] = []
    members: list[list[str]] = []
    room = max(rows, 0)
    unlisted = unlisted_groups = 0
    for names in groups:
        shown = names[:room]
        room -= len(shown)
        if shown:
            listed.append([describe(arrays[name], stats=False, name=name) for name in shown])
            members.append(names)
        if len(shown) < len(names):
            unlisted += len(names) - len(shown)
            unlisted_groups += 1
    return Overview(
        groups=listed,
        language=normalize_language(language),
        members=members,
        total=len(arrays),
        unlisted=unlisted,
        unlisted_groups=unlisted_groups,
    )


def what_is(value: object, language: str, from_item: bool = False) -> str:
    """One line saying what a non-tensor value is."""
    type_name = type(value).__qualname__
    if type(value).__module__ not in ("builtins", "__builtin__"):
        type_name = f"{type(value).__module__}.{type_name}"
    if isinstance(value, bool | int | float | complex) and type(value).__module__ == builtins.__name__:
        return message("value.from_item" if from_item else "value.python_number", language, type_name=type_name)
    if isinstance(value, tuple | list | dict):
        items = value.values() if isinstance(value, dict) else value
        count = sum(1 for item in items if isinstance(item, torch.Tensor | np.ndarray))
        if count:
            return message("value.contains_tensors", language, type_name=type_name, count=count)
    return message("value.not_tensor", language, type_name=type_name)
