"""Plain text for terminals: display widths and word wrapping with hanging indents.

A terminal column is not a character: a Chinese character takes two columns, a combining accent none, an emoji
two however many code points build it (``👩‍💻`` is three, a flag two). :func:`display_width` is the one rule for
this in the package: it counts columns per grapheme (what the reader sees as one character) with ``wcwidth``.
:func:`wrap` fills lines up to a width without breaking a word or a grapheme (a line breaks at spaces, and
between two Chinese characters, which is where Chinese text breaks), continuing each wrapped line under a
hanging indent. :func:`output_width` is the width the
text goes to: the terminal's in terminal IPython and plain Python, a fixed width in notebooks.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from wcwidth import iter_graphemes, wcswidth

NOTEBOOK_WIDTH = 100
"""Columns of the ``text/plain`` output a kernel sends. Notebooks show HTML; their plain text is read in exports
and text-only front ends, where a fixed width keeps the saved notebook the same whatever screen ran it. 100 keeps
most explanation lines whole and still fits a printed page in a small monospace font."""

MIN_WIDTH = 20
"""The narrowest width wrapped to: below it every line would be a word or two (a tiny or unknown terminal)."""

KEEP = "\u00a0"
"""A space that never breaks a line (``min 2``, ``(2, 3)``); written out as an ordinary space."""

#: A shape or a short tuple, ``(2, 3)`` or ``(n, k)``: read as one word, never broken across lines.
_SHAPE = re.compile(r"\((?:[^()\s]{1,12}, ){1,7}[^()\s]{0,12}\)")

#: Punctuation that may not start a line: it stays with the word before it (``n1：``, ``形状）``, ``x,``).
_CLOSING = set("，。、；：！？）」』】》〉〕…,.;:!?)]}%·→")
#: Separators written between spaces that still may not start a line: ``a · b``, ``(2, 3) → (3,)``.
_CONNECTORS = {"·", "→"}
#: Punctuation that may not end a line: it stays with the word after it (``（形状``, ``「视图``).
_OPENING = set("（「『【《〈〔")


def graphemes(text: str) -> Iterator[str]:
    """``text`` as the characters a reader sees: a base character with its combining marks, an emoji sequence
    joined by zero-width joiners, a flag's two regional indicators each come as one string."""
    return iter_graphemes(text)


def char_width(grapheme: str) -> int:
    """Columns one grapheme takes: 2 for CJK and emoji, 1 for most others, 0 for control characters (and a lone
    combining mark or zero-width character)."""
    return max(wcswidth(grapheme), 0)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters and emoji count two, combining marks and zero-width
    joiners none, control characters (which move the cursor rather than fill a column) none.

    A character written with variation selector 16 (``❤️``, a text symbol asked to show as emoji) counts two, as
    Unicode and most current terminals have it; some (tmux 3.3) still give it one column.
    """
    if text.isascii():
        return sum(1 for char in text if char.isprintable())
    return sum(char_width(grapheme) for grapheme in graphemes(text))


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` display columns."""
    return text + " " * max(0, width - display_width(text))


def rjust(text: str, width: int) -> str:
    """``text`` preceded by spaces up to ``width`` display columns."""
    return " " * max(0, width - display_width(text)) + text


def output_width() -> int:
    """The width plain text goes to now.

    Terminal IPython: its own idea of the screen (prompt_toolkit's output size), else the terminal's size;
    a notebook kernel or any other IPython shell: :data:`NOTEBOOK_WIDTH`; plain Python:
    ``shutil.get_terminal_size()`` (``COLUMNS``, the terminal, else 80).
    """
    shell = _ipython()
    if shell is None:
        return max(terminal_columns(), MIN_WIDTH)
    if not _is_terminal(shell):
        return NOTEBOOK_WIDTH
    app = getattr(shell, "pt_app", None)
    try:
        columns = int(app.output.get_size().columns) if app is not None else 0
    except Exception:  # noqa: BLE001 - no screen to ask (output redirected): the terminal size below
        columns = 0
    return max(columns or terminal_columns(), MIN_WIDTH)


def terminal_columns() -> int:
    """The terminal's width: ``COLUMNS``, else the size of the terminal on stdout, else 80."""
    return shutil.get_terminal_size().columns


def _ipython() -> object | None:
    """The running IPython shell, without importing IPython when the user has not."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()  # type: ignore[no-untyped-call]


def _is_terminal(shell: object) -> bool:
    module = sys.modules.get("IPython.terminal.interactiveshell")
    terminal = getattr(module, "TerminalInteractiveShell", None)
    return terminal is not None and isinstance(shell, terminal)


@dataclass
class _Unit:
    """Text no line may break inside, and what separates it from the unit before (spaces, or "" between CJK)."""

    before: str
    text: str


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    space = ""
    word = ""
    glue_next = False  # the last unit ended with opening punctuation: the next one joins it

    def flush_word() -> None:
        nonlocal word, space, glue_next
        if word:
            if units and (glue_next or (word[0] in _CLOSING and (not space or word in _CONNECTORS))):
                units[-1].text += space + word
            else:
                units.append(_Unit(space, word))
            glue_next = word[-1] in _OPENING
            word, space = "", ""

    for char in graphemes(text):
        if char.isspace() and char != KEEP:
            flush_word()
            space += char
        elif char_width(char) == 2 and char not in _CLOSING:
            # a wide character is a unit of its own: lines may break before and after it
            flush_word()
            if units and glue_next:
                units[-1].text += space + char
            else:
                units.append(_Unit(space, char))
            glue_next = char in _OPENING
            space = ""
        elif char_width(char) == 0 and not word and units and not space:
            units[-1].text += char  # a combining mark stays on its character
        else:
            word += char
    flush_word()
    return units


def _split_long(text: str, width: int) -> list[str]:
    """A unit wider than a whole line, cut at character boundaries (combining marks stay on their base)."""
    pieces, current, used = [], "", 0
    for char in graphemes(text):
        size = char_width(char)
        if used + size > width and current and size:
            pieces.append(current)
            current, used = "", 0
        current += char
        used += size
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, width: int, *, indent: str = "", hang: str | None = None) -> list[str]:
    """``text`` filled into lines of at most ``width`` columns, never breaking a word.

    The first line starts with ``indent`` and every following one with ``hang`` (default: ``indent``); the
    text's own leading spaces are kept after the indent. Only a single word wider than a whole line is cut.
    """
    hang = indent if hang is None else hang
    expanded = keep_shapes(text.expandtabs(4))
    body = expanded.lstrip(" ")
    lead = expanded[: len(expanded) - len(body)]
    first, rest = indent + lead, hang + lead
    lines: list[str] = []
    line, used = first, display_width(first)
    empty = True
    for unit in _units(body):
        size = display_width(unit.text)
        gap = 0 if empty else display_width(unit.before)
        if used + gap + size <= width or (empty and used + size <= width):
            line += ("" if empty else unit.before) + unit.text
            used += gap + size
            empty = False
            continue
        if not empty:
            lines.append(line.rstrip())
            line, used, empty = rest, display_width(rest), True
        room = max(width - used, 1)
        if size <= room:
            line += unit.text
            used += size
            empty = False
            continue
        pieces = _split_long(unit.text, max(room, 1))
        for piece in pieces[:-1]:
            lines.append(line + piece)
            line, used = rest, display_width(rest)
        line += pieces[-1]
        used += display_width(pieces[-1])
        empty = False
    lines.append(line.rstrip())
    return [part.replace(KEEP, " ") for part in lines]


Row = tuple[str, str, str]
"""One logical line of text output: (indent, hanging indent of its continuation lines, text)."""


def wrap_rows(rows: Iterable[Row], width: int) -> list[str]:
    """Every row wrapped to ``width`` columns."""
    out: list[str] = []
    for indent, hang, text in rows:
        out.extend(wrap(text, width, indent=indent, hang=hang))
    return out


def _cells(row: str) -> list[str]:
    """``row`` as terminal cells: one grapheme per cell, a wide one followed by an empty cell for its second
    column (a zero-width one joins the cell before), so that index ``k`` is display column ``k``."""
    cells: list[str] = []
    for grapheme in graphemes(row):
        size = char_width(grapheme)
        if size == 0 and cells:
            cells[-1] += grapheme
            continue
        cells.append(grapheme)
        cells.extend([""] * (size - 1))
    return cells


def fold_columns(rows: list[str], width: int) -> list[str]:
    """An aligned table wider than ``width``, as blocks of its columns one under the other, each block repeating
    the first column (the row labels), the way torch prints a wide matrix. Columns are display columns (a Chinese
    character or an emoji takes two, a combining mark none). Rows that are not an aligned table, or already fit,
    come back unchanged."""
    if not rows or max(display_width(row) for row in rows) <= width:
        return rows
    cells = [_cells(row) for row in rows]
    length = max(len(row) for row in cells)
    padded = [row + [" "] * (length - len(row)) for row in cells]
    # a column starts where every row has a space before a non-space (or a space at both: an empty cell); the
    # spaces that indent the whole table are no column
    indent = min(next((k for k, cell in enumerate(row) if cell != " "), length) for row in padded)
    starts = [
        k for k in range(indent + 1, length)
        if all(row[k - 1] == " " for row in padded) and any(row[k] != " " for row in padded)
    ]
    if not starts:
        return rows
    label, bounds = starts[0], [*starts, length]

    def joined(row: list[str], start: int, end: int) -> str:
        return "".join(row[:label] + row[start:end]).rstrip()

    def block_width(start: int, end: int) -> int:
        return max(display_width(joined(row, start, end)) for row in padded)

    blocks: list[tuple[int, int]] = []
    first = label
    for previous, end in zip(bounds, bounds[1:], strict=False):
        if previous > first and block_width(first, end) > width:
            blocks.append((first, previous))
            first = previous
    blocks.append((first, length))
    if any(block_width(start, end) > width for start, end in blocks):
        return rows
    out: list[str] = []
    for index, (start, end) in enumerate(blocks):
        if index:
            out.append("")
        out.extend(joined(row, start, end) for row in padded)
    return out


def keep_shapes(text: str) -> str:
    """``text`` with the spaces inside shapes and short tuples, ``(2, 3)``, made non-breaking (for HTML, where the
    browser wraps: a shape split over two lines reads as two numbers)."""
    return _SHAPE.sub(lambda shape: shape.group(0).replace(" ", KEEP), text)


def keep_together(*parts: str) -> str:
    """``parts`` joined by spaces that never break a line (``min`` and its value, a shape ``(2, 3)``)."""
    return KEEP.join(part.replace(" ", KEEP) for part in parts)
