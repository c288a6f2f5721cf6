"""The magics' help in the session's language: ``%tensor?`` and ``%explain?`` follow ``TensorMagic.language``.

IPython builds a magic's ``__doc__`` once, from its argparse parser (``@magic_arguments``), and ``%tensor?`` shows it
through the inspector, which first asks the object for a ``getdoc()`` method (``IPython.core.oinspect.getdoc``). A
bound method forwards attribute lookups to its function, so a ``getdoc`` attribute on the magic's function answers
for every shell: in English it returns ``None`` and IPython shows ``__doc__`` unchanged (what
``tools/magic_reference.py`` writes into the README); in Chinese it formats a copy of the parser with the Chinese
description, option help and section titles from ``tensormagic/i18n/help.py``, wrapped by display width (a Chinese
character takes two columns). An option with no Chinese entry keeps its English help rather than failing.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from typing import Any

from IPython.core.magic_arguments import MagicArgumentParser, MagicHelpFormatter

from ..i18n import catalogs
from ..render.text import display_width

#: Characters that must not begin a line (Chinese punctuation closes the text before it).
_NO_LINE_START = set("，。、；：！？）》」』”’")
_TOKENS = re.compile(r"\s+|[\u1100-\U0010ffff]|[^\s\u1100-\U0010ffff]+")


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, breaking at spaces or between Chinese characters.

    A closing mark (``，`` ``。`` ``）`` …) never starts a line: the character before it moves down with it.
    """
    lines: list[list[str]] = []
    line: list[str] = []
    for token in _TOKENS.findall(re.sub(r"\s+", " ", text).strip()):
        if token.isspace():
            if line:
                line.append(" ")
            continue
        if not line or display_width("".join(line) + token) <= width:
            line.append(token)
            continue
        carried: list[str] = []
        while token[0] in _NO_LINE_START and len(line) > 1 and line[-1] != " ":
            carried.insert(0, line.pop())  # keep the mark with the character it closes
            if line[-1:] and line[-1] in _NO_LINE_START:
                continue
            break
        lines.append(line)
        line = [*carried, token]
    if line:
        lines.append(line)
    return ["".join(tokens).strip() for tokens in lines if "".join(tokens).strip()]


class WideTextFormatter(MagicHelpFormatter):
    """IPython's magic help formatter, wrapping option help by display width."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)


def localized_help(function: Callable[..., Any], language: str) -> str:
    """The help of the magic ``function`` (one with an argparse ``parser``) in ``language``."""
    parser: MagicArgumentParser = function.parser  # type: ignore[attr-defined]
    table = catalogs().get(language, {})
    name = parser.prog
    localized = MagicArgumentParser(
        name,
        description=table.get(f"help.{name}.description", parser.description),
        formatter_class=WideTextFormatter,
    )
    localized._positionals.title = table.get("help.positionals", localized._positionals.title)
    localized._optionals.title = table.get("help.options", localized._optionals.title)
    for action in parser._actions:
        translated = copy.copy(action)
        if action.help:
            translated.help = table.get(f"help.{name}.{action.dest}", action.help)
        localized._add_action(translated)
    text = localized.format_help()
    for title in (localized._positionals.title, localized._optionals.title):
        if title and display_width(title[-1]) == 2:  # argparse ends a heading with ":"; Chinese takes "："
            text = re.sub(rf"^{re.escape(title)}:$", f"{title}：", text, flags=re.MULTILINE)
    return text


def session_help(function: Callable[..., Any]) -> str | None:
    """A magic's ``getdoc()``: its help in ``TensorMagic.language``; ``None`` (IPython's ``__doc__``) in English."""
    from . import session_language

    language = session_language()
    if language is None or language == "en":
        return None
    try:
        return localized_help(function, language)
    except Exception:  # help must never fail: fall back to IPython's English docstring
        return None


def install_help(magics_class: type) -> None:
    """Give every magic of ``magics_class`` built with ``@magic_arguments`` a language-aware ``getdoc``."""
    for table in magics_class.magics.values():  # type: ignore[attr-defined]
        for method_name in table.values():
            function = getattr(magics_class, method_name)
            if hasattr(function, "parser") and not hasattr(function, "getdoc"):
                function.getdoc = functools.partial(session_help, function)
