"""The claims checker: every note's claims against ground truth taken, independently, at the moment of the call.

A :class:`Witness` is the recorder's observer: before and after the first call of every site it writes down, with
its own code (never tensormagic's), the facts of the arguments and the result (dtype, shape, element byte range,
``_version``, small values), the names bound in the cell's namespace and what they refer to, whether the call
raised, the default dtype, the seed and whether the default generator moved. A line tracer adds a snapshot of the
namespace at every line of the cell, so a claim about the state once a statement finished (``t1`` and ``n1`` now
share memory) is checked against the namespace right after that statement. The witness keeps data only: no
reference to a user object outlives the call it watches.

:func:`check` compares every claim of every note of an explanation with that truth and returns one line per false
claim; :func:`explain_checked` runs a cell under :func:`tensormagic.explain` with a witness and returns the
explanation and those lines.
"""

from __future__ import annotations

import contextlib
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

import tensormagic as tm
from tensormagic.explanation import Claim, Explanation

_VALUES = 64  # elements: smaller tensors and arrays have their values written down


@dataclass
class Obj:
    """What the witness saw of one object."""

    ident: int
    kind: str  # "tensor" | "ndarray" | "number" | "bool" | "tuple" | "list" | "none" | "other"
    dtype: str = ""
    shape: tuple[int, ...] = ()
    numel: int = 0
    span: tuple[int, int] | None = None  # byte range of its elements: [start, end)
    version: int | None = None
    contiguous: bool = True
    values: list[Any] | None = None
    value: Any = None
    items: list[Obj] = field(default_factory=list)


def _normal(dtype: str) -> str:
    return dtype.removeprefix("torch.")


def observe(value: Any, depth: int = 0) -> Obj:
    """The witness's own description of ``value`` (no tensormagic code involved)."""
    ident = id(value)
    if isinstance(value, torch.Tensor):
        try:
            with torch._C.DisableTorchFunctionSubclass():
                return _observe_tensor(value, ident)
        except Exception:  # noqa: BLE001 - a tensor the witness cannot read (nested, a hostile subclass)
            return Obj(ident, "other")
    if isinstance(value, np.ndarray):
        return _observe_array(value, ident)
    if isinstance(value, bool):
        return Obj(ident, "bool", value=value)
    if isinstance(value, int | float | complex):
        return Obj(ident, "number", value=value)
    if value is None:
        return Obj(ident, "none")
    if isinstance(value, tuple | list) and depth == 0:
        return Obj(ident, "tuple" if isinstance(value, tuple) else "list", items=[observe(v, 1) for v in value[:16]])
    return Obj(ident, "other")


def _observe_tensor(t: torch.Tensor, ident: int) -> Obj:
    obj = Obj(ident, "tensor", dtype=str(t.dtype), shape=tuple(t.shape), numel=t.numel())
    if t.layout != torch.strided or t.is_quantized or getattr(t, "is_nested", False):
        return obj
    with contextlib.suppress(RuntimeError):  # inference tensors have no version counter
        obj.version = t._version
    obj.contiguous = t.is_contiguous()
    if t.device.type == "meta" or not t.numel():
        return obj
    try:  # a tensor wrapped by grad/vmap has no data pointer: its memory is not what a note speaks of
        start = t.data_ptr()
    except RuntimeError:
        return obj
    itemsize = t.element_size()
    low = sum(min(0, (size - 1) * stride) for size, stride in zip(t.shape, t.stride(), strict=True))
    high = sum(max(0, (size - 1) * stride) for size, stride in zip(t.shape, t.stride(), strict=True))
    obj.span = (start + low * itemsize, start + high * itemsize + itemsize)
    if t.numel() <= _VALUES and t.device.type == "cpu":
        with contextlib.suppress(RuntimeError):
            obj.values = t.detach().reshape(-1).tolist()
    return obj


def _observe_array(a: np.ndarray, ident: int) -> Obj:
    obj = Obj(ident, "ndarray", dtype=str(a.dtype), shape=tuple(a.shape), numel=a.size)
    obj.contiguous = bool(a.flags.c_contiguous)
    if a.size:
        start = a.__array_interface__["data"][0]
        low = sum(min(0, (size - 1) * stride) for size, stride in zip(a.shape, a.strides, strict=True))
        high = sum(max(0, (size - 1) * stride) for size, stride in zip(a.shape, a.strides, strict=True))
        obj.span = (start + low, start + high + a.itemsize)
        if a.size <= _VALUES and not isinstance(a, np.ma.MaskedArray):
            obj.values = a.reshape(-1).tolist()
    return obj


def _namespace(frame: Any) -> dict[str, Any]:
    names = dict(frame.f_globals)
    names.update(frame.f_locals)
    return names


def snapshot(frame: Any) -> dict[str, Obj]:
    return {
        name: observe(value)
        for name, value in _namespace(frame).items()
        if isinstance(value, torch.Tensor | np.ndarray) and not name.startswith("__")
    }


@dataclass
class Record:
    """The truth about one recorded site's first call."""

    order: int
    args: dict[str, Obj] = field(default_factory=dict)
    before: dict[str, Obj] = field(default_factory=dict)
    after: dict[str, Obj] = field(default_factory=dict)
    later: dict[str, Obj] | None = None  # the namespace once the statement finished
    result: Obj | None = None
    raised: bool | None = None
    error_type: str = ""
    default_dtype: str = ""
    seed: int = 0
    rng_moved: bool | None = None
    result_type: str | None = None
    versions_after: dict[str, int | None] = field(default_factory=dict)  # arguments' _version after the call
    event: int = 0


class Witness:
    """Observer of a :class:`tensormagic.record.Recorder`: the truth at every first call, plus line snapshots."""

    def __init__(self) -> None:
        self.records: dict[int, Record] = {}
        self.lines: list[tuple[int, dict[str, Obj]]] = []  # (event number, namespace after the previous line)
        self.events = 0
        self._rng: bytes = b""
        self._args: tuple[Any, ...] = ()
        self._kwargs: dict[str, Any] = {}

    # -- the recorder's observer protocol -------------------------------------------------------------------------
    def before(self, site: Any, frame: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        with _unrecorded():
            self._before(site, frame, args, kwargs)

    def after(self, site: Any, frame: Any, result: Any, error: BaseException | None) -> None:
        with _unrecorded():
            self._after(site, frame, result, error)

    def _before(self, site: Any, frame: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        record = Record(site.order)
        record.args = {f"arg{i}": observe(a) for i, a in enumerate(args)}
        record.args.update({f"kw:{k}": observe(v) for k, v in kwargs.items()})
        record.before = snapshot(frame)
        record.default_dtype = str(torch.get_default_dtype())
        record.result_type = _result_type(site, args)
        self._rng = _rng_state()
        self._args, self._kwargs = args, kwargs  # held for this one call only
        self.records[site.order] = record

    def _after(self, site: Any, frame: Any, result: Any, error: BaseException | None) -> None:
        record = self.records.get(site.order)
        if record is None:
            return
        record.raised = error is not None
        record.error_type = type(error).__name__ if error is not None else ""
        record.result = observe(result)
        record.after = snapshot(frame)
        record.rng_moved = _rng_state() != self._rng
        record.seed = torch.initial_seed()  # the seed in force once the call ran (``manual_seed`` sets it)
        for key, value in [
            *((f"arg{i}", a) for i, a in enumerate(self._args)),
            *((f"kw:{k}", v) for k, v in self._kwargs.items()),
        ]:
            if isinstance(value, torch.Tensor) and value.layout == torch.strided and not value.is_quantized:
                with contextlib.suppress(RuntimeError):
                    record.versions_after[key] = value._version
        self._args, self._kwargs = (), {}
        self.events += 1
        record.event = self.events

    def settle(self) -> None:
        """Give every record the namespace as it was once its statement finished (the next line's snapshot)."""
        for record in self.records.values():
            record.later = next((snap for event, snap in self.lines if event > record.event), None)


@contextlib.contextmanager
def _unrecorded() -> Iterator[None]:
    """The witness's own torch calls: never seen by the recorder's modes nor by user subclasses."""
    from torch.utils._python_dispatch import _disable_current_modes

    with torch._C.DisableTorchFunction(), _disable_current_modes():
        yield


def _rng_state() -> bytes:
    with torch._C._DisableFuncTorch():  # inside ``grad``/``vmap`` the state tensor would be wrapped
        return bytes(torch.get_rng_state().numpy().tobytes())


def _result_type(site: Any, args: tuple[Any, ...]) -> str | None:
    """torch's own promotion of the call's first two tensor/number operands (``where``: not the condition)."""
    operands = list(args)
    if getattr(site.func, "__name__", "") == "where":
        operands = operands[1:]
    chosen = [
        a
        for a in operands
        if isinstance(a, torch.Tensor) or (isinstance(a, int | float | complex) and not isinstance(a, bool))
    ][:2]
    if len(chosen) != 2:
        return None
    try:
        return str(torch.result_type(chosen[0], chosen[1]))
    except Exception:  # noqa: BLE001
        return None


# -- checking --------------------------------------------------------------------------------------------------------
def _overlap(a: Obj | None, b: Obj | None) -> bool:
    if a is None or b is None or a.span is None or b.span is None:
        return False
    return a.span[0] < b.span[1] and b.span[0] < a.span[1]


def _close(x: float, y: float) -> bool:
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return abs(x - y) <= 1e-6 * max(abs(x), abs(y)) + 1e-6


class Truth:
    """Resolves claim subjects for one record."""

    def __init__(self, record: Record) -> None:
        self.record = record

    def get(self, subject: str, when: str = "call", moment: str = "after") -> Obj | None:
        record = self.record
        if subject == "result":
            result = record.result
            if result is not None and result.kind == "tuple" and result.items:
                return result.items[0]
            return result
        if subject.startswith(("arg", "kw:")):
            return record.args.get(subject)
        if subject.startswith("name:"):
            name = subject.removeprefix("name:")
            if when == "statement":
                return (record.later or {}).get(name)
            return (record.before if moment == "before" else record.after).get(name)
        return None


def check_claim(claim: Claim, record: Record) -> str | None:
    """None if the claim holds, else what is wrong."""
    truth = Truth(record)
    kind, subject, value = claim.kind, claim.subject, claim.value
    if kind == "raised":
        return None if record.raised == value else f"raised is {record.raised}"
    if record.raised and kind not in (
        "unchanged",
        "error-type",
        "shape",
        "numel",
        "item-shapes",
        "contiguous",
        "dtype",
        "broadcast-fails",
        "has-method",
        "bound",
    ):
        return "the call raised, but the note presumes it worked"
    if kind == "error-type":
        return None if record.error_type == value else f"error type is {record.error_type}"
    if kind in ("default-dtype",):
        return None if _normal(record.default_dtype) == _normal(value) else f"default dtype is {record.default_dtype}"
    if kind == "seed":
        return None if record.seed == value else f"seed in force was {record.seed}"
    if kind == "rng-advanced":
        return None if record.rng_moved == value else f"default generator moved: {record.rng_moved}"
    if kind == "result-type":
        return (
            None
            if record.result_type is not None and _normal(record.result_type) == _normal(value)
            else f"torch.result_type gives {record.result_type}"
        )
    if kind == "broadcast-fails":
        try:
            torch.broadcast_shapes(tuple(value[0]), tuple(value[1]))
        except RuntimeError:
            return None
        return "those shapes broadcast"
    if kind == "borrowed":
        return None  # checked below: the result exists and is a tensor
    if kind == "has-method":
        return None if hasattr(torch.Tensor, value) else f"torch.Tensor has no {value}"
    if kind == "float16-range":
        info = torch.finfo(torch.float16)
        return (
            None
            if info.max == value[0] and info.resolution == 10.0 ** -value[1]
            else f"float16: max {info.max}, resolution {info.resolution}"
        )
    if kind == "truncates":
        dtype = getattr(torch, _normal(subject))
        wrong = [(x, y) for x, y in value if torch.tensor([x], dtype=torch.float64).to(dtype).item() != y]
        return None if not wrong else f"{wrong} do not convert so"
    if kind == "nearest":
        dtype = getattr(torch, _normal(subject))
        short, full = value
        return None if torch.tensor(float(short), dtype=dtype).item() == full else f"{short} in {subject} is not {full}"
    obj = truth.get(subject, claim.when, "before" if kind in ("written", "unchanged") else "after")
    if obj is None:
        return f"{subject} is not bound to a tensor or array at that moment"
    if kind == "bound":
        return None
    if kind == "dtype":
        return None if _normal(obj.dtype) == _normal(value) else f"{subject} dtype is {obj.dtype}"
    if kind == "dtype-kind":
        return None if (value == "int" and ("int" in obj.dtype)) else f"{subject} dtype is {obj.dtype}"
    if kind == "shape":
        return None if tuple(obj.shape) == tuple(value) else f"{subject} shape is {obj.shape}"
    if kind == "numel":
        return None if obj.numel == value else f"{subject} has {obj.numel} elements"
    if kind == "zero-dim":
        return None if obj.shape == () else f"{subject} has shape {obj.shape}"
    if kind == "contiguous":
        return None if obj.contiguous == value else f"{subject} contiguous is {obj.contiguous}"
    if kind == "value":
        return (
            None
            if obj.value == value or (isinstance(value, float) and _close(obj.value, value))
            else f"value is {obj.value}"
        )
    if kind == "result-count":
        result = record.result
        count = len(result.items) if result is not None else 0
        return None if count == value else f"result has {count} parts"
    if kind == "item-shapes":
        shapes = tuple(tuple(item.shape) for item in obj.items)
        return None if shapes == tuple(tuple(s) for s in value) else f"shapes are {shapes}"
    if kind in ("shares", "independent", "same-object"):
        other = truth.get(value, "call")
        if other is None:
            return f"{value} is not bound to a tensor or array at that moment"
        if kind == "same-object":
            return None if obj.ident == other.ident else f"{subject} and {value} are different objects"
        overlap = _overlap(obj, other)
        if kind == "shares":
            return None if overlap else f"{subject} and {value} do not share memory"
        return None if not overlap else f"{subject} and {value} share memory"
    if kind == "unshared":
        sharing = [name for name, other in record.after.items() if _overlap(obj, other)]
        return None if not sharing else f"shares memory with {sharing}"
    if kind == "written":
        target = record.args.get("kw:out") or record.args.get("arg0")
        if record.raised:
            return "the call raised: nothing was written"
        return None if _overlap(obj, target) else f"{subject}'s memory is not what the call wrote"
    if kind == "unchanged":
        key = next((k for k, v in record.args.items() if v.ident == obj.ident), None)
        after = record.versions_after.get(key) if key else None
        if after is not None and obj.version is not None and after != obj.version:
            return f"{subject} changed (version {obj.version} -> {after})"
        return None
    if kind == "fits":
        other = truth.get(value)
        return None if other is not None and obj.shape == other.shape and obj.dtype == other.dtype else "does not fit"
    if kind == "reduced":
        shape, axes, keepdim = value
        expected = _reduced(tuple(shape), axes, keepdim)
        return (
            None if obj.shape == expected else f"result shape {obj.shape}, reducing {axes} of {shape} gives {expected}"
        )
    if kind == "broadcast":
        a, b = value
        expected = tuple(torch.broadcast_shapes(tuple(a), tuple(b)))
        return None if obj.shape == expected else f"broadcast of {a} and {b} is {expected}, result {obj.shape}"
    if kind == "stretched":
        result = record.result
        if result is None:
            return "no result"
        width = len(result.shape)
        aligned = (1,) * (width - len(obj.shape)) + tuple(obj.shape)
        wrong = [axis for axis in value if aligned[axis] != 1 or result.shape[axis] == 1]
        return None if not wrong else f"axes {wrong} are not stretched"
    if kind == "matmul":
        a, b = value
        expected = tuple(torch.matmul(torch.empty(a, device="meta"), torch.empty(b, device="meta")).shape)
        return None if obj.shape == expected else f"matmul of {a} and {b} gives {expected}"
    if kind == "linear":
        x, w = value
        expected = tuple(x[:-1]) + (w[0],)
        return None if obj.shape == expected else f"linear gives {expected}"
    if kind == "window":
        expected = _window(value)
        return None if expected is None or obj.shape == expected else f"the layer gives {expected}"
    if kind == "same-size":
        source = record.args.get("arg0")
        sides = int(value)
        return None if source is not None and obj.shape[-sides:] == source.shape[-sides:] else "sizes differ"
    if kind == "first-values":
        values = obj.values or []
        return (
            None
            if len(values) >= len(value)
            and all(_close(float(x), float(y)) for x, y in zip(values, value, strict=False))
            else f"values start {values[: len(value)]}"
        )
    if kind == "below":
        end, step = value
        values = obj.values
        if values is None:
            return None
        ok = all(v < end for v in values) if step > 0 else all(v > end for v in values)
        return None if ok else f"values reach {end}"
    if kind == "within":
        low, high = value
        values = obj.values
        return None if values is None or all(low <= v < high for v in values) else f"values outside [{low}, {high})"
    if kind == "ends":
        values = obj.values
        start, end = value
        return (
            None
            if values is None or (_close(values[0], float(start)) and _close(values[-1], float(end)))
            else f"ends are {values[0]}, {values[-1]}"
        )
    if kind == "converted":
        source = record.args.get("arg0")
        before, after = (source.values if source else None), obj.values
        if before is None or after is None:
            return None
        pairs = list(zip(before, after, strict=False))
        return (
            None
            if all(
                p == tuple(v) or (isinstance(p[1], float) and _close(p[1], v[1]) and p[0] == v[0])
                for p, v in zip(pairs, value, strict=False)
            )
            else f"values {pairs} differ from {value}"
        )
    return f"unknown claim kind {kind!r}"


def _reduced(shape: tuple[int, ...], axes: tuple[int, ...] | None, keepdim: bool) -> tuple[int, ...]:
    if axes is None:
        return ()
    if keepdim:
        return tuple(1 if i in axes else n for i, n in enumerate(shape))
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _window(value: tuple[Any, ...]) -> tuple[int, ...] | None:
    op, shape_in, weight, kernel, stride, padding, dilation, ceil = value
    x = torch.empty(shape_in, device="meta")
    if op.startswith("conv"):
        function = getattr(F, op)
        groups = shape_in[-len(kernel) - 1] // weight[1] if weight[1] else 1
        return tuple(function(x, torch.empty(weight, device="meta"), None, stride, padding, dilation, groups).shape)
    function = getattr(F, op)
    if op.startswith("max"):
        return tuple(function(x, kernel, stride, padding, dilation, ceil_mode=ceil).shape)
    return tuple(function(x, kernel, stride, padding, ceil_mode=ceil).shape)


def check(explanation: Explanation, witness: Witness) -> list[str]:
    """One line per false claim (and per note that asserts nothing checkable)."""
    problems: list[str] = []
    for step in explanation.steps:
        for call in step.calls:
            for note in call.notes:
                if not note.claims:
                    problems.append(f"line {step.line} {call.name}: note {note.key} carries no claim: {note.text}")
                for claim in note.claims:
                    record = witness.records.get(claim.site)
                    if record is None:
                        problems.append(f"line {step.line} {call.name}: no witness for {note.key}")
                        continue
                    try:
                        wrong = check_claim(claim, record)
                    except Exception as error:  # noqa: BLE001 - a checker fault is a failure to report, not a crash
                        wrong = f"checker failed: {type(error).__name__}: {error}"
                    if wrong is not None:
                        problems.append(
                            f"line {step.line} {call.name}: {note.key} claims {claim.kind}({claim.subject}, "
                            f"{claim.value!r}) but {wrong}. Note: {note.text}"
                        )
    return problems


_COUNTER = iter(range(1, 1 << 30))


def explain_checked(
    source: str, namespace: dict[str, Any], language: str = "en"
) -> tuple[Explanation, list[str], BaseException | None]:
    """Run ``source`` under ``tm.explain`` with a witness; (explanation, false claims, the cell's error)."""
    witness = Witness()
    error: BaseException | None = None
    with _tracing_explain_files(witness):
        try:
            explanation = tm.explain(source, namespace, language, observer=witness)
        except (Exception, SystemExit) as raised:  # noqa: BLE001 - the cell's own error: its explanation is attached
            error = raised
            explanation = raised.tensormagic_explanation  # type: ignore[union-attr]
    witness.settle()
    return explanation, check(explanation, witness), error


@contextlib.contextmanager
def _tracing_explain_files(witness: Witness) -> Iterator[None]:
    """Line snapshots in code compiled by ``tm.explain`` (its file names start ``<tensormagic-explain-``)."""

    def local(frame: Any, event: str, arg: Any) -> Any:
        if event in ("line", "return"):
            witness.events += 1
            with _unrecorded():
                witness.lines.append((witness.events, snapshot(frame)))
        return local

    def global_trace(frame: Any, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename.startswith("<tensormagic-explain-"):
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(global_trace)
    try:
        yield
    finally:
        sys.settrace(previous)
