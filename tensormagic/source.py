"""The cell's source, as the recorder and the note rules read it: positions, AST nodes, parents, text spans.

A source is *registered* under the file name its code objects carry (``<ipython-input-…>``,
``<tensormagic-explain-3>``) for exactly as long as one explanation needs it, then unregistered: a
kernel that explains a hundred large cells keeps none of their parsed trees.

``node_at(code, lasti)`` answers "which expression of the cell is this instruction?": CPython 3.11+ gives
every instruction a source span (``co_positions``), and the span of a call, operator or subscript is the
span of its AST node.
"""

from __future__ import annotations

import ast
import dis
import re
from dataclasses import dataclass
from types import CodeType

__all__ = [
    "CellSource",
    "Position",
    "mentioned_names",
    "node_at",
    "position",
    "register",
    "registered",
    "unregister",
]

Span = tuple[int, int, int, int]  # line, end line, column, end column (UTF-8 byte offsets, as CPython counts)


class CellSource:
    """One registered source: its text, and (parsed on first use) its tree, span index and parent links."""

    def __init__(self, filename: str, text: str) -> None:
        self.filename = filename
        self.text = text
        self._parsed = False
        self.tree: ast.Module | None = None
        self._index: dict[Span, ast.AST] = {}
        self._parents: dict[int, ast.AST] = {}
        self._lines: list[bytes] | None = None

    def _parse(self) -> None:
        self._parsed = True
        try:
            self.tree = ast.parse(self.text)
        except SyntaxError:
            return
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self._parents[id(child)] = node
            span = (
                getattr(node, "lineno", None),
                getattr(node, "end_lineno", None),
                getattr(node, "col_offset", None),
                getattr(node, "end_col_offset", None),
            )
            if None in span:
                continue
            known = self._index.get(span)  # type: ignore[arg-type]
            # An expression wins over a statement with the same span (``t += 1`` keeps the statement).
            if known is None or (isinstance(node, ast.expr) and not isinstance(known, ast.expr)):
                self._index[span] = node  # type: ignore[index]

    def node(self, position: Position) -> ast.AST | None:
        """The AST node whose span is exactly the instruction's, if any."""
        if not self._parsed:
            self._parse()
        if position.col < 0:
            return None
        return self._index.get((position.line, position.end_line, position.col, position.end_col))

    def parent(self, node: ast.AST) -> ast.AST | None:
        if not self._parsed:
            self._parse()
        return self._parents.get(id(node))

    def segment(self, node: ast.AST) -> str | None:
        """The text of ``node`` as written (``ast.get_source_segment`` without re-splitting per node)."""
        if self._lines is None:
            self._lines = [line.encode("utf-8") for line in self.text.splitlines(keepends=True)]
        lines = self._lines
        start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        col, end_col = getattr(node, "col_offset", None), getattr(node, "end_col_offset", None)
        if start is None or end is None or col is None or end_col is None or end > len(lines):
            return None
        if start == end:
            return lines[start - 1][col:end_col].decode("utf-8", "replace")
        parts = [lines[start - 1][col:], *lines[start : end - 1], lines[end - 1][:end_col]]
        return b"".join(parts).decode("utf-8", "replace")


_REGISTERED: dict[str, CellSource] = {}


def register(filename: str, text: str) -> CellSource:
    """Make ``text`` the source of code compiled under ``filename`` until :func:`unregister`."""
    source = _REGISTERED[filename] = CellSource(filename, text)
    return source


def unregister(filename: str) -> None:
    _REGISTERED.pop(filename, None)


def registered(filename: str) -> CellSource | None:
    return _REGISTERED.get(filename)


@dataclass(frozen=True)
class Position:
    """Where an instruction is: its source span and the instruction itself."""

    line: int
    end_line: int
    col: int
    end_col: int
    opname: str
    oparg: int


def position(code: CodeType, lasti: int) -> Position:
    """The source span and instruction at byte offset ``lasti`` of ``code``."""
    line = end_line = col = end_col = -1
    positions = getattr(code, "co_positions", None)
    if positions is not None:
        for index, entry in enumerate(positions()):
            if index == lasti // 2:
                line, end_line, col, end_col = (v if v is not None else -1 for v in entry)
                break
    if line < 0:
        for start, _end, lineno in code.co_lines():
            if start <= lasti:
                line = end_line = lineno if lineno is not None else line
    raw = code.co_code
    opcode = raw[lasti] if 0 <= lasti < len(raw) else 0
    oparg = raw[lasti + 1] if 0 <= lasti + 1 < len(raw) else 0
    return Position(line, end_line, col, end_col, dis.opname[opcode], oparg)


def node_at(code: CodeType, lasti: int) -> tuple[ast.AST | None, Position]:
    """The registered source's AST node for the instruction at ``lasti`` of ``code`` (None if unknown)."""
    pos = position(code, lasti)
    source = _REGISTERED.get(code.co_filename)
    return (source.node(pos) if source is not None else None), pos


def mentioned_names(text: str) -> set[str]:
    """Identifiers a source mentions (names, attribute names, imported names): which hooks a cell needs."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        # IPython syntax the caller did not transform: a word scan (over-inclusive is fine).
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add(node.name.rsplit(".", 1)[-1])
            if node.asname:
                names.add(node.asname)
    return names
