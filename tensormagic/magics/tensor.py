"""``%tensor``: evaluate an expression (or ``NAME = EXPR``) in the user namespace and annotate it."""

from __future__ import annotations

import ast
import shlex
import sys
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from IPython.core.error import UsageError
from IPython.core.magic_arguments import parse_argstring
from IPython.display import display

from ..annotate import annotate, overview, what_is
from ..i18n import message
from ..render import NonTensor
from ..sharing import names_of

if TYPE_CHECKING:
    from . import TensorMagics

#: Options that take a value; every other option is a flag. Used to find where the expression starts,
#: so the expression itself is never shell-split (quotes, ``-1`` and ``--`` inside it stay intact).
_VALUED = {"-l", "--lang", "-p", "--precision", "--auto"}
_FLAGS = {"--no-stats", "-w", "--widget", "-h", "--help"}


def split_options(line: str) -> tuple[str, str]:
    """Split ``line`` into its leading options and the raw expression that follows them."""
    rest = line.strip()
    options: list[str] = []
    while rest.startswith("-"):
        head, _, tail = rest.partition(" ")
        flag = head.split("=", 1)[0]
        if flag in _FLAGS or (flag in _VALUED and "=" in head):
            options.append(head)
            rest = tail.lstrip()
        elif flag in _VALUED:
            value, _, tail = tail.lstrip().partition(" ")
            options.extend([head, value])
            rest = tail.lstrip()
        else:
            break
    return " ".join(shlex.quote(o) for o in options), rest


def _loaded_names(tree: ast.AST) -> list[str]:
    return [node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)]


def _is_item_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "item"


def run_tensor_magic(magics: TensorMagics, line: str) -> None:
    __tracebackhide__ = True  # noqa: F841
    option_text, expression = split_options(line)
    args = parse_argstring(magics.tensor, option_text)
    settings = magics.settings
    shell = magics.shell
    assert shell is not None
    if args.auto is not None:
        settings.auto = args.auto == "on"
        print(message("auto.on" if settings.auto else "auto.off", settings.language))
        if not expression:
            return
    language = args.lang or settings.language
    precision = args.precision if args.precision is not None else settings.precision
    if precision < 0 or precision > 16:
        raise UsageError("--precision takes a number from 0 to 16")
    stats = settings.stats and not args.no_stats
    namespace = shell.user_ns

    if not expression:
        visible = {k: v for k, v in namespace.items() if k not in shell.user_ns_hidden}
        display(overview(visible, language))
        return

    value, name, tree = _evaluate(shell, expression)
    if args.widget:
        from ..widgets import inspect as open_inspector  # type: ignore[attr-defined]  # widgets load lazily

        display(open_inspector(value, namespace, name=name, language=language))
        return
    if not isinstance(value, torch.Tensor | np.ndarray):
        bundle, _ = shell.display_formatter.format(value)  # type: ignore[union-attr]
        from_item = isinstance(tree, ast.Expression) and _is_item_call(tree.body)
        display(NonTensor(bundle=bundle, note=what_is(value, language, from_item=from_item)))
        return
    try:
        if name is None:
            aliases = names_of(value, namespace)
            name = aliases[0] if aliases else None
        shown: Any = annotate(
            value, namespace, name=name, sources=_loaded_names(tree), language=language,
            precision=precision, stats=stats,
        )
    except Exception as error:  # a fault of ours: say so in one line, still show the value
        print(message("warning.internal", language, error=f"{type(error).__name__}: {error}"[:200]), file=sys.stderr)
        shown = value
    display(shown)


def _evaluate(shell: Any, source: str) -> tuple[Any, str | None, ast.AST]:
    """Run ``EXPR`` or ``TARGET = EXPR`` in the user namespace, as a cell would.

    Errors keep their own type and read like IPython's: the source is registered with IPython's
    compiler cache so the traceback shows the user's line, and tensormagic's frames are hidden.
    """
    __tracebackhide__ = True  # noqa: F841
    filename = shell.compile.cache(source, shell.execution_count)
    module = ast.parse(source, filename=filename, mode="exec")
    if len(module.body) == 1 and isinstance(module.body[0], ast.Expr):
        tree: ast.AST = ast.Expression(module.body[0].value)
        code = compile(ast.Expression(module.body[0].value), filename, "eval")
        return eval(code, shell.user_global_ns, shell.user_ns), None, tree
    if len(module.body) == 1 and isinstance(module.body[0], ast.Assign) and len(module.body[0].targets) == 1:
        statement = module.body[0]
        exec(compile(module, filename, "exec"), shell.user_global_ns, shell.user_ns)
        target = statement.targets[0]
        if isinstance(target, ast.Name):
            return shell.user_ns[target.id], target.id, ast.Expression(statement.value)
        target_tree = ast.Expression(_as_load(target))
        value = eval(compile(target_tree, filename, "eval"), shell.user_global_ns, shell.user_ns)
        return value, ast.unparse(target), ast.Expression(statement.value)
    raise UsageError("%tensor takes one expression, or one assignment NAME = EXPRESSION")


def _as_load(node: ast.expr) -> ast.expr:
    """The assignment target re-read as an expression (``t[0] = 5`` annotates ``t[0]``)."""
    reread = ast.parse(ast.unparse(node), mode="eval").body
    return ast.fix_missing_locations(reread)
