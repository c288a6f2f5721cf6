"""Autograd as it happens: which results record a graph, which do not (``no_grad``), and where the graph is cut."""

from __future__ import annotations

from ..explanation import Note
from ..ops import is_inplace
from .context import CallContext, claim, subject
from .registry import note_code, rule

NO_GRAD = note_code(
    "no-grad",
    "a call made inside torch.no_grad() / torch.inference_mode(): its result records no graph",
    "在 torch.no_grad() / torch.inference_mode() 中的调用：结果不记录计算图",
)
REQUIRES_GRAD = note_code(
    "requires-grad",
    "the result requires grad because an input does: autograd recorded how it was made (grad_fn)",
    "因为某个输入需要梯度，结果也需要梯度：autograd 记录了它的来历（grad_fn）",
)
GRAPH_CUT = note_code(
    "graph-cut",
    "detach(), .item() or .numpy() take a value out of the graph; clone() stays in it",
    "detach()、.item() 或 .numpy() 把数值从计算图中取出；clone() 仍在图中",
)

_NO_NOTE = frozenset({"backward", "zero_grad", "step", "detach", "detach_", "item", "numpy", "clone", "requires_grad_"})


def _grad_inputs(ctx: CallContext, leaves_only: bool) -> list[tuple[int | str, str]]:
    """The tensor inputs that require grad (only leaves: the first step of a graph), with their source text."""
    return [
        (i, t)
        for i, v, t in ctx.tensor_inputs()
        if v.facts is not None and v.facts.requires_grad and (v.facts.is_leaf or not leaves_only)
    ]


@rule(rank=137, codes=[NO_GRAD, REQUIRES_GRAD])
def grad_mode_notes(ctx: CallContext) -> list[Note]:
    site = ctx.site
    result = ctx.result_facts()
    if result is None or site.kind != "function" or ctx.op in _NO_NOTE or not site.direct or site.layer is not None:
        return []
    inputs = _grad_inputs(ctx, leaves_only=site.grad_enabled)
    if not inputs:
        return []
    index, text = inputs[0]
    needs = claim("requires-grad", subject(index), True)
    if not site.grad_enabled:
        if is_inplace(ctx.name):  # the leaf itself, changed without a trace: how optimizers update parameters
            claims = [needs, claim("requires-grad", "result", True), claim("grad-fn", "result", None)]
            return [ctx.note(NO_GRAD, "note.no_grad.inplace", claims, name=text)]
        claims = [needs, claim("requires-grad", "result", False), claim("grad-fn", "result", None)]
        key = "note.no_grad.inference" if site.inference else "note.no_grad.off"
        return [ctx.note(NO_GRAD, key, claims, name=text)]
    if result.grad_fn is None or is_inplace(ctx.name):
        return []
    claims = [needs, claim("requires-grad", "result", True), claim("grad-fn", "result", result.grad_fn)]
    return [ctx.note(REQUIRES_GRAD, "note.requires_grad.propagates", claims, name=text, grad_fn=result.grad_fn)]


@rule(rank=137, codes=[GRAPH_CUT], ops={"detach", "clone", "item"})
def graph_cut_notes(ctx: CallContext) -> list[Note]:
    source = ctx.param("self", 0) or ctx.param("input", 0)
    if source is None or source.facts is None or not source.facts.requires_grad:
        return []
    text = ctx.text(0)
    needs = claim("requires-grad", "arg0", True)
    if ctx.op == "detach":
        claims = [needs, claim("shares", "result", "arg0"), claim("requires-grad", "result", False)]
        return [ctx.note(GRAPH_CUT, "note.graph.detach", claims, name=text)]
    if ctx.op == "clone":
        result = ctx.result_facts()
        if result is None or result.grad_fn is None:
            return []
        claims = [needs, claim("independent", "result", "arg0"), claim("grad-fn", "result", result.grad_fn)]
        return [ctx.note(GRAPH_CUT, "note.graph.clone", claims, name=text, grad_fn=result.grad_fn)]
    if ctx.op == "item" and ctx.result is not None and ctx.result.kind in ("number", "bool"):
        return [ctx.note(GRAPH_CUT, "note.graph.item", [needs, claim("value", "result", ctx.result.value)], name=text)]
    return []


@rule(rank=137, codes=[GRAPH_CUT], ops={"numpy"}, on_error=True)
def numpy_of_graph_notes(ctx: CallContext) -> list[Note]:
    error = ctx.site.error
    if error is None or "requires grad" not in error.message:
        return []
    claims = [claim("raised", "call", True), claim("requires-grad", "arg0", True)]
    return [ctx.note(GRAPH_CUT, "note.graph.numpy", claims, name=ctx.text(0))]
