"""Forms that agree with their numbers and lists, in any catalog: ``{n:# row|# rows}``, ``{axes:and}``.

A catalog whose templates are :class:`Template` strings gets every integer value as a :class:`Count` (English
says "1 output" and "2 outputs"; Chinese can say "唯一一个元素") and every tuple as :class:`Items` (joined in the
message's language). This module defines no messages, so the catalog loader passes it by.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any


class Count(int):
    """A number a message agrees with: ``{rows:# row|# rows}`` picks the first form for 1, the second else.

    ``#`` in the chosen form is the number itself (with thousands separators, ``10,000``); without a
    ``|`` the format spec is an ordinary integer one (``{count:,}``, ``{count}``). Templates of this
    catalog are :class:`Template` strings, which pass every integer value as a ``Count``: English says
    "1 output" and "2 outputs", and Chinese can say "唯一一个元素" rather than "全部 1 个元素".
    """

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        if "|" not in spec:
            return int.__format__(self, spec)
        one, other = spec.split("|", 1)
        return (one if self == 1 else other).replace("#", f"{int(self):,}")


class Items(tuple):  # type: ignore[type-arg]
    """A list a message joins in its own language: ``{axes:and}`` gives "0 and 2" (English), ``{axes:、}`` "0、2".

    Any other spec is the separator itself; without one the items are joined with ", ".
    """

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        words = [str(item) for item in self]
        if spec == "and":
            return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
        return (spec or ", ").join(words)


def counts(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every integer made a :class:`Count` (a template may pluralise) and every tuple an
    :class:`Items` (a template joins it in its language)."""
    formatted: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Integral) and not isinstance(value, bool | Count):
            value = Count(value)
        elif isinstance(value, tuple) and not isinstance(value, Items):
            value = Items(value)
        formatted[key] = value
    return formatted


class Template(str):
    """A catalog template: ``str.format`` with integers as :class:`Count` (``message()`` formats them so)."""

    __slots__ = ()

    def format(self, /, *args: Any, **values: Any) -> str:
        return str.format(self, *args, **counts(values))
