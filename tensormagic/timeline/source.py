"""What the timeline reads from the cell's source: its statements, the names it touches, and each line's names.

A step is one executed *statement* of the cell's top level: the interpreter reports a statement that spans several
lines line by line, and a loop's header once per iteration; :func:`statements` maps every line to the first line of
the innermost statement (or compound header) it belongs to, so those reports become one step each.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_COMPOUND = (
    ast.For, ast.AsyncFor, ast.While, ast.If, ast.With, ast.AsyncWith, ast.Try, *_SCOPES[:3],
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()), *((ast.Match,) if hasattr(ast, "Match") else ()),
)


@dataclass
class CellShape:
    """The cell's statements by line, the names its top level touches (first use first) and each statement's."""

    statement_of: dict[int, int] = field(default_factory=dict)  # any line -> first line of its statement
    header_end: dict[int, int] = field(default_factory=dict)  # statement's first line -> last line shown for it
    names: tuple[str, ...] = ()
    mentioned: dict[int, frozenset[str]] = field(default_factory=dict)  # statement's first line -> names in it


def _header_nodes(node: ast.stmt) -> list[ast.AST]:
    """The parts of a statement that belong to its own line(s): a compound statement without its bodies."""
    if isinstance(node, ast.For | ast.AsyncFor):
        return [node.target, node.iter]
    if isinstance(node, ast.While | ast.If):
        return [node.test]
    if isinstance(node, ast.With | ast.AsyncWith):
        return list(node.items)
    if isinstance(node, _SCOPES[:3]):
        return list(getattr(node, "decorator_list", []))  # the def/class name itself is not a tensor
    if isinstance(node, ast.Try) or (hasattr(ast, "TryStar") and isinstance(node, ast.TryStar)):
        return []
    if hasattr(ast, "Match") and isinstance(node, ast.Match):
        return [node.subject]
    return [node]


def _names_in(nodes: list[ast.AST]) -> list[ast.Name]:
    """Name nodes of the top-level scope in ``nodes``: not inside functions, lambdas or comprehensions."""
    found: list[ast.Name] = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            found.append(node)
            continue
        if isinstance(node, _SCOPES):
            stack.extend(reversed(getattr(node, "decorator_list", [])))
            continue
        if isinstance(node, _COMPREHENSIONS):
            # The first iterable is evaluated in the cell's scope; the rest is the comprehension's own.
            stack.append(node.generators[0].iter)
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return found


def shape_of(source: str) -> CellShape:
    """The :class:`CellShape` of ``source`` (an empty one when it does not parse: it will not run either)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return CellShape()
    shape = CellShape()
    first_use: dict[str, tuple[int, int]] = {}

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            end = node.end_lineno or node.lineno
            for line in range(start, end + 1):
                shape.statement_of[line] = node.lineno
            inner = [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)]
            header_last = (min(c.lineno for c in inner) - 1) if inner else end
            shape.header_end[node.lineno] = max(node.lineno, header_last)
            names = _names_in(_header_nodes(node))
            shape.mentioned[node.lineno] = frozenset(n.id for n in names)
            for name in names:
                position = (name.lineno, name.col_offset)
                if name.id not in first_use or position < first_use[name.id]:
                    first_use[name.id] = position
            if isinstance(node, _COMPOUND) and not isinstance(node, _SCOPES[:3]):
                for field_name in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field_name, []) or [])
                for handler in getattr(node, "handlers", []) or []:
                    shape.statement_of[handler.lineno] = handler.lineno
                    shape.header_end[handler.lineno] = handler.lineno
                    shape.mentioned[handler.lineno] = frozenset(
                        n.id for n in _names_in([handler.type] if handler.type else [])
                    )
                    visit(handler.body)
                for case in getattr(node, "cases", []) or []:
                    visit(case.body)

    visit(tree.body)
    shape.names = tuple(sorted(first_use, key=first_use.__getitem__))
    return shape
