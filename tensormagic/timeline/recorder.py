"""Recording a timeline: a line tracer on the cell's own code, and a snapshot of the names it touches per step.

:class:`StepRecorder` installs a trace function (``sys.settrace``, chained to any tracer already set) that only
follows frames of the cell's top-level code (``<module>`` code compiled under the cell's file name); every other
frame gets no line events. When a statement of the cell finishes (the next statement starts, or the code object
returns), the names the cell touches are read (:mod:`.memory`, torch functions disabled, no torch op called).

A step is taken in two parts, because a loop runs its lines thousands of times and most of those steps are not kept:

- at every step, a cheap :class:`Record`: which names refer to which objects, each object's facts (read once per
  object, checked again by a few reads per step), the raw bytes of small memory, checksums of larger memory, torch's
  version counters;
- for the steps kept (each line's first :data:`~.model.FIRST_KEPT` and last :data:`~.model.LAST_KEPT` runs), the
  :class:`~.model.Frame` is built after the cell from its record and the state of the step before it (what was
  written, what is new): :mod:`.frames`.

Identity without references: objects and the owners of their memory are known by ``id()`` checked against a weak
reference (a dead object's id may be reused), so the recorder never keeps a tensor or an array alive.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .frames import frame_of
from .memory import FINGERPRINT_LIMIT, Probe, fingerprint, probe
from .model import FIRST_KEPT, LAST_KEPT, SMALL, Timeline
from .records import Record, Row, State, print_key
from .source import CellShape, shape_of

_Tensor = torch.Tensor
_ndarray = np.ndarray
_string_at = ctypes.string_at
_ARRAYS = (torch.Tensor, np.ndarray)
_no_torch_function = torch._C.DisableTorchFunction
#: Memory up to this many bytes is copied at every step (a row of at most 64 boxes of 16 bytes).
_ROW_BYTES = SMALL * 16
#: A small tensor in large memory: its elements' bytes are copied when they span at most this much.
_SPAN_BYTES = 1 << 16


@dataclass
class _History:
    """One line's runs: how many, the first few records and the last few."""

    count: int = 0
    first: list[Record] = field(default_factory=list)
    last: deque[Record] = field(default_factory=lambda: deque(maxlen=LAST_KEPT))


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
        self.statement_of = self.shape.statement_of
        self.watched = self.shape.names
        self.objects: dict[int, list[Any]] = {}  # id(obj) -> [weak ref, its facts, its version counter]
        self.owners: dict[int, tuple[weakref.ref[Any], str]] = {}  # id(owner of memory) -> (weak ref, row id)
        self.live_owners: dict[str, int] = {}  # row id -> how many of its owners are alive
        self.counts = [0, 0]  # blocks, rows named so far
        self.last_rows: list[Row] = []
        self.seen_rows: set[str] = set()  # ids of memory seen at an earlier step (or before the cell)
        self.last: Record | None = None
        self.last_signature: tuple[int, ...] = ()
        self.last_kinds: tuple[type, ...] = ()
        self.last_large = False  # some row of the last step is CPU memory too large to copy
        self.last_positions: list[int] = []  # where each of the last step's objects sits among the watched names
        self.histories: dict[int, _History] = {}
        self.steps = 0
        self.started = False
        self.open_line: int | None = None
        self.open_code = 0
        self.open_lasti = -1
        self.open_error: str | None = None
        self.faults: list[str] = []
        self.stopped: str | None = None
        self.interrupted = False

    # -- tracing ---------------------------------------------------------------------------------------------
    def run(self, execute: Callable[[], Any]) -> Any:
        """Call ``execute()`` with the tracer installed; the tracer that was set before is restored after."""
        __tracebackhide__ = True  # noqa: F841
        with self.tracing():
            return execute()

    @contextlib.contextmanager
    def tracing(self) -> Iterator[None]:
        previous = sys.gettrace()
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
        try:
            yield
        finally:
            if sys.gettrace() is not global_trace and self.stopped is None and not self.interrupted:
                self.stopped = "replaced"  # the cell set its own tracer (pdb, another tool): steps after it are lost
            sys.settrace(previous)
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
                line = self.statement_of.get(frame.f_lineno, frame.f_lineno)
                code = id(frame.f_code)
                lasti = frame.f_lasti
                if self.open_line == line and self.open_code == code and lasti > self.open_lasti:
                    self.open_lasti = lasti  # the same statement, reported again for another of its lines
                    return self._local
                if self.open_line is not None:
                    self._close(frame.f_locals)
                elif not self.started:
                    self.started = True
                    self._take(frame.f_locals)  # what existed before the cell: known, so not new at step 1
                self.open_line, self.open_code, self.open_lasti = line, code, lasti
            elif event == "return":
                self._close(frame.f_locals)
            elif event == "exception":
                self.open_error = _error_text(arg[0], arg[1])
        except Exception as fault:  # noqa: BLE001 - never the user's cell: recorded, said once as a warning
            self.faults.append(_error_text(type(fault), fault))
        except BaseException:  # an interrupt landing here is the user's: it stops the cell (and Python the tracer)
            self.interrupted = True
            raise
        return self._local

    def _close(self, namespace: Mapping[str, Any]) -> None:
        """The open statement finished: its step is the namespace as it is now."""
        line = self.open_line
        if line is None:
            return
        self.open_line = None
        error, self.open_error = self.open_error, None
        self.steps += 1
        history = self.histories.get(line)
        if history is None:
            history = self.histories[line] = _History()
        count = history.count = history.count + 1
        with _no_torch_function():
            record = self._record(namespace, line, count, error)
        if count <= FIRST_KEPT:
            history.first.append(record)
        else:
            history.last.append(record)

    def _finish(self) -> None:
        """The identities kept while the cell ran are not needed afterwards (and keep no object alive anyway)."""
        self.open_line = None
        self.objects.clear()
        self.owners.clear()
        self.live_owners.clear()
        self.last_rows = []
        self.last = None

    # -- one step's record (at every step: cheap) --------------------------------------------------------------
    def _take(
        self, namespace: Mapping[str, Any], line: int = 0, execution: int = 0, error: str | None = None
    ) -> Record:
        with _no_torch_function():
            return self._record(namespace, line, execution, error)

    def _record(self, namespace: Mapping[str, Any], line: int, execution: int, error: str | None) -> Record:
        # The hot path of a loop: every name the cell touches, at every step. An object's facts are read once and
        # hold while torch's version counter stays (in-place metadata changes such as t_() or resize_() count
        # too) or, for arrays, while shape and strides stay; memory is copied only where it is small.
        bound = list(map(namespace.get, self.watched))
        kinds = tuple(map(type, bound))
        last = self.last
        if last is not None and kinds == self.last_kinds:
            # The common case inside a loop, kept inline: the names refer to the objects of the step before (the
            # same types at the same names, each id found with the same facts) whose facts still hold, so only
            # memory is read again.
            state = last.state
            versions_now = self._unchanged(bound, state)
            if versions_now is not None:
                rows = state.rows
                data = [_string_at(row.start, row.end - row.start) if row.small else None for row in rows]
                prints: dict[tuple[Any, ...], int] = {}
                spans: dict[int, bytes] = {}
                if self.last_large:
                    for row in rows:
                        if not row.small and row.device == "cpu":
                            self._read_large(row, state.objects, prints, spans)
                record = Record(
                    self.steps, line, execution, error, last.names, [],
                    State(state.objects, versions_now, rows, data, (), prints, spans), state,
                )
                self.last = record
                return record
        known = self.objects.get
        index_of: dict[int, int] = {}
        objects: list[Probe] = []
        versions: list[int | None] = []
        names: list[tuple[str, int]] = []
        fresh: list[str] = []
        positions: list[int] = []
        for position, name in enumerate(self.watched):
            value: Any = bound[position]
            kind = value.__class__
            if kind is _Tensor:
                tensor = True
            elif kind is _ndarray:
                tensor = False
            elif not isinstance(value, _ARRAYS):
                continue
            else:
                tensor = isinstance(value, _Tensor)
            key = id(value)
            index = index_of.get(key)
            if index is not None:
                names.append((name, index))
                continue
            entry = known(key)
            if entry is not None and entry[0]() is not value:
                entry = None
            if tensor:
                try:
                    version: int | None = value._version
                except RuntimeError:  # inference tensors keep no version counter
                    version = None
                if entry is not None and version is not None and entry[2] == version and (
                    entry[1].requires_grad == value.requires_grad
                ):
                    facts = entry[1]
                else:
                    try:
                        check: tuple[Any, ...] = (value.data_ptr(), value.shape, value.stride(), value.requires_grad)
                    except Exception:  # noqa: BLE001 - no data pointer or strides (nested, sparse, wrapped)
                        check = ("opaque", value.layout, value.dtype, value.requires_grad)
                    facts = self._facts(value, entry, check, fresh, objects)
                    known_entry = self.objects.get(key)
                    if known_entry is not None:
                        known_entry[2] = version
                versions.append(version)
            else:
                check = (value.shape, value.strides)
                facts = entry[1] if entry is not None and entry[1].key == check else self._facts(
                    value, entry, check, fresh, objects
                )
                versions.append(None)
            index_of[key] = len(objects)
            names.append((name, len(objects)))
            objects.append(facts)
            positions.append(position)
        self.last_kinds = kinds
        self.last_positions = positions
        signature = tuple(map(id, objects))
        new_rows: tuple[str, ...] = ()
        if last is not None and signature == self.last_signature:
            rows = last.state.rows  # the same objects with the same facts as the step before: the same rows
        else:
            rows, new_rows = self._rows(objects)
            self.last_signature = signature
            self.last_rows = rows
            self.last_large = any(not row.small and row.device == "cpu" for row in rows)
        state = self._read(objects, versions, rows, new_rows)
        record = Record(
            self.steps, line, execution, error, names, fresh, state, last.state if last is not None else None
        )
        self.last = record
        return record

    def _read(
        self, objects: list[Probe], versions: list[int | None], rows: list[Row], new_rows: tuple[str, ...]
    ) -> State:
        """What one step reads of memory: a copy of small rows, the elements or a checksum of larger ones."""
        data: list[bytes | None] = []
        prints: dict[tuple[Any, ...], int] = {}
        spans: dict[int, bytes] = {}
        for row in rows:
            if row.small:
                data.append(_string_at(row.start, row.end - row.start))
                continue
            data.append(None)
            if row.device == "cpu":
                self._read_large(row, objects, prints, spans)
        return State(objects, versions, rows, data, new_rows, prints, spans)

    def _unchanged(self, bound: list[Any], state: State) -> list[int | None] | None:
        """The objects' version counters when the names refer to the same objects as at the step before and their
        facts still hold (no re-read needed); None otherwise."""
        known = self.objects.get
        versions: list[int | None] = []
        for facts, position in zip(state.objects, self.last_positions, strict=True):
            value = bound[position]
            entry = known(id(value))
            if entry is None or entry[0]() is not value or entry[1] is not facts:
                return None
            if facts.kind == "tensor":
                try:
                    version = value._version
                except RuntimeError:
                    return None
                if value.requires_grad != facts.requires_grad or version != entry[2] and (
                    (value.data_ptr(), value.shape, value.stride(), facts.requires_grad) != facts.key
                ):
                    return None
                entry[2] = version
                versions.append(version)
            else:
                if (value.shape, value.strides) != facts.key:
                    return None
                versions.append(None)
        return versions

    def _facts(
        self, value: Any, entry: list[Any] | None, check: tuple[Any, ...], fresh: list[str], current: list[Probe]
    ) -> Probe:
        """The object's facts, read again only when ``check`` differs from what they were read with."""
        if entry is not None and entry[1].key == check:
            return entry[1]  # written to, but the same shape, strides and memory
        if entry is None:
            facts = self._probe(value, check, None, current)
            fresh.append(facts.ident)
            return facts
        return self._probe(value, check, entry[1].ident, current)

    @staticmethod
    def _read_large(
        row: Row, objects: list[Probe], prints: dict[tuple[Any, ...], int], spans: dict[int, bytes]
    ) -> None:
        """Memory too large to copy: small objects' own elements are copied, larger ones checksummed."""
        for index in row.members:
            facts = objects[index]
            if not facts.numel or not facts.address:
                continue
            if facts.numel <= SMALL:
                low, high = facts.span()
                if high - low <= _SPAN_BYTES:
                    spans[index] = _string_at(low, high - low)
                    continue
            if facts.nbytes <= FINGERPRINT_LIMIT:
                check_sum = fingerprint(facts)
                if check_sum is not None:
                    prints[print_key(row, facts)] = check_sum

    def _probe(self, value: Any, check: tuple[Any, ...], ident: str | None, current: list[Probe]) -> Probe:
        """Read an object's facts (first sight, or its metadata changed); give it and its memory their ids."""
        try:
            facts = probe(value)
        except Exception as fault:  # noqa: BLE001 - an object we cannot read is drawn without memory
            self.faults.append(_error_text(type(fault), fault))
            facts = None
        if facts is None:
            facts = Probe("tensor", "?", None, False, 0, (), (), 0, "cpu", 0, 0, None, None, None, False,
                          "unreadable", True)
        if ident is None:
            self.counts[0] += 1
            ident = f"b{self.counts[0]}"
        facts.ident = ident
        facts.key = check
        owner, facts.owner = facts.owner, None
        if owner is not None and facts.region is not None:
            facts.owner_id = self._owner_id(owner, facts.device, facts.region, current)
        key = id(value)
        known = self.objects

        def forget(_: Any, key: int = key) -> None:
            entry = known.get(key)
            if entry is not None and entry[0]() is None:
                del known[key]

        try:  # (not contextlib.suppress: this runs for every new object of a loop, and try costs nothing)
            reference = weakref.ref(value, forget)
        except TypeError:  # not weak-referenceable: read afresh at every step
            return facts
        known[key] = [reference, facts, None]
        return facts

    def _owner_id(self, owner: Any, device: str, region: tuple[int, int], current: list[Probe]) -> str:
        """The id of the memory ``owner`` keeps alive: its own, or that of the live memory it overlaps.

        A tensor made from a drawn array (``torch.from_numpy(n1)``) owns its storage object, but its memory is the
        array's: it takes the id of the memory it overlaps, among this step's objects and the rows of the step
        before that are still alive.
        """
        entry = self.owners.get(id(owner))
        if entry is not None and entry[0]() is owner:
            return entry[1]
        row_id = ""
        start, end = region
        for facts in current:
            other = facts.region
            if other is not None and facts.device == device and other[0] < end and start < other[1]:
                row_id = facts.owner_id
                break
        if not row_id:
            for row in self.last_rows:
                if row.device == device and row.start < end and start < row.end and self.live_owners.get(row.id):
                    row_id = row.id
                    break
        if not row_id:
            self.counts[1] += 1
            row_id = f"s{self.counts[1]}"
        key = id(owner)
        owners, live = self.owners, self.live_owners

        def forget(_: Any, key: int = key, row_id: str = row_id) -> None:
            entry = owners.get(key)
            if entry is not None and entry[0]() is None:
                del owners[key]
                live[row_id] = live.get(row_id, 1) - 1

        try:
            self.owners[key] = (weakref.ref(owner, forget), row_id)
        except TypeError:  # not weak-referenceable: a new id at every sight
            return row_id
        self.live_owners[row_id] = self.live_owners.get(row_id, 0) + 1
        return row_id

    def _rows(self, objects: list[Probe]) -> tuple[list[Row], tuple[str, ...]]:
        """The step's objects grouped by the memory they lie in (in the order of each one's first name), and the
        ids of those seen for the first time."""
        groups: dict[str, Row] = {}
        for index, facts in enumerate(objects):
            region = facts.region
            if region is None:
                continue
            row = groups.get(facts.owner_id)
            if row is None:
                groups[facts.owner_id] = Row(facts.owner_id, facts.device, region[0], region[1], [index])
            else:
                row.members.append(index)
                if region[0] < row.start:
                    row.start = region[0]
                if region[1] > row.end:
                    row.end = region[1]
        seen = self.seen_rows
        rows = list(groups.values())
        new: list[str] = []
        for row in rows:
            if row.id not in seen:
                new.append(row.id)
                seen.add(row.id)
            size = row.end - row.start
            row.small = row.device == "cpu" and size <= _ROW_BYTES and (
                size // (objects[row.members[0]].itemsize or 1) <= SMALL
            )
        return rows, tuple(new)

    # -- the frames (after the cell, for the kept steps only) -------------------------------------------------
    def timeline(self, language: str = "en", error: str | None = None) -> Timeline:
        records = sorted(
            (record for history in self.histories.values() for record in (*history.first, *history.last)),
            key=lambda record: record.step,
        )
        frames = []
        for record in records:
            try:
                frames.append(frame_of(
                    record, self.shape.mentioned.get(record.line, frozenset()), self._statement_text(record.line)
                ))
            except Exception as fault:  # noqa: BLE001 - a step we cannot draw is left out and said
                self.faults.append(_error_text(type(fault), fault))
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

    def _statement_text(self, line: int) -> str:
        last = self.shape.header_end.get(line, line)
        text = [self.lines[k - 1] if 0 < k <= len(self.lines) else "" for k in range(line, min(last, line + 2) + 1)]
        shown = "\n".join(text).strip("\n")
        return shown + (" …" if last > line + 2 else "")


def _row_number(row_id: str) -> int:
    return int(row_id[1:])


def _first_member(row: Row) -> int:
    return row.members[0]


def _error_text(kind: Any, error: Any) -> str:
    name = getattr(kind, "__name__", str(kind))
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 - an exception whose __str__ raises
        text = ""
    first = (text.strip().splitlines() or [""])[0][:300]
    return f"{name}: {first}" if first else name


__all__ = ["StepRecorder"]
