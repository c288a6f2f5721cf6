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
    requires_grad: bool = False
    grad_fn: str | None = None
    has_grad: bool = False
    grad_shape: tuple[int, ...] | None = None
    parameters: list[tuple[bool, bool]] = field(default_factory=list)  # a model/optimizer's: (has .grad, .grad all 0)


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
    if isinstance(value, torch.nn.Module | torch.optim.Optimizer):
        return _observe_owner(value, ident)
    if isinstance(value, tuple | list) and depth == 0:
        return Obj(ident, "tuple" if isinstance(value, tuple) else "list", items=[observe(v, 1) for v in value[:16]])
    return Obj(ident, "other")


def _observe_tensor(t: torch.Tensor, ident: int) -> Obj:
    obj = Obj(ident, "tensor", dtype=str(t.dtype), shape=tuple(t.shape), numel=t.numel())
    obj.requires_grad = t.requires_grad
    obj.grad_fn = type(t.grad_fn).__name__ if t.grad_fn is not None else None
    if t.is_leaf or t.retains_grad:  # a non-leaf's .grad is None (and reading it warns)
        grad = t.grad
        obj.has_grad = grad is not None
        obj.grad_shape = tuple(grad.shape) if grad is not None else None
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


def _parameters(owner: Any) -> list[torch.Tensor]:
    if isinstance(owner, torch.optim.Optimizer):
        return [p for group in owner.param_groups for p in group["params"]]
    return list(owner.parameters())


def _observe_owner(owner: Any, ident: int) -> Obj:
    obj = Obj(ident, "optimizer" if isinstance(owner, torch.optim.Optimizer) else "module", value=type(owner).__name__)
    for p in _parameters(owner):
        grad = p.grad
        obj.parameters.append((grad is not None, grad is not None and not bool(grad.detach().any())))
    return obj


def _path(root: str, dotted: str) -> str:
    """``model`` and ``0.weight`` -> ``model[0].weight`` (the witness's own spelling of a parameter's path)."""
    parts = [f"[{p}]" if p.isdigit() else f".{p}" for p in dotted.split(".")] if dotted else []
    return root + "".join(parts)


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
    found: dict[str, Obj] = {}
    for name, value in _namespace(frame).items():
        if name.startswith("__"):
            continue
        if isinstance(value, torch.Tensor | np.ndarray):
            found[name] = observe(value)
        elif isinstance(value, torch.nn.Module):
            for dotted, parameter in value.named_parameters():
                found.setdefault(_path(name, dotted), observe(parameter))
    return found


def modules(frame: Any) -> dict[str, tuple[str, int]]:
    """Every module of the cell's models by path: (type name, its own parameters' elements)."""
    found: dict[str, tuple[str, int]] = {}
    for name, value in _namespace(frame).items():
        if isinstance(value, torch.nn.Module) and not name.startswith("_"):
            for dotted, module in value.named_modules():
                own = sum(p.numel() for p in module.parameters(recurse=False))
                found.setdefault(_path(name, dotted), (type(module).__name__, own))
    return found


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
    modules: dict[str, tuple[str, int]] = field(default_factory=dict)
    leaf_count: int | None = None  # backward: the leaves its argument's graph reaches
    freed: bool | None = None  # backward: accessing a saved tensor of the graph raises afterwards
    accumulated: int = 0  # backward: later calls that found gradients already there
    changes: tuple[int, float] | None = None  # step: (parameters changed, largest change of one element)
    param_values: list[Any] = field(default_factory=list, repr=False)
    op: str = ""


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
        record.op = str(getattr(site.func, "__name__", site.func))
        self._rng = _rng_state()
        self._args, self._kwargs = args, kwargs  # held for this one call only
        if args and isinstance(args[0], torch.optim.Optimizer):
            with torch.no_grad():
                record.param_values = [p.detach().clone() for p in _parameters(args[0])]
        if getattr(site.func, "__name__", "") == "backward" and args and isinstance(args[0], torch.Tensor):
            record.leaf_count = len(_leaves(args[0]))
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
        if getattr(site.func, "__name__", "") == "backward" and self._args:
            record.freed = _graph_freed(self._args[0])
        if record.param_values and isinstance(result, torch.optim.Optimizer):
            changed, largest = 0, 0.0
            with torch.no_grad():
                for old, p in zip(record.param_values, _parameters(result), strict=False):
                    difference = (p.detach() - old).abs()
                    if bool(difference.any()):
                        changed += 1
                        largest = max(largest, float(difference.max()))
            record.changes = (changed, largest)
            record.param_values = []
        record.modules = modules(frame)
        self._args, self._kwargs = (), {}
        self.events += 1
        record.event = self.events

    def later(self, site: Any, args: tuple[Any, ...]) -> None:
        """A later call of a backward line: did the leaves already hold gradients?"""
        record = self.records.get(site.order)
        if record is not None and args and isinstance(args[0], torch.Tensor):
            with _unrecorded():
                if any(leaf.grad is not None for leaf in _leaves(args[0])):
                    record.accumulated += 1

    def settle(self) -> None:
        """Give every record the namespace as it was once its statement finished (the next line's snapshot)."""
        for record in self.records.values():
            record.later = next((snap for event, snap in self.lines if event > record.event), None)


def _leaves(tensor: torch.Tensor) -> list[torch.Tensor]:
    if tensor.grad_fn is None:
        return [tensor] if tensor.requires_grad else []
    found, seen, stack = [], set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if hasattr(node, "variable"):
            found.append(node.variable)
        else:
            stack.extend(child for child, _ in node.next_functions)
    return found


def _graph_freed(tensor: Any) -> bool:
    """Whether some node of the graph under ``tensor`` lost its saved tensors (a backward freed them)."""
    if not isinstance(tensor, torch.Tensor) or tensor.grad_fn is None:
        return False
    seen, stack = set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        for attribute in dir(node):
            if attribute.startswith("_saved_"):
                try:
                    getattr(node, attribute)
                except RuntimeError:
                    return True
        stack.extend(child for child, _ in getattr(node, "next_functions", ()))
    return False


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


#: Claims that may be made about a call that raised: they concern its inputs, or say what did not happen.
_ABOUT_INPUTS = frozenset(
    {
        "unchanged", "error-type", "shape", "numel", "item-shapes", "contiguous", "dtype", "broadcast-fails",
        "has-method", "bound", "requires-grad", "leaf-count",
    }
)  # fmt: skip


def check_claim(claim: Claim, record: Record) -> str | None:
    """None if the claim holds, else what is wrong."""
    truth = Truth(record)
    kind, subject, value = claim.kind, claim.subject, claim.value
    if kind == "raised":
        return None if record.raised == value else f"raised is {record.raised}"
    if record.raised and kind not in _ABOUT_INPUTS:
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
    if kind == "module":
        kind_name, own = value
        found = record.modules.get(subject.removeprefix("module:"))
        return None if found == (kind_name, own) else f"{subject} is {found}"
    if kind == "leaf-count":
        return None if record.leaf_count == value else f"the graph reaches {record.leaf_count} leaves"
    if kind == "graph-freed":
        return None if record.freed else "the graph's saved tensors are still there"
    if kind == "accumulated-calls":
        return None if record.accumulated == value else f"{record.accumulated} later calls added to gradients"
    if kind in ("parameter-count", "grads", "changed-parameters", "largest-change", "optimizer", "without-grad"):
        return _check_owner(kind, value, record)
    if kind == "finite":
        values = [v for a in record.args.values() if a.values is not None for v in a.values]
        return None if all(isinstance(v, int) or math.isfinite(v) for v in values) else "an input is not finite"
    if kind == "broadcast-to":
        a, b, shape = value
        return None if tuple(torch.broadcast_shapes(tuple(a), tuple(b))) == tuple(shape) else "broadcast differs"
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
    if kind == "has-grad":
        return None if obj.has_grad and obj.grad_shape == tuple(value) else f"{subject}.grad is {obj.grad_shape}"
    if kind == "grad-none":
        return None if not obj.has_grad else f"{subject}.grad is not None"
    if kind == "grad-added":
        before = truth.get(subject, "call", "before")
        return None if before is not None and before.has_grad and obj.has_grad else f"{subject} had no .grad before"
    if kind == "requires-grad":
        return None if obj.requires_grad == value else f"{subject}.requires_grad is {obj.requires_grad}"
    if kind == "grad-fn":
        return None if obj.grad_fn == value else f"{subject}.grad_fn is {obj.grad_fn}"
    if kind == "softmax-dim":
        return _check_softmax(obj, value)
    if kind == "rows-sum-to-one":
        if obj.values is None or len(obj.shape) != 2:
            return None
        rows = np.array(obj.values, dtype=float).reshape(obj.shape)
        return None if (rows >= 0).all() and np.allclose(rows.sum(axis=1), 1, atol=1e-4) else "rows do not sum to 1"
    if kind == "non-finite":
        values = obj.values
        if values is None:
            return None
        counts = (
            sum(math.isnan(v) for v in values),
            sum(v == math.inf for v in values),
            sum(v == -math.inf for v in values),
        )
        return None if counts == tuple(value) else f"NaN/+inf/-inf counts are {counts}"
    if kind == "wrapped":
        return _check_wrapped(obj, value, record)
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


def _check_owner(kind: str, value: Any, record: Record) -> str | None:
    owner = record.result
    if owner is None or owner.kind not in ("module", "optimizer"):
        return "the call's object is not a model or optimizer"
    parameters = owner.parameters
    if kind == "parameter-count":
        return None if len(parameters) == value else f"it has {len(parameters)} parameters"
    if kind == "optimizer":
        return None if owner.value == value else f"it is a {owner.value}"
    if kind == "grads":
        ok = all(not has for has, _ in parameters) if value == "none" else all(zero for has, zero in parameters if has)
        return None if ok else f"the gradients are not {value}"
    if kind == "without-grad":
        before = record.args.get("arg0")
        count = sum(1 for has, _ in (before.parameters if before else []) if not has)
        return None if count == value else f"{count} parameters had no .grad"
    if record.changes is None:
        return "the change was not measured"
    changed, largest = record.changes
    if kind == "changed-parameters":
        return None if changed == value else f"{changed} parameters changed"
    return None if _close(largest, float(value)) else f"the largest change was {largest}"


def _check_softmax(obj: Obj, value: Any) -> str | None:
    op, dim = value
    if obj.values is None:
        return None
    values = np.array(obj.values, dtype=float).reshape(obj.shape)
    if op == "log_softmax":
        values = np.exp(values)
    sums = values.sum(axis=dim)
    ok = (values >= 0).all() and (values <= 1 + 1e-6).all() and np.allclose(sums, 1, atol=1e-5)
    return None if ok else f"sums along {dim} are {sums.tolist()}"


def _check_wrapped(obj: Obj, value: Any, record: Record) -> str | None:
    """Recompute the integer results exactly (Python integers) and count those the tensor holds differently."""
    if obj.values is None:
        return None
    name = record.op.strip("_")
    reflected = name.startswith("r") and name[1:] in ("add", "sub", "mul")
    core = name[1:] if reflected or (name.startswith("i") and name[1:] in ("add", "sub", "mul")) else name
    core = core.rstrip("_")
    operation = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b}.get(core)
    operands = [record.args.get("arg0"), record.args.get("arg1")]
    if operation is None or any(o is None for o in operands):
        return None
    shape = obj.shape

    def at(operand: Obj, index: tuple[int, ...]) -> Any:
        if operand.kind != "tensor":
            return operand.value
        if operand.values is None:
            raise LookupError
        values = np.array(operand.values, dtype=object).reshape(operand.shape or ())
        aligned = index[len(index) - len(operand.shape) :] if operand.shape else ()
        return values[tuple(i if n > 1 else 0 for i, n in zip(aligned, operand.shape, strict=True))]

    results = np.array(obj.values, dtype=object).reshape(shape or ())
    wrong = 0
    try:
        for index in np.ndindex(*shape) if shape else [()]:
            a, b = (at(o, index) for o in operands)  # type: ignore[arg-type]
            if reflected:
                a, b = b, a
            wrong += int(operation(int(a), int(b)) != int(results[index]))
    except (LookupError, TypeError, ValueError):
        return None
    return None if wrong == value else f"{wrong} results differ from the exact integers"


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
