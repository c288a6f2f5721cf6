"""Reading one tensor or array without torch seeing it: metadata, where its memory lies, and raw values.

Everything here runs inside the user's cell, between two of its lines, so it must not change what the cell does:
no torch op is called (metadata reads only, under ``DisableTorchFunction`` so neither the recorder's mode nor a
tensor subclass sees them), values are read from CPU memory as raw bytes (never from an accelerator: reading would
synchronise it), and nothing keeps a reference to the object once :func:`probe`'s caller drops its ``Probe``.
"""

from __future__ import annotations

import ctypes
import math
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

#: torch element types NumPy reads directly from raw bytes.
_NUMPY_OF_TORCH: dict[torch.dtype, np.dtype[Any]] = {
    dtype: np.dtype(name)
    for dtype, name in [
        (torch.float64, "float64"),
        (torch.float32, "float32"),
        (torch.float16, "float16"),
        (torch.int64, "int64"),
        (torch.int32, "int32"),
        (torch.int16, "int16"),
        (torch.int8, "int8"),
        (torch.uint8, "uint8"),
        (torch.bool, "bool"),
        (torch.complex64, "complex64"),
        (torch.complex128, "complex128"),
        *((getattr(torch, f"uint{bits}"), f"uint{bits}") for bits in (16, 32, 64) if hasattr(torch, f"uint{bits}")),
    ]
}
#: bfloat16 is the top half of a float32: read as uint16, shifted into place.
_BFLOAT16 = torch.bfloat16
_STRIDED = torch.strided
_DTYPE_NAMES: dict[torch.dtype, str] = {dtype: str(dtype) for dtype in _NUMPY_OF_TORCH}
#: Memory up to this size is fingerprinted at every step, so a write through any name (NumPy's too) is seen.
FINGERPRINT_LIMIT = 16 * 1024 * 1024


@dataclass
class Probe:
    """What one object is, read once per step. Holds the memory's owner only while a step is being taken."""

    kind: str  # "tensor" | "ndarray"
    dtype: str
    decode: np.dtype[Any] | None  # how to read its raw bytes (None: this element type is not read)
    bfloat16: bool
    itemsize: int
    shape: tuple[int, ...]
    byte_strides: tuple[int, ...]
    storage_offset: int
    device: str
    numel: int
    address: int  # of its first element (0: no memory)
    region: tuple[int, int] | None  # [start, end) of the whole allocation it lies in
    owner: Any  # an object alive exactly as long as that allocation (a torch storage, the base array)
    version: int | None
    requires_grad: bool
    layout: str
    contiguous: bool
    conj: bool = False
    neg: bool = False
    ident: str = ""  # the block id the recorder gave the object
    owner_id: str = ""  # the memory's id (the storage row it lies in)
    key: tuple[Any, ...] = ()  # what is read again at every step to know these facts still hold

    @property
    def strides(self) -> tuple[int, ...] | None:
        size = self.itemsize
        if any(s % size for s in self.byte_strides):
            return None
        return tuple(s // size for s in self.byte_strides)

    @property
    def nbytes(self) -> int:
        return self.numel * self.itemsize

    low: int = 0  # bytes from ``address`` back to its lowest element (negative strides), and on to past its highest
    high: int = 0

    def __post_init__(self) -> None:
        low = high = 0
        for n, stride in zip(self.shape, self.byte_strides, strict=False):
            if stride < 0:
                low += (n - 1) * stride
            else:
                high += (n - 1) * stride
        self.low, self.high = low, high + self.itemsize

    def span(self) -> tuple[int, int]:
        """[first byte, last byte + 1) its elements reach, as addresses (needs ``numel > 0``)."""
        return self.address + self.low, self.address + self.high

    @property
    def readable(self) -> bool:
        """Its bytes can be read here: CPU memory, an element type NumPy decodes, at least one element."""
        return self.device == "cpu" and bool(self.address) and self.numel > 0 and (
            self.decode is not None or self.bfloat16
        )


def probe(value: Any) -> Probe | None:
    """The facts of a tensor or NumPy array (None for anything else); call with torch functions disabled."""
    if isinstance(value, torch.Tensor):
        return _probe_tensor(value)
    if isinstance(value, np.ndarray):
        return _probe_array(value)
    return None


def _opaque(t: torch.Tensor, layout: str) -> Probe:
    try:
        shape = tuple(int(n) for n in t.shape)
    except Exception:  # noqa: BLE001 - a nested tensor's ragged shape
        shape = ()
    return Probe(
        "tensor", str(t.dtype), None, False, t.element_size() if layout != "nested" else 0, shape, (), 0,
        t.device.type, t.numel() if layout != "nested" else 0, 0, None, None, None, t.requires_grad, layout, True,
    )


def _probe_tensor(t: torch.Tensor) -> Probe:
    if t.is_nested:
        return _opaque(t, "nested")
    if t.layout is not _STRIDED:
        return _opaque(t, "sparse")
    if t.is_quantized:
        return _opaque(t, "quantized")
    if t.is_meta:
        return _opaque(t, "meta")
    try:
        storage = t.untyped_storage()
        start, size = storage.data_ptr(), storage.nbytes()
        address = t.data_ptr()
    except Exception:  # noqa: BLE001 - a wrapped (vmap/grad) tensor or a subclass without real memory
        return _opaque(t, "unreadable")
    itemsize = t.element_size()
    numel = t.numel()
    dtype = t.dtype
    real = bool(start and size)
    return Probe(
        "tensor", _DTYPE_NAMES.get(dtype) or str(dtype), _NUMPY_OF_TORCH.get(dtype), dtype is _BFLOAT16, itemsize,
        tuple(t.shape), tuple([s * itemsize for s in t.stride()]), int(t.storage_offset()),
        "cpu" if t.is_cpu else t.device.type, numel, address if numel else 0, (start, start + size) if real else None,
        storage if real else None, None, t.requires_grad, "strided", t.is_contiguous(), t.is_conj(), t.is_neg(),
    )


def _probe_array(a: np.ndarray) -> Probe:
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    base = root.base
    address = a.__array_interface__["data"][0] if a.size else 0
    region: tuple[int, int] | None = None
    owner: Any = None
    if isinstance(base, torch.Tensor):  # ``t.numpy()``: the tensor's storage is the memory
        with torch._C.DisableTorchFunction():
            storage = base.untyped_storage()
            start, size = storage.data_ptr(), storage.nbytes()
        region, owner = (start, start + size), storage
    else:
        start = root.__array_interface__["data"][0] if root is not a else address
        if root.size and start:
            low = sum(min(0, (n - 1) * s) for n, s in zip(root.shape, root.strides, strict=True))
            high = sum(max(0, (n - 1) * s) for n, s in zip(root.shape, root.strides, strict=True))
            region = (start + low, start + high + root.itemsize)
        owner = root
    decode = a.dtype if a.dtype.kind in "biufc" and not a.dtype.hasobject and a.dtype.isnative else None
    return Probe(
        "ndarray", str(a.dtype), decode, False, a.itemsize, tuple(a.shape), tuple(a.strides),
        (address - region[0]) // a.itemsize if region and address else 0, "cpu", int(a.size), address,
        region if address else None, owner if address else None, None, False, "strided",
        bool(a.flags.c_contiguous),
    )


def raw_view(p: Probe) -> np.ndarray:
    """A NumPy view of ``p``'s elements over its raw memory (no copy). Use it at once; never keep it."""
    low, high = p.span()
    buffer = (ctypes.c_char * (high - low)).from_address(low)
    dtype = np.dtype(np.uint16) if p.bfloat16 else p.decode
    assert dtype is not None
    return np.ndarray(p.shape, dtype, buffer=memoryview(buffer), offset=p.address - low, strides=p.byte_strides)


def _numbers(array: np.ndarray, p: Probe) -> np.ndarray:
    if p.bfloat16:
        array = (array.astype(np.uint32) << 16).view(np.float32)
    if p.conj:
        array = np.conj(array)
    if p.neg:
        array = -array
    return array


def read_values(p: Probe) -> Any:
    """``p``'s numbers, nested like ``tolist()`` (a plain number for 0-d); None when they cannot be read here."""
    if not p.readable:
        return None
    return _numbers(raw_view(p), p).tolist()


def read_row(start: int, length: int, decode: np.dtype[Any] | None, bfloat16: bool) -> tuple[bytes, list[Any] | None]:
    """The raw bytes of ``length`` elements at ``start``, and their numbers when the element type is readable."""
    itemsize = 2 if bfloat16 else (decode.itemsize if decode is not None else 1)
    data = ctypes.string_at(start, length * itemsize)
    if decode is None and not bfloat16:
        return data, None
    array = np.frombuffer(data, np.uint16 if bfloat16 else decode)
    if bfloat16:
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return data, array.tolist()


def fingerprint(p: Probe) -> int | None:
    """A checksum of ``p``'s elements (CRC-32 of their bytes in view order); None when they are not read."""
    if p.device != "cpu" or not p.address or not p.numel or p.nbytes > FINGERPRINT_LIMIT:
        return None
    if p.contiguous:
        low, high = p.span()
        return zlib.crc32((ctypes.c_char * (high - low)).from_address(low))
    view = raw_view(p) if p.decode is not None or p.bfloat16 else None
    if view is None:
        return None
    return zlib.crc32(np.ascontiguousarray(view).tobytes())


def element_offsets(p: Probe, row_start: int, limit: int = 4096) -> tuple[list[int], bool] | None:
    """Byte offsets from ``row_start`` of ``p``'s elements, in row-major view order (``True``: all of them).

    Views of more than ``limit`` elements give their distinct offsets only (``False``: no view order), found axis by
    axis so that a broadcast (stride 0) view of a small storage stays cheap.
    """
    if not p.numel or not p.address:
        return None
    base = p.address - row_start
    if p.numel <= limit:
        offsets = [base]
        for n, stride in zip(p.shape, p.byte_strides, strict=True):
            offsets = [o + i * stride for o in offsets for i in range(n)]
        return offsets, True
    distinct = {base}
    for n, stride in zip(p.shape, p.byte_strides, strict=True):
        distinct = {o + i * stride for o in distinct for i in range(n)} if stride else distinct
        if len(distinct) > 1 << 16:
            return None
    return sorted(distinct), False


def boxes_of(offsets: list[int], itemsize: int, box: int) -> list[int]:
    """The boxes (of ``box`` bytes) that elements of ``itemsize`` bytes at ``offsets`` occupy, in the same order."""
    if itemsize == box:
        return [o // box for o in offsets]
    out: list[int] = []
    for o in offsets:
        out.extend(range(o // box, math.ceil((o + itemsize) / box)))
    return out


def decode(p: Probe, data: bytes, start: int) -> Any:
    """``p``'s numbers, nested like ``tolist()``, from ``data`` (a copy of the memory that began at ``start``)."""
    if not p.numel or (p.decode is None and not p.bfloat16):
        return None
    dtype = np.dtype(np.uint16) if p.bfloat16 else p.decode
    assert dtype is not None
    array = np.ndarray(p.shape, dtype, buffer=data, offset=p.address - start, strides=p.byte_strides)
    return _numbers(array, p).tolist()


def decode_row(data: bytes, p: Probe) -> list[Any] | None:
    """Every element of a row of memory read as ``p``'s element type (the row's first name sets it)."""
    if p.decode is None and not p.bfloat16:
        return None
    array = np.frombuffer(data, np.uint16 if p.bfloat16 else p.decode)
    if p.bfloat16:
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return list(array.tolist())
