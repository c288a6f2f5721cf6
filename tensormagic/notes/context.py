"""What a rule sees of one call: :class:`CallContext` (the first call's summaries plus how the source wrote it)."""

from __future__ import annotations

import keyword
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..explanation import Claim, Note
from ..facts import Facts
from ..i18n import message
from ..record import Site, Value
from ..render.common import format_shape
from .registry import note_code

#: Emitted by several families (matmul, layers, joins, errors): a call raised because shapes did not fit.
SHAPE_ERROR = note_code(
    "shape-error",
    "the call raised because shapes did not fit (which sizes differ)",
    "调用因形状不匹配而报错（指出哪些尺寸不同）",
)


@dataclass
class CallContext:
    """What the rules know about one call site (first call), plus how the cell's source wrote it."""

    name: str
    op: str
    site: Site
    count: int
    language: str
    texts: list[str] = field(default_factory=list)
    kw_texts: dict[str, str] = field(default_factory=dict)
    target: str | None = None
    unused: bool = False
    then_copy: bool = False  # ``t.numpy().copy()``: the result is copied right away
    copy_target: str | None = None  # … and that copy is assigned to this name
    binary_symbol: str | None = None

    @property
    def args(self) -> tuple[Value, ...]:
        return self.site.args

    @property
    def kwargs(self) -> dict[str, Value]:
        return self.site.kwargs

    @property
    def result(self) -> Value | None:
        return self.site.result

    @property
    def is_method(self) -> bool:
        """A method call on an object (``t.add(1)``, ``opt.step()``): the receiver is the first argument's text."""
        return self.name.startswith("Tensor.") or self.site.kind == "api"

    def param(self, name: str, position: int | None = None) -> Value | None:
        """An argument by keyword, else by position (methods count ``self`` as position 0)."""
        if name in self.kwargs:
            return self.kwargs[name]
        if position is not None and position < len(self.args):
            return self.args[position]
        return None

    def text(self, position: int, keyword: str | None = None) -> str:
        """How the source wrote this argument; for calls made inside functions, what it was."""
        if keyword and keyword in self.kw_texts:
            return self.kw_texts[keyword]
        if position < len(self.texts):
            return self.texts[position]
        value = self.kwargs.get(keyword) if keyword else None
        if value is None and position < len(self.args):
            value = self.args[position]
        if value is not None and value.facts is not None:
            kind = message(f"kind.{value.facts.kind}", self.language)
            return f"{kind} {format_shape(value.facts.shape)}"
        if value is not None and value.kind in ("number", "bool"):
            return repr(value.value)
        return "?"

    def tensor_inputs(self) -> list[tuple[int | str, Value, str]]:
        """Tensor/ndarray arguments with the source text that produced each."""
        found: list[tuple[int | str, Value, str]] = []
        for index, value in enumerate(self.args):
            if value.facts is not None:
                found.append((index, value, self.text(index)))
        for key, value in self.kwargs.items():
            if value.facts is not None:
                found.append((key, value, self.kw_texts.get(key, key)))
        return found

    def relation_of(self, index: int | str) -> str:
        """How the result's memory relates to this argument's: alias, view, shares, copy (or "")."""
        if isinstance(index, str):
            return self.site.kw_relations.get(index, "")
        if index < len(self.site.relations):
            return self.site.relations[index]
        return ""

    def result_facts(self) -> Facts | None:
        result = self.result
        if result is None:
            return None
        if result.facts is not None:
            return result.facts
        if result.items and result.items[0].facts is not None:
            return result.items[0].facts
        return None

    def note(self, code: str, key: str, claims: Iterable[Claim] = (), **params: Any) -> Note:
        """A note worded in the context's language, carrying what it asserts (stamped with this call's site)."""
        order = self.site.order
        stamped = tuple(replace(claim, site=order) for claim in claims)
        return Note(code, message(key, self.language, **params), key, params, stamped)

    def subject_of(self, keyword: str, position: int) -> str:
        """The claim subject of an argument given by keyword or by position (``kw:data`` or ``arg0``)."""
        return f"kw:{keyword}" if keyword in self.kwargs else f"arg{position}"

    @staticmethod
    def is_name(text: str) -> bool:
        """Whether the source wrote an argument as a plain name (``t``), not an expression (``t[0]``, ``f(t)``).

        A plain name was evaluated to produce the argument just before the call: at that moment it is bound to
        that very object, so a note may say "t" and mean it.
        """
        return text.isidentifier() and not keyword.iskeyword(text)


def subject(index: int | str) -> str:
    """The claim subject of a tensor argument: ``arg0`` (position) or ``kw:out`` (keyword)."""
    return f"arg{index}" if isinstance(index, int) else f"kw:{index}"


def claim(kind: str, subject: str, value: Any = None, when: str = "call") -> Claim:
    return Claim(kind, subject, value, when=when)


def facts_claims(subject: str, facts: Facts | None) -> list[Claim]:
    """That ``subject`` has these dtype and shape (what a note quoting them asserts)."""
    if facts is None:
        return []
    return [Claim("dtype", subject, facts.dtype), Claim("shape", subject, tuple(facts.shape))]


def dtype_label(dtype: str | None) -> str:
    return (dtype or "?").removeprefix("torch.")


def category(dtype: str) -> str:
    """``bool``, ``int``, ``float``, ``complex`` (the kinds type promotion ranks), or ``other``."""
    name = dtype.removeprefix("torch.")
    if name == "bool":
        return "bool"
    if name.startswith("complex"):
        return "complex"
    if name.startswith(("float", "bfloat", "half", "double")):
        return "float"
    if name.startswith(("int", "uint", "long", "short")):
        return "int"
    return "other"


def is_float(dtype: str) -> bool:
    return category(dtype) == "float"


def is_int(dtype: str) -> bool:
    return category(dtype) == "int"


def number(value: Value | None) -> float | int | None:
    if value is None or value.kind not in ("number", "bool"):
        return None
    return value.value  # type: ignore[no-any-return]
