"""Frames from records, after the cell and for the kept steps only: what each name refers to, which boxes were
written (the bytes differ from the step before), which memory is new, which names changed without being named.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .memory import Probe, boxes_of, decode, decode_row, element_offsets
from .model import SMALL, Block, Frame, Storage
from .records import Record, Row, State, print_key

_MISSING = object()


def frame_of(record: Record, mentioned: frozenset[str], source: str) -> Frame:
    """The :class:`~.model.Frame` of one kept step: its record against the state of the step before it."""
    before = record.before
    state = record.state
    before_rows = (
        {row.id: (row, data) for row, data in zip(before.rows, before.data, strict=True)} if before is not None
        else {}
    )
    before_versions = (
        {facts.ident: version for facts, version in zip(before.objects, before.versions, strict=True)}
        if before is not None else {}
    )
    storages: dict[str, Storage] = {}
    written_boxes: dict[str, set[int]] = {}
    row_of: dict[int, Row] = {}
    data_of: dict[str, bytes | None] = {}
    for row, data in zip(state.rows, state.data, strict=True):
        data_of[row.id] = data
        storages[row.id], written_boxes[row.id] = _storage(
            row, data, row.id in state.new, state.objects, before_rows.get(row.id)
        )
        for index in row.members:
            row_of[index] = row
    blocks: dict[str, Block] = {}
    for index, facts in enumerate(state.objects):
        home = row_of.get(index)
        blocks[facts.ident] = _block(
            facts, home, data_of.get(home.id) if home is not None else None,
            storages.get(home.id) if home is not None else None,
            written_boxes.get(home.id, set()) if home is not None else set(), record, index,
            before_versions.get(facts.ident, _MISSING),
        )
    names = {name: state.objects[index].ident for name, index in record.names}
    for row in state.rows:
        storage = storages[row.id]
        if not storage.changed and any(blocks[state.objects[i].ident].written for i in row.members):
            storages[row.id] = _replace(storage, changed=True)
    changed_via: dict[str, tuple[str, ...]] = {}
    for name, ident in names.items():
        block = blocks[ident]
        if block.written and name not in mentioned:
            changed_via[name] = tuple(
                other for other, other_ident in names.items()
                if other in mentioned and other != name and blocks[other_ident].written
                and block.storage is not None and blocks[other_ident].storage == block.storage
            )
    return Frame(
        step=record.step, line=record.line, source=source, execution=record.execution,
        names=names, blocks=blocks, storages=storages, error=record.error, changed_via=changed_via,
    )

def _storage(
row: Row, data: bytes | None, new: bool, objects: list[Probe],
    before: tuple[Row, bytes | None] | None,
) -> tuple[Storage, set[int]]:
    first = objects[row.members[0]]
    itemsize = first.itemsize or 1
    size = row.end - row.start
    dtype = first.dtype
    values: tuple[Any, ...] | None = None
    if size % itemsize:
        itemsize, dtype = 1, "uint8"
    length = size // itemsize
    written: list[int] = []
    if data is not None:
        numbers = decode_row(data, first) if itemsize == first.itemsize else list(data)
        values = tuple(numbers) if numbers is not None else None
        old = before[1] if before is not None and before[0].start == row.start else None
        if old is not None and not new:
            written = [
                k for k in range(min(length, len(old) // itemsize))
                if data[k * itemsize:(k + 1) * itemsize] != old[k * itemsize:(k + 1) * itemsize]
            ]
    storage = Storage(
        id=row.id, device=row.device, dtype=dtype, itemsize=itemsize, nbytes=size, length=length, values=values,
        written=tuple(written), changed=bool(written), new=new,
    )
    return storage, set(written)


def _block(
    facts: Probe,
    row: Row | None,
    data: bytes | None,
    storage: Storage | None,
    written_boxes: set[int],
    record: Record,
    index: int,
    version_before: Any,
) -> Block:
    state, before = record.state, record.before
    common = dict(
        device=facts.device, numel=facts.numel, nbytes=facts.nbytes, requires_grad=facts.requires_grad,
        layout=facts.layout, contiguous=facts.contiguous,
    )
    if row is None or storage is None:
        return Block(
            facts.ident, facts.kind, facts.dtype, facts.shape, facts.strides, facts.storage_offset,
            new=facts.ident in record.fresh, **common,  # type: ignore[arg-type]
        )
    covered: tuple[int, ...] | None = None
    order: tuple[int, ...] | None = None
    span: tuple[int, int] | None = None
    box = storage.itemsize
    if facts.numel and facts.address:
        low, high = facts.span()
        span = ((low - row.start) // box, (high - 1 - row.start) // box)
        if storage.small or facts.numel <= SMALL:
            found = element_offsets(facts, row.start)
            if found is not None:
                offsets, ordered = found
                boxes = boxes_of(offsets, facts.itemsize, box)
                first_at: dict[int, int] = {}
                for position, k in enumerate(boxes):
                    first_at.setdefault(k, position)
                covered = tuple(sorted(first_at))
                if ordered:
                    per_element = max(1, facts.itemsize // box)
                    order = tuple(first_at[k] // per_element for k in covered)
    values = None
    if facts.numel <= SMALL:
        if data is not None:
            values = decode(facts, data, row.start)
        elif index in state.spans:
            values = decode(facts, state.spans[index], facts.span()[0])
    exact = True
    if data is not None:
        written = bool(covered and written_boxes.intersection(covered))
    elif index in state.spans:
        old = _matching_span(facts, before)
        written = not storage.new and old is not None and old != state.spans[index]
    else:
        key = print_key(row, facts)
        check = state.prints.get(key)
        if check is not None:
            old_print = before.prints.get(key) if before is not None else None
            written = not storage.new and old_print is not None and old_print != check
        else:
            exact = False
            written = (
                facts.kind == "tensor" and version_before is not _MISSING and version_before is not None
                and state.versions[index] is not None and version_before != state.versions[index]
            )
    return Block(
        facts.ident, facts.kind, facts.dtype, facts.shape, facts.strides, facts.storage_offset,
        storage=row.id, covered=covered, order=order, span=span, values=values, written=written, new=storage.new,
        exact=exact, **common,  # type: ignore[arg-type]
    )


def _matching_span(facts: Probe, before: State | None) -> bytes | None:
    """The bytes the step before saw at the same elements (the same address, shape and strides), if it read them."""
    if before is None:
        return None
    for index, old in enumerate(before.objects):
        if (old.address, old.shape, old.byte_strides, old.dtype) == (
            facts.address, facts.shape, facts.byte_strides, facts.dtype
        ) and index in before.spans:
            return before.spans[index]
    return None


def _replace(storage: Storage, **changes: Any) -> Storage:
    return replace(storage, **changes)
