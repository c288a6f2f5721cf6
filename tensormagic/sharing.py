"""Which tensors and arrays share memory.

Sharing is decided from addresses, never from object identity: a tensor's *storage* is the byte range
``[storage.data_ptr(), + storage.nbytes())`` and an ndarray's is the buffer of the array that owns its
memory. Two objects *share storage* when those ranges intersect on the same device. Whether they
share *elements* is a finer question (``t[0]`` and ``t[1]`` share a storage but no element); it is
answered exactly with :func:`numpy.shares_memory` over address-only views (no memory is read).

Sparse and nested tensors are located through the plain tensor that holds their values (``values()``), so
``torch.sparse_coo_tensor(i, v, size)`` is found to share ``v``'s memory.

Every public function here reads tensors with ``torch.Tensor``'s own methods, never through a user
subclass's ``__torch_function__`` (see :func:`plain_torch`), and treats an object it cannot read as one
with no memory to locate: a hostile object anywhere in a namespace never breaks the description of another.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, ParamSpec, TypeVar

import numpy as np
import torch

Relation = Literal["alias", "view-of", "base-of", "siblings", "shares"]
ElementOverlap = Literal["all", "some", "none", "unknown"]


@dataclass(frozen=True)
class MemorySpan:
    """A byte range ``[start, stop)`` on one device."""

    device: str
    start: int
    stop: int

    def overlaps(self, other: MemorySpan) -> bool:
        return self.device == other.device and self.start < other.stop and other.start < self.stop


@dataclass(frozen=True)
class Sharing:
    """``name`` shares memory with the described object.

    ``relation``: ``alias`` (the very same object), ``view-of`` (the object is a view of ``name``),
    ``base-of`` (``name`` is a view of the object), ``siblings`` (both are views of one tensor),
    ``shares`` (same memory without a view relation, e.g. ``torch.from_numpy`` / ``.numpy()``).
    ``elements``: whether they also share elements (``none`` for ``t[0]`` vs ``t[1]``).
    """

    name: str
    kind: Literal["tensor", "ndarray"]
    relation: Relation
    elements: ElementOverlap


_P = ParamSpec("_P")
_R = TypeVar("_R")


@contextlib.contextmanager
def plain_torch() -> Iterator[None]:
    """Inside, tensor subclasses behave as plain ``torch.Tensor``: their ``__torch_function__`` is not called.

    tensormagic only *reads* the user's tensors (sizes, addresses, values for statistics); those reads must
    neither fail because a subclass's ``__torch_function__`` raises nor be seen (and counted) by it.
    Results of operations inside are plain tensors. ``__torch_dispatch__`` subclasses are not bypassed (a
    wrapper subclass has no data of its own to read), so their errors are caught where they are read.
    """
    with torch._C.DisableTorchFunctionSubclass():
        yield


def _with_plain_torch(function: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with torch._C.DisableTorchFunctionSubclass():
            return function(*args, **kwargs)

    return wrapper


def is_array_like(obj: object) -> bool:
    return isinstance(obj, torch.Tensor | np.ndarray)


_SPARSE_LAYOUTS = (torch.sparse_coo, torch.sparse_csr, torch.sparse_csc, torch.sparse_bsr, torch.sparse_bsc)


def _layout_is_strided(tensor: torch.Tensor) -> bool:
    return tensor.layout == torch.strided and not tensor.is_quantized and not tensor.is_nested


def values_holder(tensor: torch.Tensor) -> torch.Tensor | None:
    """The plain strided tensor whose memory holds ``tensor``'s stored values (``tensor`` itself when plain).

    A sparse tensor's values live in ``values()`` (its indices in other tensors), a nested tensor's in
    ``values()`` (the buffer of every component, back to back or with gaps). ``None`` when there is none.
    """
    if tensor.is_nested:
        return tensor.values()
    if tensor.layout == torch.sparse_coo:
        return tensor._values()
    if tensor.layout in _SPARSE_LAYOUTS:
        return tensor.values()
    if tensor.layout == torch.strided:
        return tensor
    return None


def _exact_holder(tensor: torch.Tensor) -> torch.Tensor | None:
    """The holder, when its elements are exactly ``tensor``'s stored elements (no gaps between components)."""
    holder = values_holder(tensor)
    if holder is None or holder is tensor:
        return holder
    if tensor.is_nested and holder.numel() != tensor.numel():
        return None  # a narrowed jagged tensor: its buffer also holds elements that are not its own
    return holder


@_with_plain_torch
def storage_span(obj: object) -> MemorySpan | None:
    """The byte range of the memory that owns ``obj``'s elements; ``None`` when it has none to share."""
    located = _storage_range(obj)
    return MemorySpan(*located) if located is not None else None


def _storage_range(obj: object) -> tuple[str, int, int] | None:
    """(device, start, stop) of :func:`storage_span`, without building a span: called once per namespace entry."""
    try:
        if isinstance(obj, torch.Tensor):
            return _tensor_storage_range(obj)
        if isinstance(obj, np.ndarray):
            span = _array_storage_span(obj)
            return (span.device, span.start, span.stop) if span is not None else None
    except Exception:  # an object we cannot read (a wrapper subclass without storage) has nothing to locate
        return None
    return None


def _tensor_storage_range(tensor: torch.Tensor) -> tuple[str, int, int] | None:
    if tensor.is_meta or tensor.numel() == 0:
        return None
    if tensor.layout == torch.strided and not tensor.is_nested:
        holder: torch.Tensor | None = tensor
    else:
        holder = values_holder(tensor)
        if holder is None or holder.numel() == 0:
            return None
    assert holder is not None
    try:
        storage = holder.untyped_storage()
        start = storage.data_ptr()
        size = storage.nbytes()
    except (RuntimeError, NotImplementedError, TypeError):
        return None
    if not start:
        return None
    return ("cpu" if tensor.is_cpu else str(tensor.device)), start, start + size


def _array_storage_span(obj: np.ndarray) -> MemorySpan | None:
    if obj.size == 0 or obj.dtype.hasobject:
        return None
    owner = obj
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    span = _element_span(owner)
    # A view can reach outside the owner's own elements only if the owner is itself a window on a
    # foreign buffer; keep the union so the range always covers the object's elements.
    own = _element_span(obj)
    if span is None or own is None:
        return own
    return MemorySpan("cpu", min(span.start, own.start), max(span.stop, own.stop))


def _byte_layout(obj: torch.Tensor | np.ndarray) -> tuple[int, tuple[int, ...], tuple[int, ...], int]:
    """(data pointer, shape, strides in bytes, itemsize) of a strided object."""
    if isinstance(obj, torch.Tensor):
        itemsize = obj.element_size()
        return obj.data_ptr(), tuple(obj.shape), tuple(s * itemsize for s in obj.stride()), itemsize
    return obj.__array_interface__["data"][0], obj.shape, obj.strides, obj.itemsize


@_with_plain_torch
def element_span(obj: object) -> MemorySpan | None:
    """The smallest byte range that contains every (stored) element of ``obj``; ``None`` when unknown."""
    try:
        return _element_span(_plain_elements(obj))
    except Exception:  # unreadable: no span to claim
        return None


def _plain_elements(obj: object) -> object:
    """A plain strided object with exactly ``obj``'s stored elements (``obj`` itself when it is one)."""
    if isinstance(obj, torch.Tensor) and not _layout_is_strided(obj) and not obj.is_quantized:
        holder = _exact_holder(obj)
        return holder if holder is not None else None
    return obj


def _element_span(obj: object) -> MemorySpan | None:
    if isinstance(obj, torch.Tensor):
        if obj.device.type == "meta" or obj.numel() == 0 or not _layout_is_strided(obj):
            return None
        device = str(obj.device)
    elif isinstance(obj, np.ndarray):
        if obj.size == 0 or obj.dtype.hasobject:
            return None
        device = "cpu"
    else:
        return None
    pointer, shape, strides, itemsize = _byte_layout(obj)
    if not pointer:
        return None
    low = pointer + sum((n - 1) * s for n, s in zip(shape, strides, strict=True) if s < 0)
    high = pointer + sum((n - 1) * s for n, s in zip(shape, strides, strict=True) if s > 0) + itemsize
    return MemorySpan(device, low, high)


def _address_view(obj: torch.Tensor | np.ndarray, span: MemorySpan) -> np.ndarray:
    """An ndarray over ``obj``'s addresses, for address arithmetic only: nothing is ever read."""
    pointer, shape, strides, itemsize = _byte_layout(obj)
    window = (ctypes.c_char * (span.stop - span.start)).from_address(span.start)
    flat = np.frombuffer(window, dtype=np.uint8)  # type: ignore[call-overload]
    return np.lib.stride_tricks.as_strided(
        flat[pointer - span.start :], shape=(*shape, itemsize), strides=(*strides, 1), writeable=False
    )


def _dense(obj: object, span: MemorySpan) -> bool:
    """Every byte of ``span`` belongs to exactly one element of ``obj`` (no gaps, no repeats)."""
    _, shape, strides, itemsize = _byte_layout(obj)  # type: ignore[arg-type]
    repeats = any(stride == 0 and size > 1 for size, stride in zip(shape, strides, strict=True))
    return not repeats and span.stop - span.start == itemsize * math.prod(shape)


@_with_plain_torch
def element_overlap(a: object, b: object) -> ElementOverlap:
    """Whether ``a`` and ``b`` have at least one element's bytes in common, exactly.

    ``unknown`` when their storages overlap but the elements cannot be mapped to bytes (a quantized tensor,
    a nested tensor with gaps, an object that cannot be read).
    """
    try:
        plain_a, plain_b = _plain_elements(a), _plain_elements(b)
        span_a, span_b = _element_span(plain_a), _element_span(plain_b)
    except Exception:
        span_a = span_b = None
    if span_a is None or span_b is None:
        storage_a, storage_b = storage_span(a), storage_span(b)
        overlapping = storage_a is not None and storage_b is not None and storage_a.overlaps(storage_b)
        return "unknown" if overlapping else "none"
    a, b = plain_a, plain_b
    if not span_a.overlaps(span_b):
        return "none"
    if span_a == span_b and (
        _byte_layout(a)[1:] == _byte_layout(b)[1:]  # type: ignore[arg-type]
        or (_dense(a, span_a) and _dense(b, span_b))  # ``t.view(4, 3)``, ``t.T``: same elements, new shape
    ):
        return "all"
    try:
        view_a = _address_view(a, span_a)  # type: ignore[arg-type]
        view_b = _address_view(b, span_b)  # type: ignore[arg-type]
        overlap = np.shares_memory(view_a, view_b, max_work=100_000)  # type: ignore[arg-type]
        return "some" if overlap else "none"
    except (np.exceptions.TooHardError, ValueError, OverflowError):
        return "unknown"


def _covers(outer: torch.Tensor, inner: torch.Tensor) -> bool:
    """Every element of ``inner`` is an element of ``outer`` (``outer`` densely fills its byte span)."""
    outer_span, inner_span = _element_span(outer), _element_span(inner)
    if outer_span is None or inner_span is None or outer.element_size() != inner.element_size():
        return False
    dense = outer_span.stop - outer_span.start == outer.numel() * outer.element_size()
    return dense and outer_span.start <= inner_span.start and inner_span.stop <= outer_span.stop


def _tensor_root(tensor: torch.Tensor) -> torch.Tensor:
    base = tensor._base
    return base if base is not None else tensor


def _array_bases(array: np.ndarray) -> list[np.ndarray]:
    bases = []
    owner = array.base
    while isinstance(owner, np.ndarray):
        bases.append(owner)
        owner = owner.base
    return bases


@_with_plain_torch
def relation(obj: object, other: object) -> Relation:
    """How ``obj`` relates to ``other``, given that their storages overlap."""
    if obj is other:
        return "alias"
    try:
        return _relation(obj, other)
    except Exception:  # unreadable: the storages overlap, which is all that is known
        return "shares"


def _relation(obj: object, other: object) -> Relation:
    if isinstance(obj, torch.Tensor) and isinstance(other, torch.Tensor):
        if obj._base is not None and obj._base is other:
            return "view-of"
        if other._base is not None and other._base is obj:
            return "base-of"
        if _tensor_root(obj) is _tensor_root(other):
            # torch records only the root as ``_base``; ``t = a.reshape(2, 2)`` makes ``t[0]._base``
            # the root ``a``, yet ``t[0]`` is a view of ``t`` as well. Decide by which elements each covers.
            if _covers(other, obj):
                return "view-of"
            if _covers(obj, other):
                return "base-of"
            return "siblings"
        return "shares"
    if isinstance(obj, np.ndarray) and isinstance(other, np.ndarray):
        obj_bases, other_bases = _array_bases(obj), _array_bases(other)
        if any(base is other for base in obj_bases):
            return "view-of"
        if any(base is obj for base in other_bases):
            return "base-of"
        if obj_bases and other_bases and obj_bases[-1] is other_bases[-1]:
            return "siblings"
    return "shares"


_ARRAY_TYPES = (torch.Tensor, np.ndarray)


def user_arrays(namespace: Mapping[str, Any]) -> list[tuple[str, torch.Tensor | np.ndarray]]:
    """The tensors and ndarrays a user named, skipping IPython's history names (``_``, ``_3``, ``_oh``)."""
    return [
        (name, value)
        for name, value in list(namespace.items())
        if isinstance(value, _ARRAY_TYPES) and isinstance(name, str) and not name.startswith("_")
    ]


@_with_plain_torch
def find_sharing(obj: object, namespace: Mapping[str, Any], exclude: Iterable[str] = ()) -> tuple[Sharing, ...]:
    """Every named tensor/ndarray in ``namespace`` whose memory overlaps ``obj``'s."""
    span = storage_span(obj)
    if span is None:
        return ()
    skipped = set(exclude)
    found = []
    for name, value in user_arrays(namespace):
        if name in skipped:
            continue
        other_span = storage_span(value)
        if other_span is None or not span.overlaps(other_span):
            continue
        kind: Literal["tensor", "ndarray"] = "tensor" if isinstance(value, torch.Tensor) else "ndarray"
        found.append(Sharing(name, kind, relation(obj, value), element_overlap(obj, value)))
    return tuple(found)


def names_of(obj: object, namespace: Mapping[str, Any]) -> list[str]:
    """The user names bound to this very object."""
    return [name for name, value in user_arrays(namespace) if value is obj]


@_with_plain_torch
def memory_groups(namespace: Mapping[str, Any]) -> list[list[str]]:
    """Names grouped so that objects whose storages overlap (directly or through others) share a group.

    One pass to locate every object, a sort by address and one sweep: O(n log n) in the number of names.
    Groups are in the order of their first name in ``namespace``, names in namespace order.
    """
    entries = [(name, _storage_range(value)) for name, value in user_arrays(namespace)]
    parent = list(range(len(entries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Sort by (device, start address) so overlapping ranges are neighbours: O(n log n) instead of all pairs.
    located = sorted((span, i) for i, (_, span) in enumerate(entries) if span is not None)
    reach_device, reach_stop, reach_index = "", -1, -1
    for (device, start, stop), i in located:
        if device == reach_device and start < reach_stop:
            parent[root(i)] = root(reach_index)
            reach_stop = max(reach_stop, stop)
        else:
            reach_device, reach_stop, reach_index = device, stop, i
    groups: dict[int, list[str]] = {}
    for i, (name, _) in enumerate(entries):
        groups.setdefault(root(i), []).append(name)
    return list(groups.values())
