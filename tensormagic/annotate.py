"""Building displayable annotations from live objects (the part of the API that sees the object)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import torch

from .facts import describe
from .i18n import message, normalize_language
from .render import Annotation, Overview
from .sharing import memory_groups, user_arrays


def values_text(obj: torch.Tensor | np.ndarray, precision: int = 4) -> str:
    """The values as the library itself prints them (summarised when large), at ``precision``."""
    try:
        if isinstance(obj, torch.Tensor):
            with torch._tensor_str.printoptions(precision=precision):
                return repr(obj)
        with np.printoptions(precision=precision):
            return repr(obj)
    except Exception as error:  # a broken subclass repr must not break the annotation
        return f"<values unavailable: {type(error).__name__}: {error}>"


def annotate(
    obj: object,
    namespace: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    sources: Iterable[str] = (),
    language: str | None = None,
    precision: int = 4,
    stats: bool = True,
) -> Annotation:
    """``describe`` plus the values, ready to display (text and HTML)."""
    facts = describe(obj, namespace, stats=stats, name=name, sources=sources)
    return Annotation(
        facts=facts,
        values_text=values_text(obj, precision),  # type: ignore[arg-type]
        language=normalize_language(language),
        precision=precision,
        show_stats=stats,
    )


def overview(namespace: Mapping[str, Any], language: str | None = None) -> Overview:
    """Every tensor and array in ``namespace``, grouped by shared memory (largest groups first)."""
    arrays = dict(user_arrays(namespace))
    groups = []
    for names in memory_groups(arrays):
        groups.append([describe(arrays[n], stats=False, name=n) for n in names])
    groups.sort(key=lambda group: (-len(group), group[0].name or ""))
    return Overview(groups=groups, language=normalize_language(language))


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
