"""The note-code registry and the rule registry: the single source of what ``%%explain`` can say.

Each rule module declares the codes it emits (:func:`note_code`, with the code's meaning in English and
Chinese) and its rules (:func:`rule`, with the canonical ops each handles and its rank in a call's notes).
:mod:`tensormagic.notes` imports every rule module, so adding a code touches its rule module, its messages
and its test; the README's code list is generated from :data:`CODES`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..explanation import Note
    from .context import CallContext

RuleFunction = Callable[["CallContext"], "list[Note]"]


@dataclass(frozen=True)
class NoteCode:
    """A stable note code and what it means, in both languages (users and notebook checks filter on codes)."""

    code: str
    en: str
    zh: str
    module: str


@dataclass(frozen=True)
class Rule:
    """One rule: a function from a call to its notes; ``ops`` None means it looks at every call."""

    function: RuleFunction
    rank: int
    ops: frozenset[str] | None
    codes: tuple[str, ...]
    on_error: bool = False  # sees calls that raised (explains the error); others never do

    @property
    def name(self) -> str:
        return f"{self.function.__module__}.{self.function.__name__}"


CODES: dict[str, NoteCode] = {}
RULES: list[Rule] = []


def note_code(code: str, en: str, zh: str) -> str:
    """Declare ``code`` (from the rule module that emits it); returns the code for use in ``ctx.note``."""
    import inspect

    module = inspect.currentframe().f_back.f_globals.get("__name__", "?")  # type: ignore[union-attr]
    known = CODES.get(code)
    if known is not None and known.module != module:
        raise RuntimeError(f"note code {code!r} declared twice: {known.module} and {module}")
    CODES[code] = NoteCode(code, en, zh, module)
    return code


def rule(
    *, rank: int, codes: Iterable[str], ops: Iterable[str] | None = None, on_error: bool = False
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule: the notes of a call come from its rules in ``rank`` order.

    A call that raised is seen only by rules registered ``on_error``: no note may presume that it worked.
    """
    declared = tuple(codes)

    def register(function: RuleFunction) -> RuleFunction:
        unknown = [code for code in declared if code not in CODES]
        if unknown:
            raise RuntimeError(f"{function.__name__} emits undeclared note codes {unknown}")
        RULES.append(Rule(function, rank, frozenset(ops) if ops is not None else None, declared, on_error))
        RULES.sort(key=lambda r: r.rank)
        rules_for.cache_clear()
        return function

    return register


@cache
def rules_for(op: str, raised: bool = False) -> tuple[Rule, ...]:
    """The rules that look at calls of canonical op ``op`` (that raised, or not), in rank order."""
    return tuple(r for r in RULES if (r.ops is None or op in r.ops) and (r.on_error or not raised))
