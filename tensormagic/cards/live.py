"""Short tensor-topic cards with a live, editable example.

The student's code runs in a private namespace that holds only ``torch`` and ``np``; a small AST check
refuses imports and double-underscore names (the usual ways out of a sandbox-by-namespace), and the global
random generator is restored afterwards, so trying ``torch.rand`` here never shifts the user's own stream.
This is a guard against accidents in a teaching notebook, not a security boundary: the code runs in the
user's own kernel with the user's rights.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any, ClassVar

import ipywidgets as widgets
import numpy as np
import torch

from ..facts import describe
from ..render.annotation import sharing_sentences
from .base import Card, private_rng, shape_text
from .settings import CodeSetting

_SAFE_BUILTINS = {
    name: getattr(builtins, name)
    for name in (
        "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "float", "int", "isinstance", "len", "list",
        "max", "min", "pow", "range", "repr", "reversed", "round", "slice", "sorted", "str", "sum", "tuple", "type",
        "zip", "complex", "ValueError", "RuntimeError", "TypeError", "IndexError",
    )
}
MAX_VALUE_CHARS = 300
MAX_VALUE_LINES = 8


class ForbiddenCode(ValueError):
    """The example code uses something a card example may not (imports, dunder names)."""


def check(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            raise ForbiddenCode("import")
        if isinstance(node, ast.Global | ast.Nonlocal):
            raise ForbiddenCode(type(node).__name__.lower())
        if isinstance(node, ast.Attribute) and node.attr.startswith("__"):
            raise ForbiddenCode(node.attr)
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            raise ForbiddenCode(node.id)


def run_example(code: str) -> tuple[dict[str, Any], Any, list[str]]:
    """Run ``code``; return (new variables in assignment order, value of a final expression, printed lines)."""
    printed: list[str] = []

    def card_print(*values: object, sep: str = " ", end: str = "\n") -> None:
        printed.append(sep.join(str(v) for v in values))

    tree = ast.parse(code, mode="exec")
    check(tree)
    last_expression = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        final = tree.body.pop()
        assert isinstance(final, ast.Expr)
        last_expression = ast.Expression(final.value)
    # ``__import__`` stays available because torch's C++ code imports modules through the calling frame's
    # builtins (without it ``torch.tensor`` fails an internal assert); the AST check already keeps the
    # example itself from naming it.
    safe = {**_SAFE_BUILTINS, "print": card_print, "__import__": builtins.__import__}
    namespace: dict[str, Any] = {"__builtins__": safe, "torch": torch, "np": np}
    preset = set(namespace)
    with private_rng():
        exec(compile(tree, "<card example>", "exec"), namespace)
        value = eval(compile(last_expression, "<card example>", "eval"), namespace) if last_expression else None
    variables = {k: v for k, v in namespace.items() if k not in preset}
    return variables, value, printed


class LiveExampleCard(Card):
    """A card whose body is an editable code example; every variable it makes is described."""

    group = "tensors"
    code: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The example code is the card's one setting: a code box in the widget, --code in a terminal.
        cls.settings = (CodeSetting("code", cls.code.strip()),)

    def build_controls(self) -> list[widgets.Widget]:
        code = self.code.strip()
        box = widgets.Textarea(value=code, description=self.common_message("code"), continuous_update=False,
                               rows=max(4, code.count("\n") + 2), layout=widgets.Layout(width="95%"))
        box.add_class("tm-live-code")
        self.controls["code"] = box
        button = widgets.Button(description=self.common_message("run"), icon="play")
        button.add_class("tm-live-run")
        button.on_click(lambda _: self.update())
        hint = widgets.HTML(f'<div style="opacity:0.72;font-size:12px">{self.common_message("edit_hint")}</div>')
        return [hint, box, button]

    def refresh(self) -> None:
        code = self.controls["code"].value
        lines = [">>> " + line if i == 0 else "... " + line for i, line in enumerate(code.splitlines())]
        shapes: dict[str, tuple[int, ...]] = {}
        try:
            variables, value, printed = run_example(code)
        except ForbiddenCode as error:
            lines.append(self.common_message("error", error=self.common_message("forbidden", what=str(error))))
            self.lines, self.figures, self.numbers = lines, [], {"error": str(error), "shapes": shapes}
            return
        except Exception as error:  # the student's own mistake: show it like Python would, in one line
            lines.append(self.common_message("error", error=f"{type(error).__name__}: {error}".splitlines()[0]))
            self.lines, self.figures, self.numbers = lines, [], {"error": str(error), "shapes": shapes}
            return
        lines.append("")
        lines.extend(self.common_message("printed", text=text) for text in printed)
        for name, obj in variables.items():
            lines.extend(self.describe_value(name, obj, variables))
            if isinstance(obj, torch.Tensor | np.ndarray):
                shapes[name] = tuple(obj.shape)
        if value is not None:
            lines.append(self.common_message("expression"))
            lines.extend(self.describe_value("", value, variables))
        if not variables and value is None:
            lines.append(self.common_message("no_results"))
        lines.append("")
        lines.extend(self.notes(variables, value))
        self.lines, self.figures = lines, []
        self.numbers = {"shapes": shapes, "error": None}

    def describe_value(self, name: str, obj: object, variables: dict[str, Any]) -> list[str]:
        label = name or "→"
        if isinstance(obj, torch.Tensor | np.ndarray):
            facts = describe(obj, variables, stats=False, name=name or None)
            kind = "tensor" if isinstance(obj, torch.Tensor) else "ndarray"
            out = [self.common_message("value_line", name=label, kind=kind, shape=shape_text(facts.shape),
                               dtype=facts.dtype.removeprefix("torch."))]
            rows = repr(obj).splitlines()
            out.extend("    " + row for row in rows[:MAX_VALUE_LINES])
            if len(rows) > MAX_VALUE_LINES:
                out.append("    …")
            if name:
                out.extend("    ↳ " + s for s in sharing_sentences(facts, self.language))
            return out
        return [f"{label}: {repr(obj)[:MAX_VALUE_CHARS]}"]

    def notes(self, variables: dict[str, Any], value: Any) -> list[str]:
        """Topic-specific sentences about the result (subclasses add them)."""
        return []
