"""Pure data about one tensor or ndarray: what it is, where its memory lives, and its statistics.

Nothing here imports IPython, and a :class:`Facts` never holds the object it describes, so describing
a tensor keeps no memory alive.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .sharing import MemorySpan, Sharing, find_sharing, names_of, plain_torch, storage_span, values_holder
from .stats import Stats, array_stats, tensor_stats

NESTED_SHOWN = 6
"""Component shapes a description lists for a nested tensor (the count is always given)."""

RAGGED = -1
"""In :attr:`Facts.shape` of a nested tensor: a dimension whose size differs between its components."""


@dataclass(frozen=True)
class Nested:
    """A nested tensor: ``count`` tensors of possibly different shapes, stored in one buffer.

    ``layout`` is ``jagged`` or ``strided`` (torch's two nested layouts); ``shapes`` are the shapes of the
    first :data:`NESTED_SHOWN` components; ``packed`` says the components lie back to back in the buffer
    (a narrowed jagged tensor's buffer also holds elements that are not its own).
    """

    layout: str
    count: int
    shapes: tuple[tuple[int, ...], ...]
    packed: bool


@dataclass(frozen=True)
class Facts:
    """Everything tensormagic states about one tensor or ndarray.

    ``stats`` is ``None`` when statistics were not computed; ``stats_skipped`` then says why
    (``empty``, ``meta``, ``disabled``, ``unsupported``, ``nested_gaps``). ``copies_of`` names the arrays an
    expression was built from that the result does *not* share memory with.

    For a nested tensor, ``nested`` describes its components and ``shape`` has :data:`RAGGED` (-1) where
    their sizes differ.
    """

    kind: str  # "tensor" | "ndarray"
    type_name: str
    shape: tuple[int, ...]
    dtype: str
    device: str
    numel: int
    itemsize: int
    nbytes: int
    strides: tuple[int, ...] | None
    storage_offset: int
    contiguous: bool
    layout: str
    requires_grad: bool = False
    grad_fn: str | None = None
    is_leaf: bool | None = None
    is_view: bool = False
    #: its memory was not allocated for it by its own library: a tensor from ``torch.from_numpy``, ``frombuffer``, a
    #: file or DLPack (torch cannot resize such storage), an array whose memory is a tensor's or a buffer's
    borrowed: bool = False
    expanded: bool = False
    storage_nbytes: int | None = None
    storage: MemorySpan | None = None
    nnz: int | None = None
    quantization: str | None = None
    stats: Stats | None = None
    stats_skipped: str | None = None
    stats_error: str | None = None
    shares_with: tuple[Sharing, ...] = ()
    copies_of: tuple[str, ...] = ()
    name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    sharing_checked: bool = False  # True when a namespace was searched, so "shares nothing" is a finding
    nested: Nested | None = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def is_empty(self) -> bool:
        return self.numel == 0


def _dtype_name(obj: torch.Tensor | np.ndarray) -> str:
    return str(obj.dtype)


def _layout_name(tensor: torch.Tensor) -> str:
    if tensor.is_quantized:
        return "quantized"
    if tensor.is_nested:
        return "nested_strided" if tensor.layout == torch.strided else str(tensor.layout).removeprefix("torch.")
    return str(tensor.layout).removeprefix("torch.")


def _nested_facts(tensor: torch.Tensor) -> tuple[tuple[int, ...], Nested]:
    """(shape with RAGGED where components differ, the components) of a nested tensor, from its metadata only.

    Component shapes that cannot be read (a meta jagged tensor has no lengths to copy out) are left out.
    """
    count = tensor.size(0)
    if tensor.layout == torch.strided:  # sizes are a (count, ndim - 1) table
        sizes = tensor._nested_tensor_size()
        if count and sizes.dim() == 2:
            first = sizes[0]
            common = (sizes == first).all(dim=0).tolist()
            inner = tuple(int(n) if same else RAGGED for n, same in zip(first.tolist(), common, strict=True))
            shapes = tuple(tuple(row) for row in sizes[:NESTED_SHOWN].tolist())
        else:
            inner, shapes = (RAGGED,) * max(tensor.dim() - 1, 0), ()
        return (count, *inner), Nested("strided", count, shapes, tensor.is_contiguous())
    jagged: Any = tensor  # torch.nested's NestedTensor: offsets(), lengths(), _ragged_idx are not on Tensor
    shape = tuple(n if isinstance(n, int) else RAGGED for n in tensor.shape)
    lengths = jagged.lengths()
    holder = values_holder(tensor)
    packed = lengths is None and holder is not None and holder.numel() == tensor.numel()
    ragged = jagged._ragged_idx - 1  # in a component's shape
    lengths_shown: list[int] = []
    with contextlib.suppress(RuntimeError, NotImplementedError):  # meta: no lengths to read
        lengths_shown = (lengths if lengths is not None else jagged.offsets().diff())[:NESTED_SHOWN].tolist()
    shapes = tuple(tuple(length if k == ragged else n for k, n in enumerate(shape[1:])) for length in lengths_shown)
    return shape, Nested("jagged", count, shapes, packed)


def _tensor_facts(tensor: torch.Tensor) -> dict[str, Any]:
    nested: Nested | None = None
    if tensor.is_nested:
        shape, nested = _nested_facts(tensor)
    else:
        shape = tuple(tensor.shape)
    strided = tensor.layout == torch.strided and nested is None
    numel = tensor.numel()
    itemsize = tensor.element_size()
    strides = tuple(tensor.stride()) if strided else None
    storage_nbytes = None
    borrowed = False
    holder = values_holder(tensor) if nested is not None else tensor
    if (strided or nested is not None) and tensor.device.type != "meta" and holder is not None:
        try:
            storage = holder.untyped_storage()
            storage_nbytes = storage.nbytes()
            borrowed = not storage.resizable()
        except (RuntimeError, NotImplementedError, TypeError):
            storage_nbytes = None
    nnz = None
    if tensor.layout in (torch.sparse_coo, torch.sparse_csr, torch.sparse_csc, torch.sparse_bsr, torch.sparse_bsc):
        nnz = tensor._nnz()
    quantization = None
    if tensor.is_quantized:
        try:
            scheme = tensor.qscheme()
            if scheme in (torch.per_tensor_affine, torch.per_tensor_symmetric):
                quantization = f"{scheme}: scale={tensor.q_scale():.6g}, zero_point={tensor.q_zero_point()}"
            else:
                quantization = str(scheme)
        except (RuntimeError, NotImplementedError):  # a quantized meta tensor has no quantizer to ask
            quantization = "unknown"
    return dict(
        kind="tensor",
        type_name=f"{type(tensor).__module__}.{type(tensor).__qualname__}".replace("torch.nn.parameter.", "torch.nn."),
        shape=shape,
        dtype=_dtype_name(tensor),
        device=str(tensor.device),
        numel=numel,
        itemsize=itemsize,
        nbytes=numel * itemsize,
        strides=strides,
        storage_offset=tensor.storage_offset() if strided else 0,
        contiguous=tensor.is_contiguous() if strided or nested is not None else False,
        layout=_layout_name(tensor),
        requires_grad=tensor.requires_grad,
        grad_fn=type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None,
        is_leaf=tensor.is_leaf,
        is_view=tensor._is_view() if strided else False,
        borrowed=borrowed,
        expanded=any(s == 0 and n > 1 for n, s in zip(shape, strides or (), strict=False)),
        storage_nbytes=storage_nbytes,
        storage=storage_span(tensor),
        nnz=nnz,
        quantization=quantization,
        nested=nested,
    )


def _array_facts(array: np.ndarray) -> dict[str, Any]:
    itemsize = array.itemsize
    strides = tuple(s // itemsize if itemsize else 0 for s in array.strides)
    return dict(
        kind="ndarray",
        type_name=f"{type(array).__module__}.{type(array).__qualname__}",
        shape=tuple(array.shape),
        dtype=_dtype_name(array),
        device="cpu",
        numel=int(array.size),
        itemsize=itemsize,
        nbytes=int(array.nbytes),
        strides=strides,
        storage_offset=0,
        contiguous=bool(array.flags.c_contiguous),
        layout="strided",
        is_view=isinstance(array.base, np.ndarray),
        borrowed=array.base is not None and not isinstance(array.base, np.ndarray),
        expanded=any(s == 0 and n > 1 for n, s in zip(array.shape, array.strides, strict=True)),
        storage=storage_span(array),
    )


def _error_text(error: BaseException) -> str:
    return (f"{type(error).__name__}: {error}".splitlines() or [type(error).__name__])[0][:200]


def _stats_for(obj: torch.Tensor | np.ndarray) -> tuple[Stats | None, str | None, str | None]:
    """(stats, reason skipped, error text): an honest answer for every dtype and layout.

    Any error while computing is a reason given, never raised: an object that cannot be summarised
    (an unsupported dtype, a subclass whose operations fail) still gets its other facts.
    """
    if isinstance(obj, torch.Tensor):
        if obj.device.type == "meta":
            return None, "meta", None
        if obj.numel() == 0:
            return None, "empty", None
        try:
            if obj.is_nested:  # the elements of all components, back to back in one plain tensor
                values = values_holder(obj)
                if values is None or values.numel() != obj.numel():
                    return None, "nested_gaps", None
                return tensor_stats(values), None, None
            return tensor_stats(obj), None, None
        except Exception as error:
            return None, "unsupported", _error_text(error)
    if obj.size == 0:
        return None, "empty", None
    try:
        stats = array_stats(obj)
    except Exception as error:
        return None, "unsupported", _error_text(error)
    return (stats, None, None) if stats is not None else (None, "unsupported", None)


def describe(
    obj: object,
    namespace: Mapping[str, Any] | None = None,
    *,
    stats: bool = True,
    name: str | None = None,
    sources: Iterable[str] = (),
) -> Facts:
    """Facts about a ``torch.Tensor`` or ``numpy.ndarray``.

    With ``namespace``, ``shares_with`` names every tensor and ndarray there whose memory overlaps the
    object's. ``sources`` are names the object was built from (e.g. those an expression mentions):
    the ones it does not share memory with are listed in ``copies_of``.

    Tensor subclasses are read as plain tensors: their ``__torch_function__`` is neither called nor able
    to make this fail (see :func:`~tensormagic.sharing.plain_torch`).
    """
    with plain_torch():
        return _describe(obj, namespace, stats=stats, name=name, sources=sources)


def _describe(
    obj: object,
    namespace: Mapping[str, Any] | None,
    *,
    stats: bool,
    name: str | None,
    sources: Iterable[str],
) -> Facts:
    if isinstance(obj, torch.Tensor):
        base = _tensor_facts(obj)
    elif isinstance(obj, np.ndarray):
        base = _array_facts(obj)
    else:
        raise TypeError(
            f"tensormagic.describe() takes a torch.Tensor or a numpy.ndarray, not {type(obj).__module__}."
            f"{type(obj).__qualname__}"
        )
    if stats:
        computed, skipped, error = _stats_for(obj)
    else:
        computed, skipped, error = None, "disabled", None
    shares: tuple[Sharing, ...] = ()
    copies: tuple[str, ...] = ()
    if namespace is not None:
        shares = find_sharing(obj, namespace)
        if name is None:  # the name bound to this very object (also one with no memory: meta, empty, object dtype)
            aliases = names_of(obj, namespace)
            name = aliases[0] if aliases else None
        sharing_names = {s.name for s in shares}
        copies = tuple(
            source
            for source in dict.fromkeys(sources)
            if source in namespace
            and source not in sharing_names
            and isinstance(namespace[source], torch.Tensor | np.ndarray)
        )
    # "Shares nothing" is a finding only where the object's memory could be located (or it has none).
    locatable = base["storage"] is not None or base["numel"] == 0 or base["device"] == "meta"
    return Facts(
        **base,
        stats=computed,
        stats_skipped=skipped,
        stats_error=error,
        shares_with=shares,
        copies_of=copies,
        name=name,
        sharing_checked=namespace is not None and locatable,
    )
