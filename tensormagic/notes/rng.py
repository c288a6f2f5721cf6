"""Random numbers: how many were drawn, and the seed in force."""

from __future__ import annotations

from ..explanation import Note
from ..ops import RNG_FUNCTIONS
from .context import CallContext
from .registry import note_code, rule

RNG = note_code(
    "rng",
    "the call drew random numbers (how many, and the seed in force)",
    "调用抽取了随机数（数量，以及当时的种子）",
)


@rule(rank=130, codes=[RNG])
def rng_notes(ctx: CallContext) -> list[Note]:
    site = ctx.site
    if site.kind == "seed":
        if ctx.name == "torch.manual_seed":
            return [ctx.note("rng", "note.rng.manual_seed", seed=site.seed)]
        if ctx.name == "torch.initial_seed":
            return [ctx.note("rng", "note.rng.initial_seed", seed=site.seed)]
        return [ctx.note("rng", "note.rng.seed", seed=site.seed)]
    short = ctx.name.rsplit(".", 1)[-1]
    if short not in RNG_FUNCTIONS or site.error is not None:
        return []
    result = ctx.result_facts()
    per_call = result.numel if result is not None else 0
    notes = [ctx.note("rng", "note.rng.draw", count=per_call * ctx.count, seed=site.seed)]
    notes.append(ctx.note("rng", "note.rng.seeded" if site.seeded_in_cell else "note.rng.unseeded"))
    return notes
