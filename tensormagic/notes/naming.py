"""How the user wrote a call: its qualified name (``Tensor.__mul__`` for ``a * b``) and its argument texts."""

from __future__ import annotations

import ast
import dis
import sys
from typing import Any

from ..ops import AST_OPERATOR_SYMBOLS, COMPARISON_OPERATORS, LEGACY_CONSTRUCTORS, UNARY_OPERATORS, binary_operator
from ..record import Site, func_short_name
from ..source import CellSource, Position
from .context import CallContext

_TORCH_MODULES = frozenset(
    {"torch", "torch.functional", "torch._C._VariableFunctions", "torch.random", "torch._tensor", "torch.serialization"}
)
#: C extension modules behind public namespaces (``nn.Linear`` calls ``torch._C._nn.linear``).
_PUBLIC_MODULES = {
    "torch._C._nn": "torch.nn.functional",
    "torch._C._linalg": "torch.linalg",
    "torch._C._fft": "torch.fft",
    "torch._C._special": "torch.special",
    "torch._C._nested": "torch.nested",
}
_TEXT_LIMIT = 48


def function_name(func: Any) -> str:
    """``torch.tensor``, ``Tensor.neg_``, ``torch.nn.functional.relu``: how the function is reached."""
    short = func_short_name(func)
    qualname = str(getattr(func, "__qualname__", "") or "")
    if qualname.startswith(("TensorBase.", "Tensor.", "_TensorBase.")):
        return f"Tensor.{short}"
    module = str(getattr(func, "__module__", "") or "")
    if module in _TORCH_MODULES or not module:
        return f"torch.{short}"
    return f"{_PUBLIC_MODULES.get(module, module)}.{short}"


def _callee_last(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def qualified_name(site: Site, node: ast.AST | None, pos: Position) -> str:
    """The call's name as the user wrote it: operators as their dunder, methods on ``Tensor``."""
    if site.kind in ("seed", "api"):
        return str(site.func)
    if site.kind == "dispatch":
        if isinstance(node, ast.Call) and site.direct:
            last = _callee_last(node.func)
            if last == "from_numpy" or last in LEGACY_CONSTRUCTORS:
                return f"torch.{last}"
        return "torch.Tensor" if "empty" in site.op else "torch.from_numpy"
    short = func_short_name(site.func)
    if site.kind == "descriptor":
        return f"Tensor.{short}"
    if not site.direct:  # made inside a function the cell called: the cell's instruction is that call
        return function_name(site.func)
    opname = pos.opname
    operator = binary_operator(pos.oparg) if opname == "BINARY_OP" else None
    if operator is not None:
        if short.startswith("__r") and short.endswith("__"):
            return f"Tensor.{short}"
        core, inplace = operator
        return f"Tensor.__{'i' if inplace else ''}{core}__"
    if opname == "BINARY_SUBSCR":
        return "Tensor.__getitem__"
    if opname == "STORE_SUBSCR":
        return "Tensor.__setitem__"
    # COMPARE_OP's argument: the comparison index (3.11), shifted left by 4 (3.12) or 5 (3.13+).
    compare = pos.oparg >> (0 if sys.version_info < (3, 12) else 4 if sys.version_info < (3, 13) else 5)
    if opname == "COMPARE_OP" and compare < len(dis.cmp_op):
        dunder = COMPARISON_OPERATORS.get(dis.cmp_op[compare])
        if dunder:
            return f"Tensor.__{dunder}__"
    if opname in UNARY_OPERATORS:
        return f"Tensor.__{UNARY_OPERATORS[opname]}__"
    return function_name(site.func)


def _segment(source: CellSource | None, node: ast.AST) -> str:
    text = source.segment(node) if source is not None else None
    if not text:
        try:
            text = ast.unparse(node)
        except Exception:  # noqa: BLE001 - a display string only
            text = "?"
    text = " ".join(text.split())
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1] + "…"


def source_context(ctx: CallContext, node: ast.AST | None, source: CellSource | None) -> str:
    """Fill the argument texts, assignment target and statement facts of ``ctx``; return the expression text."""
    if node is None:
        return ""

    def seg(part: ast.AST) -> str:
        return _segment(source, part)

    def _parent(child: ast.AST) -> ast.AST | None:
        return source.parent(child) if source is not None else None

    node_text = seg(node)

    if isinstance(node, ast.Call):
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        method = (
            ctx.is_method
            and receiver is not None
            and seg(receiver) not in ("torch.Tensor", "Tensor", "torch._C.TensorBase")
        )
        ctx.texts = ([seg(receiver)] if method and receiver is not None else []) + [seg(a) for a in node.args]
        ctx.kw_texts = {k.arg: seg(k.value) for k in node.keywords if k.arg}
    elif isinstance(node, ast.BinOp):
        ctx.binary_symbol = AST_OPERATOR_SYMBOLS.get(type(node.op))
        args = ctx.site.args
        # ``0.1 * t`` may reach torch as ``t.__mul__(0.1)`` (the number on the right): the texts follow the values.
        swapped = (
            len(args) >= 2
            and args[0].kind == "tensor"
            and args[1].kind in ("number", "bool")
            and isinstance(node.left, ast.Constant)
            and not isinstance(node.right, ast.Constant)
        )
        reflected = ctx.name.rsplit(".", 1)[-1].startswith("__r") or swapped
        ctx.texts = [seg(node.right), seg(node.left)] if reflected else [seg(node.left), seg(node.right)]
    elif isinstance(node, ast.AugAssign):
        ctx.binary_symbol = AST_OPERATOR_SYMBOLS.get(type(node.op))
        ctx.texts = [seg(node.target), seg(node.value)]
    elif isinstance(node, ast.Subscript):
        ctx.texts = [seg(node.value), seg(node.slice)]
        parent = _parent(node)
        if isinstance(parent, ast.Assign) and ctx.name.endswith("__setitem__"):
            ctx.texts.append(seg(parent.value))
    elif isinstance(node, ast.Attribute):
        ctx.texts = [seg(node.value)]
    elif isinstance(node, ast.Compare):
        ctx.texts = [seg(node.left), *(seg(c) for c in node.comparators[:1])]
    elif isinstance(node, ast.UnaryOp):
        ctx.texts = [seg(node.operand)]
    parent = _parent(node)
    if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1:
        ctx.target = seg(parent.targets[0])
    elif isinstance(parent, ast.AnnAssign | ast.NamedExpr) and parent.value is node:
        ctx.target = seg(parent.target)
    if isinstance(parent, ast.Expr) and parent.value is node:
        holder = _parent(parent)
        last_of_cell = isinstance(holder, ast.Module) and holder.body and holder.body[-1] is parent
        ctx.unused = not last_of_cell
    if isinstance(parent, ast.Attribute) and parent.attr == "copy":
        grand = _parent(parent)
        ctx.then_copy = isinstance(grand, ast.Call) and grand.func is parent
        holder = _parent(grand) if grand is not None else None
        if ctx.then_copy and isinstance(holder, ast.Assign) and holder.value is grand and len(holder.targets) == 1:
            ctx.copy_target = seg(holder.targets[0])
    return node_text
