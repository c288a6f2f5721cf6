"""Markdown for the ``text/markdown`` entry of tensormagic's outputs.

Markdown-first front ends and ``jupyter nbconvert --to markdown`` read it instead of the inline-styled HTML. Names,
code and messages come from the user and the catalogs, so every piece is escaped for Markdown: prose through
:func:`text` (a backslash before each character Markdown would read as markup: ``<`` never starts HTML, ``&``
never an entity), code through :func:`code` (a code span whose backtick fence is longer than any run of backticks
inside), tables through :func:`table` (a ``|`` inside a cell is escaped).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Characters Markdown may read as markup anywhere in a line: emphasis, code, links, images, HTML, tables, escapes.
_MARKUP = re.compile(r"([\\`*_\[\]<>|~&])")
#: The start of a line that would open a heading, a quote, a list item, a rule or a setext underline.
_LINE_START = re.compile(r"^(\s*)([#>]|[+\-=](?=\s|$)|[\-=]{2,}\s*$)", re.MULTILINE)
#: The start of a line that would open a numbered list item: ``1. `` or ``1) ``.
_NUMBERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)", re.MULTILINE)


def text(value: str) -> str:
    """``value`` as literal Markdown text: it renders as written, with no markup and no HTML."""
    escaped = _MARKUP.sub(r"\\\1", value)
    escaped = _LINE_START.sub(lambda match: match.group(1) + "\\" + match.group(2), escaped)
    return _NUMBERED.sub(lambda match: match.group(1) + "\\" + match.group(2), escaped)


def code(value: str) -> str:
    """``value`` as an inline code span (one line; line breaks become spaces, as Markdown does in a span)."""
    flat = " ".join(value.split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def block(value: str, info: str = "text") -> str:
    """``value`` as a fenced code block (a fence longer than any run of backticks at a line start inside)."""
    longest = max((len(run) for run in re.findall(r"^\s*(`{3,})", value, flags=re.MULTILINE)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{value}\n{fence}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    """A pipe table of already-escaped cells; columns in ``right`` are right-aligned."""
    rule = ["---:" if k in right else "---" for k in range(len(header))]
    return ["| " + " | ".join(cells) + " |" for cells in [list(header), rule, *[list(r) for r in rows]]]


def lines(parts: Sequence[str]) -> str:
    """Lines of one paragraph, each ending in a hard line break (two spaces) but the last."""
    return "  \n".join(parts)
