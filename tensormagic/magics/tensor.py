"""``%tensor``: evaluate an expression (or ``NAME = EXPR``) in the user namespace and annotate it."""

from __future__ import annotations

import ast
import contextlib
import shlex
import sys
from argparse import ArgumentTypeError
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from IPython.core.error import UsageError
from IPython.core.magic_arguments import parse_argstring
from IPython.display import display
from torch import nn

from ..annotate import annotate, overview, what_is
from ..config import check_precision
from ..i18n import message
from ..models import describe_model
from ..record import prune_exception
from ..render import NonTensor
from ..sharing import names_of
from .explain import _cell_number, _outer_result

if TYPE_CHECKING:
    from . import TensorMagics

def shape_argument(text: str) -> tuple[int, ...]:
    """``16,2`` or ``(16, 2)`` -> (16, 2): an input shape given on the magic's line."""
    parts = [p for p in text.strip().strip("()[]").replace(" ", ",").split(",") if p]
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise ArgumentTypeError(f"not a shape: {text!r} (write it like 16,2)") from None
    if not shape or any(n < 0 for n in shape):
        raise ArgumentTypeError(f"not a shape: {text!r} (write it like 16,2)")
    return shape


def _options(parser: Any) -> tuple[set[str], set[str]]:
    """The magic's options that take a value, and its flags, read from its own argument parser (one source)."""
    valued: set[str] = set()
    flags: set[str] = set()
    for action in parser._actions:  # argparse keeps its actions here; magic_arguments builds a plain parser
        (flags if action.nargs == 0 else valued).update(action.option_strings)
    return valued, flags


def split_options(line: str, parser: Any) -> tuple[str, str]:
    """Split ``line`` into its leading options and the raw expression that follows them.

    The expression itself is never shell-split: quotes, ``-1`` and ``--`` inside it stay intact. An unknown
    ``--option`` is a :class:`UsageError`; ``--`` ends the options.
    """
    valued, flags = _options(parser)
    rest = line.strip()
    options: list[str] = []
    while rest.startswith("-"):
        head, _, tail = rest.partition(" ")
        flag = head.split("=", 1)[0]
        if head == "--":  # the end of the options: what follows is the expression, even ``--x``
            rest = tail.lstrip()
            break
        if flag.startswith("--") and flag not in flags and flag not in valued:
            raise UsageError(f"unrecognized arguments: {flag}")  # as IPython's own magics say it
        if flag in flags or (flag in valued and "=" in head):
            options.append(head)
            rest = tail.lstrip()
        elif flag in valued:
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
    option_text, expression = split_options(line, magics.tensor.parser)
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
    try:
        precision = check_precision(args.precision if args.precision is not None else settings.precision)
    except ValueError as error:
        raise UsageError(f"--{error}") from None
    stats = settings.stats and not args.no_stats
    namespace = shell.user_ns

    if not expression:
        visible = {k: v for k, v in namespace.items() if k not in shell.user_ns_hidden}
        try:
            shown_overview: Any = overview(visible, language)
        except Exception as error:  # a fault of ours: one line, not a traceback
            print(message("warning.internal", language, error=_short(error)), file=sys.stderr)
            return
        display(shown_overview)
        return

    value, name, tree = _evaluate(shell, expression)
    if isinstance(value, nn.Module):
        if name is None:
            aliases = [n for n, v in namespace.items() if v is value and not n.startswith("_")]
            name = aliases[0] if aliases else None
        display(describe_model(value, name, args.input_shape, language))
        return
    if not isinstance(value, torch.Tensor | np.ndarray):
        # The same answer with or without -w: IPython's own rendering and one line saying what it is.
        bundle, _ = shell.display_formatter.format(value)  # type: ignore[union-attr]
        from_item = isinstance(tree, ast.Expression) and _is_item_call(tree.body)
        display(NonTensor(bundle=bundle, note=what_is(value, language, from_item=from_item)))
        return
    if name is None:
        aliases = names_of(value, namespace)
        name = aliases[0] if aliases else None
    if args.widget:
        from ..widgets import inspect as open_inspector  # type: ignore[attr-defined]  # widgets load lazily

        try:
            inspector: Any = open_inspector(value, namespace, name=name, language=language)
        except Exception as error:  # a fault of ours: say so in one line, still show the value
            print(message("warning.internal", language, error=_short(error)), file=sys.stderr)
            inspector = value
        display(inspector)
        return
    try:
        shown: Any = annotate(
            value, namespace, name=name, sources=_loaded_names(tree), language=language,
            precision=precision, stats=stats, detail="brief" if args.brief else settings.detail,
        )
    except Exception as error:  # a fault of ours: say so in one line, still show the value
        print(message("warning.internal", language, error=_short(error)), file=sys.stderr)
        shown = value
    display(shown)


def _short(error: BaseException) -> str:
    lines = f"{type(error).__name__}: {error}".splitlines()
    return (lines[0] if lines else type(error).__name__)[:200]


class _Scratch(dict):  # type: ignore[type-arg]
    """Local names while ``%tensor TARGET = EXPR`` runs: tensormagic's own temporaries live here, every other
    name is read from and written to the user namespace (a walrus inside the target still binds there)."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        super().__init__()
        self.namespace = namespace

    def __getitem__(self, key: str) -> Any:
        if key.startswith(_TEMP) and dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self.namespace[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key.startswith(_TEMP):
            dict.__setitem__(self, key, value)
        else:
            self.namespace[key] = value

    def __delitem__(self, key: str) -> None:
        del self.namespace[key]

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.namespace


_TEMP = "__tensormagic_"


class _Key:
    """``_Key()[1:3, ...]`` is ``(slice(1, 3), Ellipsis)``: the key of a subscript, evaluated once."""

    def __getitem__(self, key: Any) -> Any:
        return key


def _temp(name: str, like: ast.AST, store: bool = False) -> ast.Name:
    node = ast.Name(id=_TEMP + name, ctx=ast.Store() if store else ast.Load())
    return ast.copy_location(node, like)


def _assign(target: ast.expr, value: ast.expr, like: ast.AST) -> ast.stmt:
    return ast.copy_location(ast.Assign(targets=[target], value=value), like)


def _evaluate(shell: Any, source: str) -> tuple[Any, str | None, ast.AST]:
    """Run ``EXPR`` or ``TARGET = EXPR`` in the user namespace, as a cell would.

    Every sub-expression runs exactly once, in Python's own order: for ``lst[next(it)] = torch.ones(2)``
    the value, then ``lst``, then ``next(it)``, then the store; the annotated object is then read back
    through those same objects (``lst[0]``), never by evaluating the target's source again.

    Errors keep their own type and read like IPython's: the source is registered with IPython's
    compiler cache so the traceback shows the user's line, and tensormagic's frames are hidden.
    """
    __tracebackhide__ = True  # noqa: F841
    filename = shell.compile.cache(source, _cell_number(shell))  # the cell it was typed in, on every IPython
    try:
        # IPython's own compiler flags: the same message as for a cell ("incomplete input" for an open bracket)
        module = shell.compile.ast_parse(source, filename=filename)
    except SyntaxError as error:
        _show_syntax_error(shell, error, typed=True)
        raise
    try:
        return _run(shell, module, filename)
    except SyntaxError as error:  # raised by the user's code (``eval("1 +")``): its frames stay, ours go
        _show_syntax_error(shell, error, typed=False)
        raise


def _run(shell: Any, module: ast.Module, filename: str) -> tuple[Any, str | None, ast.AST]:
    """:func:`_evaluate`'s work on the parsed line."""
    __tracebackhide__ = True  # noqa: F841
    if len(module.body) == 1 and isinstance(module.body[0], ast.Expr):
        tree: ast.AST = ast.Expression(module.body[0].value)
        code = compile(ast.Expression(module.body[0].value), filename, "eval")
        return eval(code, shell.user_global_ns, shell.user_ns), None, tree
    if len(module.body) == 1 and isinstance(module.body[0], ast.Assign) and len(module.body[0].targets) == 1:
        statement = module.body[0]
        target = statement.targets[0]
        value_tree = ast.Expression(statement.value)
        if isinstance(target, ast.Name):
            exec(compile(module, filename, "exec"), shell.user_global_ns, shell.user_ns)
            return shell.user_ns[target.id], target.id, value_tree
        scratch = _Scratch(shell.user_ns)
        scratch[_TEMP + "key_of"] = _Key()
        steps = [_assign(_temp("value", statement, store=True), statement.value, statement)]
        if isinstance(target, ast.Subscript):
            key = ast.copy_location(ast.Subscript(value=_temp("key_of", target), slice=target.slice, ctx=ast.Load()),
                                    target)
            stored = ast.copy_location(
                ast.Subscript(value=_temp("owner", target), slice=_temp("key", target), ctx=ast.Store()), target
            )
            steps += [
                _assign(_temp("owner", target, store=True), target.value, target),
                _assign(_temp("key", target, store=True), key, target),
                _assign(stored, _temp("value", statement), statement),
            ]
            read_back: ast.expr = ast.Subscript(
                value=_temp("owner", target), slice=_temp("key", target), ctx=ast.Load()
            )
        elif isinstance(target, ast.Attribute):
            stored_attribute = ast.Attribute(value=_temp("owner", target), attr=target.attr, ctx=ast.Store())
            steps += [
                _assign(_temp("owner", target, store=True), target.value, target),
                _assign(ast.copy_location(stored_attribute, target), _temp("value", statement), statement),
            ]
            read_back = ast.Attribute(value=_temp("owner", target), attr=target.attr, ctx=ast.Load())
        else:  # ``a, b = ...``, ``[a, *rest] = ...``: Python evaluates each part of the target once itself
            steps.append(_assign(target, _temp("value", statement), statement))
            read_back = _temp("value", statement)
        steps_module = ast.fix_missing_locations(ast.Module(body=steps, type_ignores=[]))
        exec(compile(steps_module, filename, "exec"), shell.user_global_ns, scratch)
        read_tree = ast.fix_missing_locations(ast.Expression(ast.copy_location(read_back, target)))
        value = eval(compile(read_tree, filename, "eval"), shell.user_global_ns, scratch)
        name = ast.unparse(target) if isinstance(target, ast.Subscript | ast.Attribute) else None
        return value, name, value_tree
    raise UsageError("%tensor takes one expression, or one assignment NAME = EXPRESSION")


def _show_syntax_error(shell: Any, error: SyntaxError, *, typed: bool) -> None:
    """Have IPython show ``error`` as it would without the magic: one typed in the expression (``typed``) as a
    syntax error in a cell's source (the line and a caret, no frames), one raised by the user's code with its
    frames but none of tensormagic's.

    IPython shows a SyntaxError raised while code runs with every frame of its traceback, in a list that ignores
    ``__tracebackhide__``: its own ``run_code`` and ``run_line_magic``, and ours. For this error only, the next
    ``showtraceback`` (the one the cell's ``run_code`` makes) is patched: asked for no frames at all, or given the
    traceback without ours (:func:`~tensormagic.record.calling.prune_exception`). One shot: the patch is gone after
    that call or at the cell's ``post_execute``, whichever comes first (a cell whose ``try`` catches the error never
    shows it). Outside a cell (nothing would show it) nothing is changed.
    """
    events = getattr(shell, "events", None)
    if _outer_result(shell) is None or events is None:
        return
    original = shell.showtraceback
    had_own = "showtraceback" in vars(shell)  # %%explain's own patch, while it runs a cell
    saved = vars(shell).get("showtraceback")

    def restore() -> None:
        if vars(shell).get("showtraceback") is showtraceback:  # (replaced since: theirs stays)
            if had_own:
                shell.showtraceback = saved
            else:
                del shell.showtraceback
        with contextlib.suppress(ValueError):
            events.unregister("post_execute", restore)

    def showtraceback(exc_tuple: Any = None, *args: Any, **kwargs: Any) -> Any:
        restore()
        shown = exc_tuple[1] if exc_tuple is not None else sys.exc_info()[1]
        if shown is error and typed:
            if len(args) >= 4:  # (filename, tb_offset, exception_only, running_compiled_code, ...)
                args = (*args[:3], False, *args[4:])
            else:
                kwargs["running_compiled_code"] = False
        elif shown is error:
            with contextlib.suppress(Exception):
                prune_exception(error)
        return original(exc_tuple, *args, **kwargs)

    shell.showtraceback = showtraceback
    events.register("post_execute", restore)
