"""Which frame of the stack made a torch call: the cell's, the user's, torch's, or ours.

Every code object is classified once (:func:`classify`) into a :class:`FrameKind`; the recorder caches the kind
per code object, so the walk from a handler up to the cell's frame (:func:`find_cell_frame`) costs a dict
lookup per frame. The walk's policy says whether it may pass through ``nn.Module`` code (a forward pass is
the user's call made through a layer) or must stop there.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Callable
from enum import IntEnum
from types import CodeType, FrameType
from typing import Any

import numpy as np
import torch


class FrameKind(IntEnum):
    """What a code object is to the recorder."""

    #: The user's other code (functions from other cells, their own modules): walk on; the call maps to the
    #: cell line running it, and is not *direct*.
    USER = 0
    #: The cell's own code.
    CELL = 1
    #: IPython, ipykernel and tensormagic itself (display, our own work): never recorded.
    OURS = 2
    #: torch's thin public layers a user call passes through (``Tensor.__rsub__``, ``torch.nn.functional``):
    #: still the user's call.
    TORCH_WRAPPER = 3
    #: torch/NumPy/stdlib internals (``opt.step()``'s own tensor maths): not the user's call.
    LIBRARY = 4
    #: ``torch/nn/modules`` code other than ``forward`` (``__init__`` aside, which is LIBRARY): the user's call
    #: only while a forward pass runs above it.
    LAYER_CODE = 5
    #: ``Module.__call__`` (``_call_impl``): a forward pass starts here.
    LAYER_CALL = 6
    #: A torch layer's own ``forward`` (a forward pass even when called as ``layer.forward(x)``).
    LAYER_FORWARD = 7


class InLayer(IntEnum):
    """Where a call sits with respect to ``nn.Module`` code, as the walk found it."""

    NO = 0
    #: Module code with no forward pass above it: construction, ``.to()``, ``state_dict()``: not shown.
    SETUP = 1
    #: Inside a forward pass: shown, labelled with the layer.
    FORWARD = 2


USER, CELL, OURS, TORCH_WRAPPER, LIBRARY, LAYER_CODE, LAYER_CALL, LAYER_FORWARD = FrameKind
_NO_LAYER, _SETUP, _FORWARD = InLayer

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__))


def _ours() -> tuple[str, ...]:
    dirs = [_PACKAGE_DIR + os.sep]
    for name in ("IPython", "ipykernel", "traitlets", "comm", "ipywidgets"):
        file = getattr(sys.modules.get(name), "__file__", None)
        if file:
            dirs.append(os.path.dirname(os.path.abspath(file)) + os.sep)
    return tuple(dirs)


def _library_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {TORCH_DIR, os.path.dirname(os.path.abspath(np.__file__)), os.path.dirname(os.__file__)}
    dirs.update(paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if paths.get(key))
    return tuple(sorted(os.path.abspath(d) + os.sep for d in dirs)) + ("<frozen ",)


_OURS_DIRS = _ours()
_LIBRARY_DIRS = _library_dirs()
_WRAPPER_FILES = frozenset(
    os.path.join(TORCH_DIR, *parts)
    for parts in (
        ("__init__.py",),
        ("_tensor.py",),
        ("functional.py",),
        ("overrides.py",),
        ("random.py",),
        ("_ops.py",),
        ("_compile.py",),
        ("_jit_internal.py",),
        ("nn", "functional.py"),
        ("_dynamo", "eval_frame.py"),
        ("utils", "_python_dispatch.py"),
    )
)
_MODULES_DIR = os.path.join(TORCH_DIR, "nn", "modules") + os.sep
_MODULE_CALLS = frozenset({"_call_impl", "_wrapped_call_impl"})
#: nn.Module code that is never part of a forward pass, even when a forward runs it (a layer built lazily).
_MODULE_SILENT = frozenset(
    {
        "__init__",
        "reset_parameters",
        "_reset_parameters",
        "__setattr__",
        "register_parameter",
        "register_buffer",
        "_apply",
        "state_dict",
        "_save_to_state_dict",
        "load_state_dict",
        "_load_from_state_dict",
        "zero_grad",
        "extra_repr",
        "__repr__",
    }
)
#: The name of tensormagic's own call frames that carry the caller's file name (see :mod:`.calling`).
TRAMPOLINE_NAME = "<tensormagic-call>"


def classify(code: CodeType, cell_files: frozenset[str]) -> FrameKind:
    """The kind of ``code`` for a recording of code compiled from ``cell_files``."""
    if code.co_name == TRAMPOLINE_NAME:
        return OURS  # our call of an op: carries the caller's file name, but is not the caller
    filename = code.co_filename
    if filename in cell_files:
        return CELL
    if filename.startswith(_OURS_DIRS):
        return OURS
    if filename in _WRAPPER_FILES:
        return TORCH_WRAPPER
    if filename.startswith(_MODULES_DIR):
        if code.co_name in _MODULE_CALLS:
            return LAYER_CALL
        if code.co_name in _MODULE_SILENT:
            return LIBRARY
        return LAYER_FORWARD if code.co_name == "forward" else LAYER_CODE
    if filename.startswith(_LIBRARY_DIRS):
        return LIBRARY
    return USER


def find_cell_frame(
    frame: FrameType | None,
    kinds: dict[int, int],
    classify_code: Callable[[CodeType], int],
    through_layers: bool,
    through_library: bool = False,
) -> tuple[FrameType | None, bool, InLayer, bool]:
    """Walk up from ``frame`` to the innermost cell frame.

    Returns ``(cell frame or None, direct, in_layer, internal)``: *direct* when no user function sits between
    the call and the cell; *in_layer* whether module code was passed (and whether a forward pass runs);
    *internal* when the call was made by torch's own layer code rather than a user's ``forward``. Without
    ``through_layers`` any torch code stops the walk (None); ``through_library`` walks on through torch's and the
    standard library's code (an optimizer's ``step`` wrapper calling a hook), never through ours. ``kinds``
    caches :func:`classify` by ``id(code)``; ``classify_code`` fills it.
    """
    direct = True
    in_layer = _NO_LAYER
    internal = False
    while frame is not None:
        code = frame.f_code
        # Keyed by id(): hashing a code object hashes its contents; the caller keeps each code alive.
        kind = kinds.get(id(code))
        if kind is None:
            kind = classify_code(code)
        if kind == CELL:
            return frame, direct, in_layer, internal
        if kind == USER:
            direct = False
        elif kind == TORCH_WRAPPER:
            pass
        elif through_library and kind != OURS:
            pass  # an API's own code (an optimizer's step wrapper): the cell's call is still direct
        elif not through_layers:
            return None, False, in_layer, internal
        elif kind == LAYER_CODE:
            if direct and not in_layer:
                internal = True
            in_layer = _SETUP  # module code outside a forward pass (``model.apply(fn)``) is setup again
        elif kind == LAYER_CALL:
            direct = False
            in_layer = _FORWARD
        elif kind == LAYER_FORWARD:
            if direct and not in_layer:
                internal = True
            direct = False
            in_layer = _FORWARD
        else:
            return None, False, in_layer, internal
        frame = frame.f_back
    return None, False, in_layer, internal


_CO_NEWLOCALS = 0x2


def frame_namespace(frame: Any) -> dict[str, Any]:
    """The names visible in ``frame`` without side effects: the module-level namespace only, for functions.

    Reading ``f_locals`` of a *function* frame (Python < 3.13) stores a snapshot of its locals in the frame,
    which would keep a tensor the function later ``del``s alive until it returns. Functions' local names come
    from the recorder's own registry instead (:class:`~tensormagic.record.names.NameRegistry`).
    """
    namespace = dict(frame.f_globals)
    if not frame.f_code.co_flags & _CO_NEWLOCALS and frame.f_locals is not frame.f_globals:
        namespace.update(frame.f_locals)  # module-level code run with separate locals (IPython's user_ns)
    return namespace


def is_module_level(frame: Any) -> bool:
    """True for a cell's top level (its names are the namespace's), False for a function's frame."""
    return not frame.f_code.co_flags & _CO_NEWLOCALS
