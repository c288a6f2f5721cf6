"""Recording a timeline: a line tracer on the cell's own code, and a snapshot of the names it touches per step.

:class:`StepRecorder` installs a trace function (``sys.settrace``, chained to any tracer already set) that only
follows frames of the cell's top-level code (``<module>`` code compiled under the cell's file name); every other
frame gets no line events. When a statement of the cell finishes (the next statement starts, or the code object
returns), the names the cell touches are read (:mod:`.memory`, torch functions disabled, no torch op called) and the
step becomes a :class:`~.model.Frame`.

Identity without references: objects and the owners of their memory are known by ``id()`` checked against a weak
reference (a dead object's id may be reused), so the recorder never keeps a tensor or an array alive. Each line
keeps its first :data:`~.model.FIRST_KEPT` and last :data:`~.model.LAST_KEPT` executions; the rest are counted.
"""

from __future__ import annotations

import contextlib
import sys
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .memory import Probe, boxes_of, element_offsets, fingerprint, probe, read_row, read_values
from .model import FIRST_KEPT, LAST_KEPT, SMALL, Block, Frame, Storage, Timeline
from .source import CellShape, shape_of

_MISSING = object()
_Tensor = torch.Tensor
_ndarray = np.ndarray


@dataclass
class _History:
    """One line's executions: how many, the first few frames and the last few."""

    count: int = 0
    first: list[Frame] = field(default_factory=list)
    last: deque[Frame] = field(default_factory=lambda: deque(maxlen=LAST_KEPT))


@dataclass
class _Row:
    """A storage being built for one step: the probes of the objects lying in it."""

    device: str
    start: int
    end: int
    members: list[int]  # indices into the step's probes
    id: str = ""
    new: bool = False


class _Identities:
    """Stable ids for objects alive across steps, by ``id()`` checked against a weak reference."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.count = 0
        self.known: dict[int, tuple[weakref.ref[Any], str]] = {}

    def get(self, obj: Any) -> str | None:
        entry = self.known.get(id(obj))
        if entry is not None and entry[0]() is obj:
            return entry[1]
        return None

    def add(self, obj: Any, ident: str | None = None) -> str:
        if ident is None:
            self.count += 1
            ident = f"{self.prefix}{self.count}"
        key = id(obj)
        known = self.known

        def forget(_: Any, key: int = key) -> None:
            entry = known.get(key)
            if entry is not None and entry[0]() is None:
                del known[key]

        with contextlib.suppress(TypeError):  # not weak-referenceable: known for this step only
            self.known[key] = (weakref.ref(obj, forget), ident)
        return ident

    def clear(self) -> None:
        self.known.clear()


class StepRecorder:
    """Follows the top-level code compiled under ``filename`` and keeps its steps; :meth:`timeline` builds the result.

    ``source`` is the code as compiled (line numbers match it); ``display_lines`` the lines shown (a notebook's raw
    cell, ``!ls`` rather than its transformed form).
    """

    def __init__(self, filename: str, source: str, display_lines: list[str] | None = None) -> None:
        self.filename = filename
        self.source = source
        self.lines = list(display_lines) if display_lines is not None else source.splitlines()
        self.shape: CellShape = shape_of(source)
        self.watched = self.shape.names
        self.objects = _Identities("b")
        self.owners = _Identities("s")
        self.row_bytes: dict[str, bytes] = {}
        self.fingerprints: dict[tuple[Any, ...], int] = {}
        self.versions: dict[str, int | None] = {}  # block id -> the tensor's version counter last step
        self.blocks_seen: dict[str, Block] = {}  # block id -> its last Block (reused while it is unchanged)
        self.histories: dict[int, _History] = {}
        self.steps = 0
        self.started = False
        self.open_line: int | None = None
        self.open_code = 0
        self.open_lasti = -1
        self.open_error: str | None = None
        self.faults: list[str] = []
        self.stopped: str | None = None
        self._previous: Any = None
        self._installed = False

    # -- tracing ---------------------------------------------------------------------------------------------
    def run(self, execute: Callable[[], Any]) -> Any:
        """Call ``execute()`` with the tracer installed; the tracer that was set before is restored after."""
        __tracebackhide__ = True  # noqa: F841
        with self.tracing():
            return execute()

    @contextlib.contextmanager
    def tracing(self) -> Iterator[None]:
        previous = sys.gettrace()
        self._previous = previous
        filename = self.filename
        local = self._local

        if previous is None:

            def global_trace(frame: Any, event: Any, arg: Any) -> Any:
                code = frame.f_code
                if code.co_name == "<module>" and code.co_filename == filename:
                    return local
                return None

        else:

            def global_trace(frame: Any, event: Any, arg: Any) -> Any:
                # Another tracer (a debugger, coverage) keeps seeing everything it saw before.
                theirs = previous(frame, event, arg)
                code = frame.f_code
                if code.co_name == "<module>" and code.co_filename == filename:
                    return self._chained(theirs)
                return theirs

        sys.settrace(global_trace)
        self._installed = True
        try:
            yield
        finally:
            if sys.gettrace() is not global_trace and self.stopped is None:
                self.stopped = "replaced"  # the cell set its own tracer (pdb, another tool): steps after it are lost
            sys.settrace(previous)
            self._installed = False
            self._finish()

    def _chained(self, theirs: Any) -> Callable[..., Any]:
        def local(frame: Any, event: Any, arg: Any) -> Any:
            nonlocal theirs
            if theirs is not None:
                theirs = theirs(frame, event, arg)
            self._local(frame, event, arg)
            return local

        return local

    def _local(self, frame: Any, event: Any, arg: Any) -> Any:
        try:
            if event == "line":
                self._on_line(frame)
            elif event == "return":
                self._close(frame.f_locals)
            elif event == "exception":
                self.open_error = _error_text(arg[0], arg[1])
        except Exception as fault:  # noqa: BLE001 - never the user's cell: recorded, said once as a warning
            self.faults.append(_error_text(type(fault), fault))
        return self._local

    def _on_line(self, frame: Any) -> None:
        line = self.shape.statement_of.get(frame.f_lineno, frame.f_lineno)
        code = id(frame.f_code)
        lasti = frame.f_lasti
        if self.open_line == line and self.open_code == code and lasti > self.open_lasti:
            self.open_lasti = lasti  # the same statement, reported again for another of its lines
            return
        namespace = frame.f_locals
        if not self.started:
            self.started = True
            self._capture(namespace, baseline=True)  # what existed before the cell: not new
        else:
            self._close(namespace)
        self.open_line, self.open_code, self.open_lasti = line, code, lasti

    def _close(self, namespace: Mapping[str, Any]) -> None:
        """The open statement finished: its frame is the namespace as it is now."""
        line = self.open_line
        if line is None:
            return
        self.open_line = None
        error, self.open_error = self.open_error, None
        self.steps += 1
        history = self.histories.get(line)
        if history is None:
            history = self.histories[line] = _History()
        history.count += 1
        names, blocks, storages, changed_via = self._capture(namespace, line=line)
        frame = Frame(
            step=self.steps, line=line, source=self._statement_text(line), execution=history.count, names=names,
            blocks=blocks, storages=storages, error=error, changed_via=changed_via,
        )
        if history.count <= FIRST_KEPT:
            history.first.append(frame)
        else:
            history.last.append(frame)

    def _statement_text(self, line: int) -> str:
        last = self.shape.header_end.get(line, line)
        text = [self.lines[k - 1] if 0 < k <= len(self.lines) else "" for k in range(line, min(last, line + 2) + 1)]
        shown = "\n".join(text).strip("\n")
        return shown + (" …" if last > line + 2 else "")

    def _finish(self) -> None:
        """The identities and bytes kept while the cell ran are not needed afterwards."""
        self.open_line = None
        self.objects.clear()
        self.owners.clear()
        self.row_bytes.clear()
        self.fingerprints.clear()
        self.versions.clear()

    # -- one step's snapshot -----------------------------------------------------------------------------------
    def _capture(
        self, namespace: Mapping[str, Any], *, baseline: bool = False, line: int | None = None
    ) -> tuple[dict[str, str], dict[str, Block], dict[str, Storage], dict[str, tuple[str, ...]]]:
        with torch._C.DisableTorchFunction():
            return self._snapshot(namespace, baseline, line)

    def _snapshot(
        self, namespace: Mapping[str, Any], baseline: bool, line: int | None
    ) -> tuple[dict[str, str], dict[str, Block], dict[str, Storage], dict[str, tuple[str, ...]]]:
        values: list[Any] = []
        probes: list[Probe | None] = []
        idents: list[str] = []
        index_of: dict[int, int] = {}
        names: dict[str, str] = {}
        fresh: set[int] = set()
        get = namespace.get
        for name in self.watched:
            value = get(name, _MISSING)
            if not isinstance(value, _Tensor | _ndarray):
                continue
            index = index_of.get(id(value))
            if index is None:
                index = index_of[id(value)] = len(values)
                ident = self.objects.get(value)
                if ident is None:
                    ident = self.objects.add(value)
                    fresh.add(index)
                values.append(value)
                idents.append(ident)
                try:
                    probes.append(probe(value))
                except Exception as fault:  # noqa: BLE001 - an object we cannot read is drawn without memory
                    self.faults.append(_error_text(type(fault), fault))
                    probes.append(None)
            names[name] = idents[index]
        rows = self._rows(probes)
        row_of: dict[int, _Row] = {i: row for row in rows for i in row.members}
        storages: dict[str, Storage] = {}
        written_boxes: dict[str, set[int]] = {}
        new_fingerprints: dict[tuple[Any, ...], int] = {}
        for row in rows:
            storages[row.id] = self._storage(row, probes, written_boxes)
        blocks: dict[str, Block] = {}
        for index, p in enumerate(probes):
            ident = idents[index]
            block = self._block(ident, p, row_of.get(index), storages, written_boxes, new_fingerprints,
                                index in fresh)
            previous = self.blocks_seen.get(ident)
            if previous is not None and previous == block:
                block = previous  # unchanged: the frames share one object
            blocks[ident] = block
        # Only what this step saw is compared at the next: a loop that makes a new tensor per iteration keeps one.
        self.blocks_seen = blocks
        self.versions = {ident: self.versions[ident] for ident in blocks if ident in self.versions}
        self.row_bytes = {row.id: self.row_bytes[row.id] for row in rows if row.id in self.row_bytes}
        self.fingerprints = new_fingerprints
        values.clear()  # the only references this step took
        # A row that held a written block but whose bytes are not compared (over 64 boxes) changed too.
        for row in rows:
            storage = storages[row.id]
            if not storage.changed and any(blocks[idents[i]].written for i in row.members):
                storages[row.id] = _replace_storage(storage, changed=True)
        changed_via: dict[str, tuple[str, ...]] = {}
        if line is not None:
            mentioned = self.shape.mentioned.get(line, frozenset())
            for name, ident in names.items():
                block = blocks[ident]
                if not block.written or name in mentioned:
                    continue
                changed_via[name] = tuple(
                    other for other in names
                    if other in mentioned and other != name and blocks[names[other]].written
                    and blocks[names[other]].storage == block.storage and block.storage is not None
                )
        if baseline:
            return {}, {}, {}, {}
        return names, blocks, storages, changed_via

    def _rows(self, probes: list[Probe | None]) -> list[_Row]:
        """Objects grouped by the memory they lie in (overlapping allocations on one device are one row)."""
        spans = sorted(
            (p.device, p.region[0], p.region[1], index)
            for index, p in enumerate(probes)
            if p is not None and p.region is not None
        )
        rows: list[_Row] = []
        for device, start, end, index in spans:
            if rows and rows[-1].device == device and start < rows[-1].end:
                rows[-1].end = max(rows[-1].end, end)
                rows[-1].members.append(index)
            else:
                rows.append(_Row(device, start, end, [index]))
        for row in rows:
            owners = [probes[i].owner for i in row.members]  # type: ignore[union-attr]
            known = [ident for ident in (self.owners.get(o) for o in owners) if ident is not None]
            row.new = not known
            row.id = min(known, key=lambda s: int(s[1:])) if known else self.owners.add(owners[0])
            for owner in owners:
                if self.owners.get(owner) is None:
                    self.owners.add(owner, row.id)
            row.members.sort()  # the names' order: the first name's element type sets the boxes
        order = {index: position for position, index in enumerate(sorted(i for r in rows for i in r.members))}
        rows.sort(key=lambda r: order[r.members[0]])
        return rows

    def _storage(self, row: _Row, probes: list[Probe | None], written_boxes: dict[str, set[int]]) -> Storage:
        first = probes[row.members[0]]
        assert first is not None
        itemsize = first.itemsize or 1
        size = row.end - row.start
        dtype, decode, bfloat16 = first.dtype, first.decode, first.bfloat16
        if size % itemsize:
            itemsize, dtype, decode, bfloat16 = 1, "uint8", np.dtype(np.uint8), False
        length = size // itemsize
        values: tuple[Any, ...] | None = None
        written: tuple[int, ...] = ()
        if length <= SMALL and row.device == "cpu":
            data, numbers = read_row(row.start, length, decode, bfloat16)
            values = tuple(numbers) if numbers is not None else None
            before = self.row_bytes.get(row.id)
            if before is not None and not row.new:
                written = tuple(
                    k for k in range(length)
                    if data[k * itemsize:(k + 1) * itemsize] != before[k * itemsize:(k + 1) * itemsize]
                )
            self.row_bytes[row.id] = data
        written_boxes[row.id] = set(written)
        return Storage(
            id=row.id, device=row.device, dtype=dtype, itemsize=itemsize, nbytes=size, length=length, values=values,
            written=written, changed=bool(written), new=row.new,
        )

    def _block(
        self,
        ident: str,
        p: Probe | None,
        row: _Row | None,
        storages: dict[str, Storage],
        written_boxes: dict[str, set[int]],
        new_fingerprints: dict[tuple[Any, ...], int],
        fresh: bool,
    ) -> Block:
        if p is None:
            return Block(ident, "tensor", "?", (), None, 0, layout="unreadable", new=fresh)
        version_before = self.versions.get(ident, _MISSING)
        self.versions[ident] = p.version
        if row is None:
            return Block(
                ident, p.kind, p.dtype, p.shape, p.strides, p.storage_offset, device=p.device, numel=p.numel,
                nbytes=p.nbytes, values=read_values(p) if p.numel <= SMALL else None, new=fresh,
                requires_grad=p.requires_grad, layout=p.layout, contiguous=p.contiguous,
            )
        storage = storages[row.id]
        covered: tuple[int, ...] | None = None
        order: tuple[int, ...] | None = None
        span: tuple[int, int] | None = None
        if p.numel and p.address:
            low, high = p.span()
            box = storage.itemsize
            span = ((low - row.start) // box, (high - 1 - row.start) // box)
            if storage.small:
                found = element_offsets(p, row.start)
                if found is not None:
                    offsets, ordered = found
                    boxes = boxes_of(offsets, p.itemsize, box)
                    first_at: dict[int, int] = {}
                    for position, k in enumerate(boxes):
                        first_at.setdefault(k, position if ordered else -1)
                    covered = tuple(sorted(first_at))
                    if ordered:
                        per_element = max(1, p.itemsize // box)
                        order = tuple(first_at[k] // per_element for k in covered)
        exact = True
        if storage.small and storage.device == "cpu":
            written = bool(covered and written_boxes[row.id].intersection(covered))
        else:
            key = (row.id, p.address - row.start, p.shape, p.byte_strides, p.dtype)
            check = fingerprint(p)
            if check is not None:
                new_fingerprints[key] = check
                before = self.fingerprints.get(key)
                written = not row.new and before is not None and before != check
            else:
                exact = False
                written = (
                    p.version is not None and version_before is not _MISSING and version_before is not None
                    and version_before != p.version
                )
        return Block(
            ident, p.kind, p.dtype, p.shape, p.strides, p.storage_offset, device=p.device, numel=p.numel,
            nbytes=p.nbytes, storage=row.id, covered=covered, order=order, span=span,
            values=read_values(p) if p.numel <= SMALL else None, written=written, new=row.new, exact=exact,
            requires_grad=p.requires_grad, layout=p.layout, contiguous=p.contiguous,
        )

    # -- the result -------------------------------------------------------------------------------------------
    def timeline(self, language: str = "en", error: str | None = None) -> Timeline:
        frames = sorted(
            (frame for history in self.histories.values() for frame in (*history.first, *history.last)),
            key=lambda frame: frame.step,
        )
        return Timeline(
            source=self.source,
            lines=list(self.lines),
            frames=frames,
            steps_total=self.steps,
            executions={line: h.count for line, h in self.histories.items()},
            skipped={
                line: h.count - len(h.first) - len(h.last)
                for line, h in self.histories.items()
                if h.count > len(h.first) + len(h.last)
            },
            language=language,
            error=error,
        )


def _replace_storage(storage: Storage, **changes: Any) -> Storage:
    from dataclasses import replace

    return replace(storage, **changes)


def _error_text(kind: Any, error: Any) -> str:
    name = getattr(kind, "__name__", str(kind))
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 - an exception whose __str__ raises
        text = ""
    first = (text.strip().splitlines() or [""])[0][:300]
    return f"{name}: {first}" if first else name
