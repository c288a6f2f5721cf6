"""Random numbers: how many were drawn, and the seed in force."""

from __future__ import annotations

from ..explanation import Note
from ..ops import RNG_FUNCTIONS
from .context import CallContext, claim
from .registry import note_code, rule

RNG = note_code(
    "rng",
    "the call drew random numbers (how many, and the seed in force)",
    "调用抽取了随机数（数量，以及当时的种子）",
)


_DROPOUTS = frozenset({"dropout", "dropout_", "alpha_dropout", "feature_alpha_dropout"})


@rule(rank=130, codes=[RNG])
def rng_notes(ctx: CallContext) -> list[Note]:
    site = ctx.site
    if site.kind == "seed":
        seed = [claim("seed", "torch", site.seed)]
        if ctx.name == "torch.manual_seed":
            return [ctx.note(RNG, "note.rng.manual_seed", seed, seed=site.seed)]
        if ctx.name == "torch.initial_seed":
            return [
                ctx.note(RNG, "note.rng.initial_seed", seed + [claim("rng-advanced", "torch", False)], seed=site.seed)
            ]
        return [ctx.note(RNG, "note.rng.seed", seed, seed=site.seed)]
    short = ctx.name.rsplit(".", 1)[-1]
    result = ctx.result_facts()
    if short not in RNG_FUNCTIONS or result is None:
        return []
    if short in _DROPOUTS:
        training = ctx.param("training", 2)
        if training is not None and training.kind == "bool" and not training.value:
            return [ctx.note(RNG, "note.rng.dropout_eval", [claim("rng-advanced", "torch", False)])]
    per_call = result.numel
    generator = ctx.kwargs.get("generator")
    if generator is not None and generator.kind == "generator" and generator.value != "default":
        own = [claim("numel", "result", per_call), claim("rng-advanced", "torch", False)]
        return [ctx.note(RNG, "note.rng.draw_own", own, count=per_call * ctx.count, name=ctx.text(99, "generator"))]
    drawn = [claim("numel", "result", per_call), claim("seed", "torch", site.seed)]
    if per_call:
        drawn.append(claim("rng-advanced", "torch", True))
    if short == "randperm":
        notes = [ctx.note(RNG, "note.rng.permutation", drawn, last=max(per_call - 1, 0), seed=site.seed)]
    else:
        notes = [ctx.note(RNG, "note.rng.draw", drawn, count=per_call * ctx.count, seed=site.seed)]
    seeded = [claim("seed", "torch", site.seed)]
    notes.append(ctx.note(RNG, "note.rng.seeded" if site.seeded_in_cell else "note.rng.unseeded", seeded))
    return notes
