"""What a card declares about itself: its aliases and its settings.

A setting is one of the card's controls. In a widget view it is a slider, a toggle or a code box; in a
terminal it is an option of ``%explain TOPIC`` (``%explain cnn --kernel 5 --stride 2``) and a keyword of
``tensormagic.card`` (``card("cnn", kernel=5)``). Declaring it once, as data, keeps the three in step: the
same name, the same range, the same default, the same validation.

This module imports neither torch nor ipywidgets: the ``%explain`` option parser reads settings without
building a card.
"""

from __future__ import annotations

import ast
import math
import shlex
from dataclasses import dataclass
from typing import Any


class SettingError(ValueError):
    """A value a setting does not accept; the message names the setting and what it accepts."""


@dataclass(frozen=True)
class Aliases:
    """Other names of a topic a student may type: English ones, and Chinese ones (which open the Chinese card)."""

    en: tuple[str, ...] = ()
    zh: tuple[str, ...] = ()


@dataclass(frozen=True)
class IntSetting:
    """A whole number from ``low`` to ``high`` (a slider)."""

    name: str
    default: int
    low: int
    high: int

    def accepted(self) -> str:
        return f"{self.low}…{self.high}"

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingError(f"{self.name} takes a whole number from {self.low} to {self.high}, not {value!r}")
        if not self.low <= value <= self.high:
            raise SettingError(f"{self.name} takes a whole number from {self.low} to {self.high}, not {value}")
        return value

    def parse(self, text: str) -> int:
        try:
            number = int(text.strip())
        except ValueError:
            raise SettingError(
                f"{self.name} takes a whole number from {self.low} to {self.high}, not {text!r}"
            ) from None
        return self.check(number)

    def spelled(self, value: Any) -> str:
        return str(value)


@dataclass(frozen=True)
class FloatSetting:
    """A real number from ``low`` to ``high`` (a slider moving by ``step``; on a log scale when ``log``).

    A log slider moves by factors: its ``step`` is in powers of ten (0.1 is a factor of 10^0.1 ≈ 1.26), which
    suits a learning rate that matters by its order of magnitude. Typed values need not lie on the slider's grid.
    """

    name: str
    default: float
    low: float
    high: float
    step: float
    log: bool = False

    def accepted(self) -> str:
        return f"{self.low:g}…{self.high:g}"

    def check(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingError(f"{self.name} takes a number from {self.low:g} to {self.high:g}, not {value!r}")
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise SettingError(f"{self.name} takes a number from {self.low:g} to {self.high:g}, not {value:g}")
        return float(value)

    def parse(self, text: str) -> float:
        try:
            number = float(text.strip())
        except ValueError:
            raise SettingError(
                f"{self.name} takes a number from {self.low:g} to {self.high:g}, not {text!r}"
            ) from None
        return self.check(number)

    def spelled(self, value: Any) -> str:
        # Twelve significant digits: a slider's 0.30000000000000004 reads 0.3 (the same float32, which is what the
        # cards compute in), and spelling what was read back gives the same text again.
        return f"{float(value):.12g}"


@dataclass(frozen=True)
class ChoiceSetting:
    """One of a few named choices (toggle buttons).

    ``choices`` pairs the word typed after the option (``--data xor``) with the value the card works with;
    words are compared without regard to case.
    """

    name: str
    default: Any
    choices: tuple[tuple[str, Any], ...]

    def accepted(self) -> str:
        return " | ".join(word for word, _ in self.choices)

    def check(self, value: Any) -> Any:
        for _, known in self.choices:
            if type(value) is type(known) and value == known:
                return value
        return self.parse(str(value))

    def parse(self, text: str) -> Any:
        wanted = text.strip().lower()
        for word, value in self.choices:
            if word.lower() == wanted:
                return value
        raise SettingError(f"{self.name} takes one of {', '.join(w for w, _ in self.choices)}, not {text!r}")

    def spelled(self, value: Any) -> str:
        return next(word for word, known in self.choices if known == value)


@dataclass(frozen=True)
class CodeSetting:
    """Python code a live example runs (a text box); typed on one line, its statements are separated by ``;``.

    A line of simple statements becomes one statement per line again (``a = 1; b = a`` is shown as two lines),
    so ``--code`` gives the same card as the text box. Code with compound statements (a ``for`` block) cannot
    be written on one line; such code can be edited in the widget only.
    """

    name: str
    default: str

    def accepted(self) -> str:
        return "CODE"

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise SettingError(f"{self.name} takes Python code as a string, not {value!r}")
        return value

    def parse(self, text: str) -> str:
        code = self.check(text).strip()
        try:
            statements = ast.parse(code).body
        except SyntaxError:
            return code  # the card runs it and shows the error, as it does for the text box
        if len(statements) < 2 or any(node.lineno != 1 or node.end_lineno != 1 for node in statements):
            return code
        return "\n".join(ast.get_source_segment(code, node) or "" for node in statements)

    def spelled(self, value: Any) -> str:
        """The code on one line: ``; `` between its lines, so it can be typed after ``--code``."""
        return "; ".join(line.strip() for line in str(value).strip().splitlines() if line.strip())


Setting = IntSetting | FloatSetting | ChoiceSetting | CodeSetting


def command(topic: str, settings: tuple[Setting, ...], values: dict[str, Any]) -> str:
    """The ``%explain`` line that opens this card with ``values`` (every setting spelled out)."""
    words = ["%explain", topic]
    for setting in settings:
        words += [f"--{setting.name}", shlex.quote(setting.spelled(values[setting.name]))]
    return " ".join(words)
