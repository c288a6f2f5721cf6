"""What the recorder keeps of a call: a :class:`Site` per place in the cell, holding summaries, not objects.

Arguments and results become :class:`Value` summaries (facts for tensors and arrays, computed with
``stats=False``: no reads of values, no device synchronisation; small Python values as themselves; nested lists
as a :class:`DataSummary`). The only link to a live result is a ``weakref``.
"""

from __future__ import annotations

import contextlib
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..facts import Facts, describe
from ..sharing import Sharing, element_overlap, storage_span


@dataclass
class Value:
    """A recorded argument or result, without the object: facts for tensors/arrays, a short repr else."""

    kind: str  # "tensor" | "ndarray" | "number" | "bool" | "dtype" | "shape" | "none" | "data" | "generator" | "other"
    # | "tuple"
    facts: Facts | None = None
    value: Any = None  # small Python values only (numbers, dtype names, tuples of ints, short strings)
    type_name: str = ""
    items: tuple[Value, ...] = ()
    data: DataSummary | None = None


@dataclass
class DataSummary:
    """What a nested Python list holds, for dtype notes (never the list itself)."""

    kinds: frozenset[str]
    shape: tuple[int, ...] | None
    truncations: tuple[tuple[float, int], ...] = ()


@dataclass
class ErrorInfo:
    type_name: str
    message: str


@dataclass(frozen=True)
class LayerInfo:
    """The layer whose forward pass made a call, as the user built and named it."""

    path: str  # ``model[0]``, ``model.encoder.conv1``; the type's name when the module has no name in the cell
    kind: str  # ``Linear``
    summary: str  # ``Linear(4 → 3)``
    parameters: int  # the layer's own parameters (elements)
    top: str  # the module the cell called (``model``): one forward pass
    top_kind: str = ""  # its type's name (``Sequential``)


@dataclass
class Site:
    """One place in the cell's code that called one torch function; aggregated over its calls."""

    code: Any
    lasti: int
    func: Any
    kind: str  # "function" | "descriptor" | "dispatch" | "seed"
    order: int
    count: int = 0
    direct: bool = True  # made by the cell's own expression (not inside a function it called)
    args: tuple[Value, ...] = ()
    kwargs: dict[str, Value] = field(default_factory=dict)
    result: Value | None = None
    last_shape: tuple[int, ...] | None = None
    relations: tuple[str, ...] = ()  # per tensor/array input: "alias" | "view" | "shares" | "copy" | ""
    kw_relations: dict[str, str] = field(default_factory=dict)  # the same, for keyword arguments
    result_sharing: tuple[Sharing, ...] = ()  # memory-sharing calls: who shares the result's memory, at the call
    target_sharing: tuple[Sharing, ...] = ()  # in-place calls: who shares the changed memory, at call time
    target_version: int | None = None  # in-place calls: the changed tensor's ``_version`` before the call
    changed: bool | None = None  # in-place calls: whether the call (even one that raised) bumped that version
    result_ref: Any = None  # weakref to the first result, for naming it after the cell
    error: ErrorInfo | None = None
    errors: int = 0
    seed: int | None = None
    default_dtype: str = ""  # torch.get_default_dtype() at the call
    seeded_in_cell: bool = False
    op: str = ""  # dispatch sites: the aten op seen
    # from_numpy / legacy constructors: the data they were given
    linked_array: Value | None = None  # an array: its facts (seen through the tensor made over its memory); a list
    linked_relation: str = ""  # "shares" (the result uses the array's memory) | "copy" (converted) | "" (fresh)
    linked_name: str | None = None  # the plain name the data was passed as (``torch.from_numpy(n1)``: n1)
    in_function: bool = False  # the cell line runs inside a function (its local names are not visible)
    grad_enabled: bool = True  # torch.is_grad_enabled() at the call (False inside torch.no_grad())
    inference: bool = False  # inside torch.inference_mode()
    training: Any = None  # backward / zero_grad / step: what the call did (record.training's facts)
    watch: Any = None  # called (site, args) before each later call of the site (backward: adds to gradients?)
    layer: LayerInfo | None = None  # made inside a module's forward pass: which layer
    value_facts: Any = None  # record.values.ValueFacts: non-finite results, wrap-around, softmax sums
    # float -> int / float16 conversions of tiny CPU tensors: the first values before and after, as Python numbers
    values: tuple[tuple[Any, ...], tuple[Any, ...]] | None = None


def func_short_name(func: Any) -> str:
    name = getattr(func, "__name__", None)
    if name == "__get__":
        owner = getattr(func, "__self__", None)
        return getattr(owner, "__name__", "__get__")
    if name is None and hasattr(func, "__func__"):
        name = func.__func__.__name__
    return str(name or type(func).__name__)


def summarize(value: Any, depth: int = 0) -> Value:
    """A :class:`Value` for one argument or result. Reads no tensor values (no sync, no copies)."""
    if isinstance(value, torch.Tensor | np.ndarray):
        return Value("tensor" if isinstance(value, torch.Tensor) else "ndarray", facts=describe(value, stats=False))
    if isinstance(value, bool):
        return Value("bool", value=value, type_name="bool")
    if isinstance(value, int | float | complex):
        return Value("number", value=value, type_name=type(value).__name__)
    if value is None:
        return Value("none", type_name="NoneType")
    if isinstance(value, torch.Generator):
        default = value is torch.default_generator or value is torch._C.default_generator
        return Value("generator", value="default" if default else "own", type_name="torch.Generator")
    if isinstance(value, torch.dtype):
        return Value("dtype", value=str(value), type_name="torch.dtype")
    if isinstance(value, torch.Size) or (
        isinstance(value, tuple) and len(value) <= 16 and all(type(v) is int for v in value)
    ):
        return Value("shape", value=tuple(int(v) for v in value), type_name=type(value).__name__)
    if isinstance(value, str):
        return Value("other", value=value[:40], type_name="str")
    if isinstance(value, type):
        return Value("other", value=f"{value.__module__}.{value.__qualname__}", type_name="type")
    if isinstance(value, list | tuple) and depth == 0:
        if value and all(isinstance(v, torch.Tensor) for v in value[:64]):
            return Value("tuple", items=tuple(summarize(v, 1) for v in value[:16]), type_name=type(value).__name__)
        return Value("data", data=summarize_data(value), type_name=type(value).__name__)
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # torch.return_types.max and friends
        return Value("tuple", items=tuple(summarize(v, 1) for v in value[:4]), type_name=type(value).__name__)
    if isinstance(value, slice) or value is Ellipsis:
        return Value("other", value=repr(value)[:40], type_name=type(value).__name__)
    return Value("other", type_name=f"{type(value).__module__}.{type(value).__qualname__}")


def summarize_data(data: Any, limit: int = 2000) -> DataSummary:
    """Kinds of the Python numbers in nested lists/tuples (bounded walk), and a few float->int truncations."""
    kinds: set[str] = set()
    truncations: list[tuple[float, int]] = []
    seen = 0
    stack = [data]
    while stack and seen < limit:
        item = stack.pop()
        seen += 1
        if isinstance(item, bool):
            kinds.add("bool")
        elif isinstance(item, int):
            kinds.add("int")
        elif isinstance(item, float):
            kinds.add("float")
            if item == item and abs(item) != float("inf") and item != int(item) and len(truncations) < 4:
                truncations.append((item, int(item)))
        elif isinstance(item, complex):
            kinds.add("complex")
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
        elif isinstance(item, torch.Tensor | np.ndarray):
            kinds.add("array")
        else:
            kinds.add("other")
    shape: tuple[int, ...] | None = None
    with contextlib.suppress(Exception):
        probe = data
        dims: list[int] = []
        while isinstance(probe, list | tuple):
            dims.append(len(probe))
            if not probe:
                break
            probe = probe[0]
        shape = tuple(dims)
    return DataSummary(frozenset(kinds), shape, tuple(truncations))


def memory_relation(result: Any, source: Any) -> str:
    """How ``result``'s memory relates to an input's: alias, view, shares, copy."""
    if result is source:
        return "alias"
    span_r, span_s = storage_span(result), storage_span(source)
    if span_r is None or span_s is None:
        return "copy" if span_r is not None else ""
    if not span_r.overlaps(span_s):
        return "copy"
    if isinstance(result, torch.Tensor) and isinstance(source, torch.Tensor):
        return "view"
    return "shares" if element_overlap(result, source) != "none" else "view"


_VALUES_LIMIT = 8  # elements: larger tensors keep the general sentence (no reads of their values)
_Parameter = torch.nn.Parameter
_PLAIN_TENSORS = (torch.Tensor, _Parameter)


def conversion_values(source: Any, result: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """A float -> int/float16 conversion's values before and after, for at most a few CPU elements.

    Never on CUDA/meta tensors (reading values would synchronise or fail) nor tensor subclasses; only
    Python numbers are kept.
    """
    if (
        type(source) not in _PLAIN_TENSORS
        or type(result) not in _PLAIN_TENSORS
        or source.device.type != "cpu"
        or result.device.type != "cpu"
        or source.layout != torch.strided
        or result.layout != torch.strided
        or not source.dtype.is_floating_point
        or source.numel() > _VALUES_LIMIT
        or result.numel() != source.numel()
    ):
        return None
    dst = result.dtype
    if dst.is_floating_point and dst != torch.float16:
        return None
    if dst.is_complex or dst == torch.bool:
        return None
    return tuple(source.detach().reshape(-1).tolist()), tuple(result.detach().reshape(-1).tolist())


def layer_key(args: Any) -> int:
    """Which layer made a call inside a forward pass: its first parameter among the arguments (0: none)."""
    for arg in args[:4]:
        if isinstance(arg, _Parameter):
            return id(arg)
    return 0


def weak(obj: Any) -> Any:
    try:
        return weakref.ref(obj)
    except TypeError:
        return None
