"""What the step tracer keeps of each step: plain data, built cheaply at every step of a cell.

A :class:`Record` is one step (its line, the names and what they referred to); its :class:`State` the memory side
(the objects' facts, their version counters, the rows of memory they lie in and what was read of them). A record
holds the state of the step before it, never that step's own record: a kept step never holds a chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .memory import Probe


@dataclass(slots=True)
class Row:
    """A block of memory as steps see it: where it lies and which of the step's objects lie in it.

    Shared by consecutive steps over the same objects; what a step read of it is in its :class:`State`.
    """

    id: str
    device: str
    start: int
    end: int
    members: list[int]  # indices into the step's objects, in the names' order
    small: bool = False  # copied at every step (CPU memory of at most 64 boxes)


@dataclass(slots=True)
class State:
    """The memory side of one step: the objects' facts, their version counters, the rows and what was read."""

    objects: list[Probe]
    versions: list[int | None]
    rows: list[Row]
    data: list[bytes | None]  # per row: a copy of its bytes (small rows)
    new: tuple[str, ...]  # ids of the rows seen for the first time at this step
    prints: dict[tuple[Any, ...], int]  # checksums of objects in memory too large to copy
    spans: dict[int, bytes]  # object index -> bytes of its elements (small objects in large memory)


@dataclass(slots=True)
class Record:
    """One step, cheaply: enough to build its frame later without touching the objects again."""

    step: int
    line: int
    execution: int
    error: str | None
    names: list[tuple[str, int]]  # (name, index into the state's objects)
    fresh: list[str]  # block ids first seen at this step
    state: State
    before: State | None  # the step before's state, to tell what this step changed


def print_key(row: Row, facts: Probe) -> tuple[Any, ...]:
    """What a checksum of an object's elements is kept under: the same elements of the same memory."""
    return (row.id, facts.address - row.start, facts.shape, facts.byte_strides, facts.dtype)
