"""The training loop: ``loss.backward()``, gradients that add up, ``zero_grad()`` and ``optimizer.step()``."""

from __future__ import annotations

from ..explanation import Claim, Note
from ..record.training import BackwardFacts, StepFacts, ZeroGradFacts
from ..render.common import format_number, format_shape
from .context import CallContext, claim
from .registry import note_code, rule

BACKWARD = note_code(
    "backward",
    "backward() computed gradients: which leaf tensors received .grad, and what happened to the graph",
    "backward() 计算了梯度：哪些叶子张量得到了 .grad，计算图又发生了什么",
)
GRAD_ACCUMULATES = note_code(
    "grad-accumulates",
    "a backward() added to gradients already there (why zero_grad() exists)",
    "backward() 把梯度加到了已有的 .grad 上（这就是需要 zero_grad() 的原因）",
)
ZERO_GRAD = note_code(
    "zero-grad",
    "zero_grad() cleared the parameters' gradients (set to None, or zeroed)",
    "zero_grad() 清除了参数的梯度（设为 None 或置零）",
)
OPTIMIZER_STEP = note_code(
    "optimizer-step",
    "optimizer.step() changed the parameters in place, by its update rule",
    "optimizer.step() 按照它的更新规则原地修改了参数",
)

_SHOWN = 4


def _leaf_list(facts: BackwardFacts) -> str:
    named = [f"{leaf.name} {format_shape(leaf.shape)}" for leaf in facts.leaves if leaf.name and leaf.received]
    unnamed = sum(1 for leaf in facts.leaves if not leaf.name and leaf.received) + max(
        facts.leaf_count - len(facts.leaves), 0
    )
    text = ", ".join(named[:_SHOWN])
    more = max(len(named) - _SHOWN, 0) + unnamed
    return text + (f", … (+{more})" if more and text else "")


@rule(rank=135, codes=[BACKWARD, GRAD_ACCUMULATES], ops={"backward"})
def backward_notes(ctx: CallContext) -> list[Note]:
    facts = ctx.site.training
    if not isinstance(facts, BackwardFacts):
        return []
    notes: list[Note] = []
    received = [leaf for leaf in facts.leaves if leaf.received]
    has_grads: list[Claim] = [claim("has-grad", f"name:{leaf.name}", leaf.shape) for leaf in received if leaf.name]
    if facts.leaf_count:
        notes.append(
            ctx.note(
                BACKWARD,
                "note.backward.leaves",
                has_grads or [claim("leaf-count", "arg0", facts.leaf_count)],
                count=facts.leaf_count,
                leaves=_leaf_list(facts) or "…",
            )
        )
    if facts.nonleaf_names:
        claims = [claim("grad-none", f"name:{name}") for name in facts.nonleaf_names]
        notes.append(
            ctx.note(
                BACKWARD,
                "note.backward.nonleaf",
                claims,
                names=", ".join(facts.nonleaf_names),
                count=len(facts.nonleaf_names),
            )
        )
    if facts.holds_saved and not facts.retain_graph:
        notes.append(ctx.note(BACKWARD, "note.backward.freed", [claim("graph-freed", "arg0")]))
    added = [leaf for leaf in facts.leaves if leaf.had_grad and leaf.received]
    if added:
        names = ", ".join(leaf.name or format_shape(leaf.shape) for leaf in added[:_SHOWN])
        claims = [claim("grad-added", f"name:{leaf.name}") for leaf in added if leaf.name]
        claims = claims or [claim("grad-added", "arg0")]
        first = added[0]
        if first.norm_before is not None and first.norm_after is not None:
            notes.append(
                ctx.note(
                    GRAD_ACCUMULATES,
                    "note.grad.added_norm",
                    claims,
                    names=names,
                    count=len(added),
                    name=first.name or format_shape(first.shape),
                    before=format_number(first.norm_before, 4),
                    after=format_number(first.norm_after, 4),
                )
            )
        else:
            notes.append(ctx.note(GRAD_ACCUMULATES, "note.grad.added", claims, names=names, count=len(added)))
    if facts.accumulated_calls:
        claims = [claim("accumulated-calls", "arg0", facts.accumulated_calls)]
        notes.append(
            ctx.note(
                GRAD_ACCUMULATES,
                "note.grad.loop_adds",
                claims,
                count=facts.accumulated_calls,
                total=ctx.count,
            )
        )
    return notes


@rule(rank=135, codes=[BACKWARD], ops={"backward"}, on_error=True)
def backward_error_notes(ctx: CallContext) -> list[Note]:
    error = ctx.site.error
    if error is None:
        return []
    raised = claim("raised", "call", True)
    if "backward through the graph a second time" in error.message:
        return [ctx.note(BACKWARD, "note.backward.twice", [raised], name=ctx.text(0))]
    if "only for scalar outputs" in error.message:
        source = ctx.param("self", 0)
        shape = format_shape(source.facts.shape) if source is not None and source.facts is not None else "?"
        claims = [raised, claim("shape", "arg0", source.facts.shape)] if source and source.facts else [raised]
        return [ctx.note(BACKWARD, "note.backward.not_scalar", claims, name=ctx.text(0), shape=shape)]
    if "does not require grad" in error.message:
        return [
            ctx.note(BACKWARD, "note.backward.no_graph", [raised, claim("grad-fn", "arg0", None)], name=ctx.text(0))
        ]
    return []


@rule(rank=135, codes=[ZERO_GRAD], ops={"zero_grad"})
def zero_grad_notes(ctx: CallContext) -> list[Note]:
    facts = ctx.site.training
    if not isinstance(facts, ZeroGradFacts):
        return []
    owner = ctx.text(0) if ctx.texts else facts.owner_type
    params = [claim("parameter-count", "result", facts.parameters)]
    if not facts.had_grads:
        return [ctx.note(ZERO_GRAD, "note.zero_grad.nothing", params, owner=owner, total=facts.parameters)]
    if facts.set_to_none:
        claims = [*params, claim("grads", "result", "none")]
        return [
            ctx.note(
                ZERO_GRAD, "note.zero_grad.none", claims, owner=owner, count=facts.had_grads, total=facts.parameters
            )
        ]
    claims = [*params, claim("grads", "result", "zero")]
    return [
        ctx.note(ZERO_GRAD, "note.zero_grad.zero", claims, owner=owner, count=facts.had_grads, total=facts.parameters)
    ]


def _rule_text(facts: StepFacts) -> tuple[str, dict[str, object]]:
    settings = facts.settings
    lr = format_number(float(settings.get("lr", 0.0)), 4)
    if facts.optimizer == "SGD":
        momentum = float(settings.get("momentum", 0.0) or 0.0)
        if momentum:
            return "note.step.rule_momentum", {"lr": lr, "momentum": format_number(momentum, 4)}
        return "note.step.rule_sgd", {"lr": lr}
    if facts.optimizer in ("Adam", "AdamW"):
        betas = settings.get("betas", (0.9, 0.999))
        return "note.step.rule_adam", {"lr": lr, "betas": ", ".join(format_number(float(b), 4) for b in betas)}
    return "note.step.rule_other", {"lr": lr, "optimizer": facts.optimizer}


@rule(rank=135, codes=[OPTIMIZER_STEP], ops={"step"})
def step_notes(ctx: CallContext) -> list[Note]:
    facts = ctx.site.training
    if not isinstance(facts, StepFacts):
        return []
    owner = ctx.text(0) if ctx.texts else facts.optimizer
    notes: list[Note] = []
    count = [claim("parameter-count", "result", facts.parameters)]
    if facts.measured and facts.changed is not None:
        claims = [*count, claim("changed-parameters", "result", facts.changed)]
        if facts.largest_change is not None and facts.changed:
            claims.append(claim("largest-change", "result", facts.largest_change))
        notes.append(
            ctx.note(
                OPTIMIZER_STEP,
                "note.step.changed",
                claims,
                owner=owner,
                changed=facts.changed,
                total=facts.parameters,
                largest=format_number(facts.largest_change or 0.0, 4),
            )
        )
    else:
        notes.append(ctx.note(OPTIMIZER_STEP, "note.step.unmeasured", count, owner=owner, total=facts.parameters))
    key, params = _rule_text(facts)
    notes.append(ctx.note(OPTIMIZER_STEP, key, [claim("optimizer", "result", facts.optimizer)], **params))
    without = facts.parameters - facts.with_grad
    if without:
        claims = [claim("without-grad", "result", without)]
        notes.append(ctx.note(OPTIMIZER_STEP, "note.step.no_grad", claims, count=without))
    return notes
