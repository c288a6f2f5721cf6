"""Memory notes: shares memory, a copy, a view — decided from storage byte ranges at the moment of the call."""

from __future__ import annotations

import ast

from ..explanation import Claim, Note
from ..ops import CONVERSIONS, CONVERTING_METHODS, MEMORY_SHARING_CALLS, is_inplace
from ..render.common import format_shape
from .context import CallContext, claim, subject
from .registry import note_code, rule

SHARES_MEMORY = note_code(
    "shares-memory",
    "the result shares memory with a named tensor or array: a write to one shows in the other",
    "结果与某个具名张量或数组共享内存：改动其一，另一个也随之改变",
)
COPY = note_code(
    "copy",
    "built from an existing array or tensor, but owns new memory",
    "由已有数组或张量构造，但拥有自己的新内存",
)
VIEW = note_code(
    "view",
    "the result is a view of an input: same memory, another shape or stride",
    "结果是输入的视图：同一块内存，不同的形状或步长",
)


VIEW_OPS = frozenset(
    {
        "getitem",
        "view",
        "view_as",
        "T",
        "mT",
        "H",
        "mH",
        "transpose",
        "t",
        "permute",
        "reshape",
        "reshape_as",
        "squeeze",
        "unsqueeze",
        "flatten",
        "unflatten",
        "narrow",
        "select",
        "expand",
        "expand_as",
        "detach",
        "diagonal",
        "unfold",
        "movedim",
        "moveaxis",
        "swapaxes",
        "swapdims",
        "split",
        "chunk",
        "unbind",
        "real",
        "imag",
        "as_strided",
        "contiguous",
        "ravel",
        "view_as_real",
        "view_as_complex",
        "tensor_split",
    }
)
_TRANSPOSES = frozenset({"T", "mT", "H", "mH", "t", "transpose", "permute", "swapaxes", "swapdims", "movedim"})
_LAYOUT_COPIERS = frozenset({"reshape", "reshape_as", "flatten", "contiguous", "ravel"})
_COPIES = frozenset({"tensor", "clone", "copy"})


@rule(rank=10, codes=[SHARES_MEMORY, COPY, VIEW])
def memory_notes(ctx: CallContext) -> list[Note]:
    if ctx.site.kind == "dispatch":
        return _constructor_notes(ctx)
    result = ctx.result
    if is_inplace(ctx.name) or result is None or result.kind not in ("tensor", "ndarray"):
        return []
    inputs = ctx.tensor_inputs()
    if ctx.op in MEMORY_SHARING_CALLS:
        return _bridge_notes(ctx)
    if not inputs:
        return []
    index, value, text = inputs[0]
    relation = ctx.relation_of(index)
    source = subject(index)
    if ctx.op in _COPIES or (ctx.op == "Tensor" and value.kind == "ndarray"):
        if relation != "copy":
            return []
        key = "note.copy.clone" if ctx.op == "clone" else "note.copy.from"
        return [ctx.note(COPY, key, [claim("independent", "result", source)], name=text)]
    if relation == "alias":
        if ctx.op in CONVERSIONS or ctx.op in CONVERTING_METHODS:
            return []  # the dtype notes say why the input itself came back
        return [ctx.note(VIEW, "note.view.alias", [claim("same-object", "result", source)], name=text)]
    if relation in ("view", "shares"):
        return [_view_note(ctx, source, value.facts, text)]
    if relation == "copy" and ctx.op == "getitem":
        return [ctx.note(COPY, "note.copy.index", [claim("independent", "result", source)])]
    if relation == "copy" and ctx.op in _LAYOUT_COPIERS:
        return [ctx.note(COPY, "note.copy.layout", [claim("independent", "result", source)], name=text)]
    return []


def _view_note(ctx: CallContext, source: str, facts: object, text: str) -> Note:
    """``a view of t``: said of a named tensor (a write through either shows in the other), or of a temporary."""
    result = ctx.result_facts()
    shares = [claim("shares", "result", source)]
    shape_in = getattr(facts, "shape", None)
    if ctx.op in _TRANSPOSES and shape_in is not None and result is not None:
        if len(shape_in) < 2 and ctx.op in ("T", "mT", "H", "mH", "t"):
            return ctx.note(
                VIEW,
                "note.view.nothing_swapped",
                [*shares, claim("shape", "result", tuple(shape_in))],
                name=text,
                ndim=len(shape_in),
                shape=format_shape(shape_in),
            )
        if tuple(result.shape) != tuple(shape_in) or result.strides != getattr(facts, "strides", None):
            return ctx.note(
                VIEW,
                "note.view.transpose",
                [*shares, claim("shape", source, tuple(shape_in)), claim("shape", "result", tuple(result.shape))],
                name=text,
                shape_in=format_shape(shape_in),
                shape_out=format_shape(result.shape),
            )
    if ctx.is_name(text):
        return ctx.note(VIEW, "note.view.of", [*shares, claim("bound", f"name:{text}")], name=text)
    return ctx.note(VIEW, "note.view.of_temporary", shares, name=text)


def _bridge_notes(ctx: CallContext) -> list[Note]:
    """``t.numpy()``, ``torch.as_tensor(n)``, ``torch.asarray(n)``: the same memory, or (dtype/device) a copy."""
    inputs = ctx.tensor_inputs()
    if not inputs:
        return []
    index, _value, text = inputs[0]
    source = subject(index)
    relation = ctx.relation_of(index)
    notes: list[Note] = []
    if relation in ("shares", "view", "alias"):
        if ctx.is_name(text):
            key = "note.shares.numpy" if ctx.op == "numpy" else "note.shares.generic"
            notes.append(ctx.note(SHARES_MEMORY, key, [claim("shares", "result", f"name:{text}")], name=text))
        else:
            notes.extend(_temporary_notes(ctx, text))
        if ctx.then_copy and ctx.copy_target:
            notes.append(
                ctx.note(
                    COPY,
                    "note.copy.then_copy",
                    [claim("independent", f"name:{ctx.copy_target}", source, when="statement")],
                    name=text,
                )
            )
    elif relation == "copy":
        notes.append(ctx.note(COPY, "note.copy.from", [claim("independent", "result", source)], name=text))
    return notes + _now_sharing(ctx)


def _constructor_notes(ctx: CallContext) -> list[Note]:
    """``torch.from_numpy(n1)``, ``torch.Tensor(n1)``: over the array's memory, or converted into new memory."""
    site = ctx.site
    ctor = ctx.name.rsplit(".", 1)[-1]
    text = ctx.text(0, "ndarray" if ctor == "from_numpy" else "data")
    name = site.linked_name
    notes: list[Note] = []
    if site.linked_relation == "shares":
        if name is not None:
            key = "note.shares.from_numpy" if ctor == "from_numpy" else "note.shares.generic"
            notes.append(ctx.note(SHARES_MEMORY, key, [claim("shares", "result", f"name:{name}")], name=name))
        else:
            notes.extend(_temporary_notes(ctx, text))
    elif site.linked_relation == "copy":
        if name is not None:
            claims = [claim("independent", "result", f"name:{name}")]
            notes.append(ctx.note(COPY, "note.copy.from", claims, name=name))
        else:
            notes.append(ctx.note(COPY, "note.copy.converted", [claim("unshared", "result")], expression=text))
    return notes + _now_sharing(ctx)


def _temporary_notes(ctx: CallContext, text: str) -> list[Note]:
    """The input was an expression (``n1.copy()``, ``arr[::2]``): who, if anyone, the result shares memory with."""
    sharers = [s.name for s in ctx.site.result_sharing]
    if sharers:
        claims = [claim("shares", "result", f"name:{name}") for name in sharers]
        return [ctx.note(SHARES_MEMORY, "note.shares.through", claims, names=", ".join(sharers), expression=text)]
    if ctx.site.in_function and not _is_fresh_copy(text):
        # The function's local variables are not visible here: say only what is certain.
        return [ctx.note(SHARES_MEMORY, "note.shares.expression", [claim("borrowed", "result")], expression=text)]
    mentioned = _names_in(text)
    claims = [claim("independent", "result", f"name:{name}") for name in mentioned]
    if mentioned:
        return [ctx.note(COPY, "note.shares.temporary", claims, expression=text, names=", ".join(mentioned))]
    return [ctx.note(COPY, "note.shares.temporary_alone", [claim("unshared", "result")], expression=text)]


def _is_fresh_copy(text: str) -> bool:
    """``n1.copy()``, ``np.copy(n1)``, ``np.array(n1)``: an expression that makes a new array with memory of its own."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return False
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    if node.func.attr == "copy" and not node.args:
        return True  # ndarray.copy(): torch.from_numpy accepts only arrays, and an array's copy is new memory
    owner = node.func.value
    from_numpy_module = isinstance(owner, ast.Name) and owner.id in ("np", "numpy")
    keeps_copy = all(k.arg != "copy" for k in node.keywords)
    return from_numpy_module and node.func.attr in ("copy", "array") and keeps_copy


def _names_in(text: str) -> list[str]:
    """The plain names an expression mentions (``n1.copy()``: n1), in order; none if it does not parse."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return []
    callees = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in callees]
    return list(dict.fromkeys(name for name in found if name not in ("np", "torch", "numpy")))


def _now_sharing(ctx: CallContext) -> list[Note]:
    """Once ``t1 = torch.from_numpy(n1)`` has run, t1 and n1 are two names for one memory."""
    target = ctx.target if ctx.target and ctx.is_name(ctx.target) else None
    if target is None:
        return []
    others = [s.name for s in ctx.site.result_sharing if s.name != target]
    if not others:
        return []
    names = [target, *dict.fromkeys(others)]
    claims: list[Claim] = [claim("shares", f"name:{target}", f"name:{name}", when="statement") for name in names[1:]]
    return [ctx.note(SHARES_MEMORY, "note.shares.now", claims, names=", ".join(names))]
