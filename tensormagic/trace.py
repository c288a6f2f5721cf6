"""Recording torch calls while user code runs, and mapping each to the line of the cell that made it.

What is recorded, and how it stays cheap and reference-free:

- A ``TorchFunctionMode`` sees functions, methods, operators, indexing and descriptor reads. Its
  handler walks ``f_back`` to the innermost frame whose code comes from the cell and keys the call
  by ``(code, f_lasti, func)``: one dict lookup per call. Only the *first* call of a site is looked
  at closely (facts of inputs and result, memory relations); later calls add a count and the last
  result shape. Notes are computed after the cell, from these aggregated sites.
- A ``TorchDispatchMode`` is entered only when the cell's source mentions what the function mode
  cannot see on torch 2.13 (``torch.from_numpy``, ``torch.Tensor(...)``, ``torch.IntTensor(...)`` and
  the other legacy constructors): it costs a Python call per aten op, about 3x on small ops.
- ``torch.manual_seed`` / ``torch.initial_seed`` are plain Python functions that neither mode sees:
  while the cell runs, ``torch.random``'s module global ``default_generator`` is a forwarding proxy
  that notes those two calls (the functions themselves keep their identity). Attribute reads of it by the
  user's code (``torch.random.default_generator``) still get the real generator.
- While ``torch.jit.trace`` records or ``torch.compile`` traces, the function mode only passes calls on: its
  own work would otherwise land in the user's graph (TracerWarnings, failed sanity checks, graph breaks).

- Every op a handler passes on runs from a *trampoline* frame that carries the immediate caller's file
  name, line and globals, so a warning the op raises (C++ ``TORCH_WARN`` or torch's Python
  ``warnings.warn(stacklevel=2)``) names the user's line and registry, exactly as without the recorder.

Nothing here keeps a reference to a user tensor: inputs and results become :class:`Facts`
(``stats=False``, so no reads of values and no device synchronisation) and at most a ``weakref``.
Calls made inside a handler are not seen again by the mode, so tensormagic's own work never records
itself; everything it does in a handler is guarded so a fault of ours never changes the user's call.
"""

from __future__ import annotations

import ast
import contextlib
import dis
import os
import sys
import types
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from .facts import Facts, describe
from .sharing import MemorySpan, Sharing, element_overlap, find_sharing, storage_span

_getframe = sys._getframe

# Code classification for the frame walk (cached per code object).
# _CELL: the cell's own code. _WRAPPER: torch's thin public layers a user call passes through
# (``Tensor.__rsub__``, ``torch.nn.functional``): still the user's call. _PASS: the user's other code
# (functions from other cells, their own modules): walk on, the call maps to the cell line running it.
# _LIBRARY: torch/NumPy/stdlib internals (``opt.step()``'s own tensor maths): not the user's call.
# _BARRIER: IPython and tensormagic themselves (display, our own work): never recorded.
# _MODULE: ``torch/nn/modules`` code (a layer's ``forward``, but also its ``__init__``, ``to()``,
# ``state_dict()``): the user's call only when a _MODULE_CALL frame (``Module.__call__``'s
# ``_call_impl``) sits between it and the cell, i.e. while a forward pass runs. Then the call is
# not direct, like a call from a user function in another cell (``y = layer(x)`` shows ``linear``).
# Construction and bookkeeping (``nn.Linear(4, 2)``'s ``torch.empty`` and ``init.*``) stay silent.
# _MODULE_FORWARD: a torch layer's own ``forward`` (a forward pass even when called as ``layer.forward(x)``).
_PASS, _CELL, _BARRIER, _WRAPPER, _LIBRARY, _MODULE, _MODULE_CALL, _MODULE_FORWARD = 0, 1, 2, 3, 4, 5, 6, 7

#: Calls that only print, hash or inspect a tensor: never worth a step (``print(t)`` calls ``__format__``).
_NOISE_NAMES = frozenset(
    {
        "__repr__",
        "__str__",
        "__format__",
        "__hash__",
        "__dir__",
        "__reduce_ex__",
        "__deepcopy__",
        "__sizeof__",
        "__bool__",
        "__len__",
        "__array__",
        "__array_wrap__",
        "__index__",
        "__int__",
        "__float__",
        "__complex__",
        "__contains__",
        "__iter__",
        "__reversed__",
        "__getstate__",
        "__setstate__",
        "_is_view",
        "is_contiguous",
        "data_ptr",
        "untyped_storage",
        "element_size",
        "dim",
        "ndimension",
        "stride",
        "storage_offset",
        "is_floating_point",
        "is_complex",
        "numel",
        "_typed_storage",
        "storage",
        "__torch_function__",
        "__class__",
        "__eq__hash",
    }
)
#: What torch's own layer code calls besides the layer's maths (shape checks, batch_first transposes, an
#: RNN's zero initial state, BatchNorm's ``num_batches_tracked.add_(1)``): not shown for ``y = layer(x)``.
_LAYER_BOOKKEEPING = frozenset(
    {
        "size",
        "dim",
        "zeros",
        "new_zeros",
        "transpose",
        "unsqueeze",
        "squeeze",
        "add_",
        "is_nested",
        "contiguous",
        "expand",
        "__getitem__",
    }
)
_LAYER_SITES = 16  # layers told apart per cell instruction and function; more share one site
#: Descriptor reads worth a step: they make views. ``t.shape`` / ``t.dtype`` reads are noise.
_KEPT_DESCRIPTORS = frozenset({"T", "mT", "H", "mH", "real", "imag"})

#: Names a cell must mention for the (costly) dispatch mode to be entered.
LEGACY_CONSTRUCTORS = frozenset(
    {
        "Tensor",
        "IntTensor",
        "LongTensor",
        "FloatTensor",
        "DoubleTensor",
        "ShortTensor",
        "HalfTensor",
        "ByteTensor",
        "CharTensor",
        "BoolTensor",
        "BFloat16Tensor",
    }
)
_DISPATCH_TRIGGERS = LEGACY_CONSTRUCTORS | {"from_numpy"}
_SEED_TRIGGERS = frozenset({"manual_seed", "initial_seed", "seed"})

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_BARRIER_DIRS: tuple[str, ...] = (_PACKAGE_DIR + os.sep,)
for _module_name in ("IPython", "ipykernel", "traitlets", "comm", "ipywidgets"):
    _module = sys.modules.get(_module_name)
    _file = getattr(_module, "__file__", None)
    if _file:
        _BARRIER_DIRS += (os.path.dirname(os.path.abspath(_file)) + os.sep,)


@dataclass
class Value:
    """A recorded argument or result, without the object: facts for tensors/arrays, a short repr else."""

    kind: str  # "tensor" | "ndarray" | "number" | "bool" | "dtype" | "shape" | "none" | "data" | "other" | "tuple"
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
    target_sharing: tuple[Sharing, ...] = ()  # in-place calls: who shares the changed memory, at call time
    result_ref: Any = None  # weakref to the first result, for naming it after the cell
    error: ErrorInfo | None = None
    errors: int = 0
    seed: int | None = None
    seeded_in_cell: bool = False
    op: str = ""  # dispatch sites: the aten op seen
    linked_array: Value | None = None  # from_numpy: the ndarray named in the call (found by name)
    linked_relation: str = ""
    linked_name: str | None = None
    # float -> int / float16 conversions of tiny CPU tensors: the first values before and after, as Python numbers
    values: tuple[tuple[Any, ...], tuple[Any, ...]] | None = None


_TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__))
_WRAPPER_FILES = frozenset(
    os.path.join(_TORCH_DIR, *parts)
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


def _library_dirs() -> tuple[str, ...]:
    import sysconfig

    paths = sysconfig.get_paths()
    dirs = {_TORCH_DIR, os.path.dirname(os.path.abspath(np.__file__)), os.path.dirname(os.__file__)}
    dirs.update(paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if paths.get(key))
    return tuple(sorted(os.path.abspath(d) + os.sep for d in dirs)) + ("<frozen ",)


_LIBRARY_DIRS = _library_dirs()


_MODULES_DIR = os.path.join(_TORCH_DIR, "nn", "modules") + os.sep
_MODULE_CALLS = frozenset({"_call_impl", "_wrapped_call_impl"})
#: nn.Module code that is never part of a forward pass, even when a forward runs it (a layer built lazily):
#: silent at once, like any library code.
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


def _flag(code: Any, filenames: frozenset[str]) -> int:
    if code.co_name == _TRAMPOLINE_NAME:
        return _BARRIER  # our call of an op: carries the caller's file name, but is not the caller
    filename = code.co_filename
    if filename in filenames:
        return _CELL
    if filename.startswith(_BARRIER_DIRS):
        return _BARRIER
    if filename in _WRAPPER_FILES:
        return _WRAPPER
    if filename.startswith(_MODULES_DIR):
        if code.co_name in _MODULE_CALLS:
            return _MODULE_CALL
        if code.co_name in _MODULE_SILENT:
            return _LIBRARY
        return _MODULE_FORWARD if code.co_name == "forward" else _MODULE
    if filename.startswith(_LIBRARY_DIRS):
        return _LIBRARY
    return _PASS


def _is_inplace_name(name: str) -> bool:
    if name.startswith("__i") and name.endswith("__") and name not in ("__init__", "__iter__", "__index__"):
        return True
    return name == "__setitem__" or (name.endswith("_") and not name.endswith("__"))


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


def _relation(result: Any, source: Any) -> str:
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


# -- calling the op as its caller would --------------------------------------------------------------
# A handler that called ``func(*args, **kwargs)`` itself would be the frame a warning names: C++
# ``TORCH_WARN`` warns at the running Python frame (``stacklevel=1``), torch's Python code at its caller
# (``stacklevel=2``). Both would then say ``trace.py`` instead of the user's line, and the once-per-location
# ``default`` filter would count our line. So the op is called from a *trampoline*: a one-line function
# whose code carries the immediate caller's file name and current line, run with the caller's globals
# (``__name__`` and ``__warningregistry__`` as without the magic). One per (caller code, instruction),
# cached by the recorder.
_TRAMPOLINE_NAME = "<tensormagic-call>"
_TRAMPOLINE_TEMPLATE: types.CodeType = next(
    const
    for const in compile(
        "def _tm_call(func, args, kwargs): __tracebackhide__ = True; return func(*args, **kwargs)\n",
        "<tensormagic>",
        "exec",
    ).co_consts
    if isinstance(const, types.CodeType)
).replace(co_name=_TRAMPOLINE_NAME)
if sys.version_info >= (3, 11):
    _TRAMPOLINE_TEMPLATE = _TRAMPOLINE_TEMPLATE.replace(co_qualname=_TRAMPOLINE_NAME)

#: Code of torch's ``handle_torch_function``: the function mode's handler is called from it for torch's
#: Python-level functions (``Tensor.resize``, ``F.dropout2d``), below the function the user called.
_HANDLE_TORCH_FUNCTION_CODE = torch.overrides.handle_torch_function.__code__
#: Frames that only exist because a mode is active or a torch function is wrapped (``_disable_dynamo``).
_CALL_PLUMBING_FILES = frozenset(
    os.path.join(_TORCH_DIR, *parts)
    for parts in (("overrides.py",), ("utils", "_python_dispatch.py"), ("_dynamo", "eval_frame.py"), ("_compile.py",))
)


def _immediate_caller(frame: Any) -> Any:
    """The frame that calls the op without the magic, from the frame that called a handler."""
    if frame is not None and frame.f_code is _HANDLE_TORCH_FUNCTION_CODE:
        frame = frame.f_back  # the torch Python function that asked for the override
        frame = frame.f_back if frame is not None else None  # and its caller
    while frame is not None and frame.f_code.co_filename in _CALL_PLUMBING_FILES:
        frame = frame.f_back
    return frame


def make_trampoline(caller: Any) -> Any:
    """``call(func, args, kwargs)`` running from a frame with ``caller``'s file, current line and globals."""
    code = _TRAMPOLINE_TEMPLATE.replace(co_filename=caller.f_code.co_filename, co_firstlineno=caller.f_lineno or 1)
    return types.FunctionType(code, caller.f_globals, _TRAMPOLINE_NAME)


def _direct_call(func: Any, args: Any, kwargs: Any) -> Any:
    __tracebackhide__ = True  # noqa: F841
    return func(*args, **kwargs)


_CO_NEWLOCALS = 0x2


def _frame_namespace(frame: Any) -> dict[str, Any]:
    """The names visible in ``frame`` without side effects: the module-level namespace only, for functions.

    Reading ``f_locals`` of a *function* frame (Python < 3.13) stores a snapshot of its locals in the
    frame, which would keep a tensor the function later ``del``s alive until it returns. Functions'
    local names come from the recorder's own registry instead (:meth:`Recorder.registered_sharing`).
    """
    namespace = dict(frame.f_globals)
    if not frame.f_code.co_flags & _CO_NEWLOCALS and frame.f_locals is not frame.f_globals:
        namespace.update(frame.f_locals)  # module-level code run with separate locals (IPython's user_ns)
    return namespace


_jit_tracing = torch._C._get_tracing_state  # non-None while torch.jit.trace records a graph


#: True only while torch.compile (dynamo) traces the code calling it; a constant to dynamo itself. Bound once:
#: it is checked on every recorded call, where a wrapper function's own call cost shows in the loop benchmark.
_dynamo_compiling = torch.compiler.is_dynamo_compiling


class _FunctionMode(TorchFunctionMode):
    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        __tracebackhide__ = True  # noqa: F841  (IPython hides this frame: tracebacks read as without us)
        if kwargs is None:
            kwargs = {}
        if _dynamo_compiling():
            # torch.compile traces this handler like user code: anything more than the call itself (frame walks,
            # facts) would become graph breaks and "unsupported" warnings the cell does not have without us.
            return func(*args, **kwargs)
        recorder = self.recorder
        frame: Any = _getframe(1)
        # The op runs as from its caller's frame (warnings name that line): cached per caller instruction.
        entry = recorder.calls.get((id(frame.f_code), frame.f_lasti))
        call = entry[1] if entry is not None and entry[2] is frame.f_globals else recorder.trampoline(frame)
        if func in recorder.skip or recorder.closed or _jit_tracing():
            # closed: a mode the user's code left on the stack. While torch.jit.trace runs, every tensor op is
            # recorded into the user's graph, ours included (and each would warn TracerWarning): only the call.
            return call(func, args, kwargs)
        flags = recorder.code_flags
        direct = True
        module = 0  # 1: inside nn.Module code, no forward pass above it (yet); 2: inside a forward pass
        internal = False  # the call was made by torch's own layer code (not a user's forward)
        while frame is not None:
            code = frame.f_code
            # Keyed by id(): hashing a code object hashes its contents; the recorder keeps each code alive.
            flag = flags.get(id(code))
            if flag is None:
                flag = recorder.classify(code)
            if flag == _CELL:
                break
            if flag == _WRAPPER:
                pass
            elif flag == _PASS:
                direct = False
            elif flag == _MODULE:
                if direct and not module:
                    internal = True
                module = 1
            elif flag == _MODULE_CALL:
                direct = False
                module = 2
            elif flag == _MODULE_FORWARD:
                if direct and not module:
                    internal = True
                direct = False
                module = 2
            else:
                return call(func, args, kwargs)
            frame = frame.f_back
        else:
            return call(func, args, kwargs)
        if module:
            if module == 1:  # construction, .to(), state_dict(): the module's own business
                return call(func, args, kwargs)
            if internal and recorder.is_layer_bookkeeping(func):
                return call(func, args, kwargs)
            # One site per layer: the two Linear layers of a Sequential are two calls, not one ×2.
            key: tuple[Any, ...] = (id(code), frame.f_lasti, func, _layer_key(args))
            site = recorder.sites.get(key)
            if site is None:
                key = recorder.layer_site_key(key)
                site = recorder.sites.get(key)
        else:
            key = (id(code), frame.f_lasti, func)
            site = recorder.sites.get(key)
        if site is None:
            return recorder.first_call(frame, func, args, kwargs, direct, key, call)
        recorder.depth += 1
        try:
            result = call(func, args, kwargs)
        except Exception:
            site.errors += 1
            raise
        finally:
            recorder.depth -= 1
        site.count += 1
        if type(result) is torch.Tensor:
            site.last_shape = result.shape
        return result


class _DispatchMode(TorchDispatchMode):
    """Sees what the function mode does not: ``from_numpy`` and the legacy constructors."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        __tracebackhide__ = True  # noqa: F841
        if kwargs is None:
            kwargs = {}
        recorder = self.recorder
        call = recorder.trampoline(_getframe(1))  # aten kernels' warnings name the caller's line
        if recorder.depth or recorder.closed or func not in recorder.dispatch_ops:
            return call(func, args, kwargs)
        frame, direct = recorder.cell_frame(_getframe(1))
        if frame is None:
            return call(func, args, kwargs)
        key = (id(frame.f_code), frame.f_lasti, "dispatch")
        site = recorder.sites.get(key)
        result = call(func, args, kwargs)
        if site is not None:
            site.count += 1
            if type(result) is torch.Tensor:
                site.last_shape = tuple(result.shape)
            return result
        with recorder.guard():
            site = recorder.new_site(key, frame, "dispatch", "dispatch")
            site.direct = direct
            site.op = str(func)
            site.result = summarize(result)
            site.last_shape = tuple(result.shape) if isinstance(result, torch.Tensor) else None
            site.result_ref = _weak(result)
            if direct:
                recorder.link_named_array(site, frame, result)
                recorder.register(frame, result, site.linked_name)
        return result


class _GeneratorProxy:
    """Stands in for ``torch.random.default_generator`` during the cell; forwards everything."""

    def __init__(self, real: torch.Generator, recorder: Recorder) -> None:
        self._real = real
        self._recorder = recorder

    def manual_seed(self, seed: Any) -> Any:
        result = self._real.manual_seed(seed)
        self._recorder.seed_call("torch.manual_seed", _getframe(1), self._real.initial_seed())
        return result

    def initial_seed(self) -> int:
        value = self._real.initial_seed()
        self._recorder.seed_call("torch.initial_seed", _getframe(1), value)
        return value

    def seed(self) -> int:
        value = self._real.seed()
        self._recorder.seed_call("torch.seed", _getframe(1), value)
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _RandomModule(types.ModuleType):
    """``torch.random``'s class while the proxy is its global: attribute reads see the real generator."""

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if name == "default_generator" and type(value) is _GeneratorProxy:
            return value._real
        return value


#: Methods that convert the element type (``t.int()``, ``t.type(torch.int64)``, ``t.to(torch.float16)``).
_CONVERSION_NAMES = frozenset({"int", "long", "short", "char", "byte", "half", "bfloat16", "type", "to"})
_VALUES_LIMIT = 8  # elements: larger tensors keep the general sentence (no reads of their values)
_Parameter = torch.nn.Parameter
_PLAIN_TENSORS = (torch.Tensor, _Parameter)


def _conversion_values(source: Any, result: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
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


def _layer_key(args: Any) -> int:
    """Which layer made a call inside a forward pass: its first parameter among the arguments (0: none)."""
    for arg in args[:4]:
        if isinstance(arg, _Parameter):
            return id(arg)
    return 0


def _weak(obj: Any) -> Any:
    try:
        return weakref.ref(obj)
    except TypeError:
        return None


class Recorder:
    """Records the torch calls made by code compiled from ``filenames`` while it is active."""

    def __init__(self, filenames: set[str] | frozenset[str], source: str = "") -> None:
        self.filenames = frozenset(filenames)
        self.sites: dict[tuple[Any, ...], Site] = {}
        self.code_flags: dict[int, int] = {}
        self._codes: list[Any] = []
        self.skip: set[Any] = set()
        self.bookkeeping: dict[Any, bool] = {}
        self.layer_sites: dict[tuple[Any, ...], int] = {}
        self.depth = 0
        self.closed = False
        self.order = 0
        self.internal_errors: list[str] = []
        self.named: list[tuple[Any, MemorySpan, tuple[str, ...]]] = []
        self.seeded_at: int | None = None
        self.seed_before = torch._C.default_generator.initial_seed()  # a read: draws nothing
        names = _mentioned_names(source)
        self.use_dispatch = bool(names & _DISPATCH_TRIGGERS)
        self.use_seed_proxy = bool(names & _SEED_TRIGGERS)
        self.dispatch_ops = {torch.ops.aten.lift_fresh.default, torch.ops.aten.empty.memory_format}
        self._stack: contextlib.ExitStack | None = None
        self._saved_generator: Any = None
        # (id(caller code), f_lasti) -> (caller code, trampoline, caller globals): calls made as from the caller
        self.calls: dict[tuple[int, int], tuple[Any, Any, Any]] = {}

    # -- activation ---------------------------------------------------------------------------------
    def __enter__(self) -> Recorder:
        stack = contextlib.ExitStack()
        if self.use_seed_proxy:
            import torch.random as torch_random

            self._saved_generator = torch_random.default_generator
            torch_random.default_generator = _GeneratorProxy(self._saved_generator, self)  # type: ignore[assignment]
            stack.callback(self._restore_generator)
            if type(torch_random) is types.ModuleType:
                # The user's own reads (``torch.random.default_generator``, ``from torch.random import ...``) go
                # through the module's class and must get the real generator: a proxy kept in a variable would
                # print as one and fail ``torch.rand(2, generator=g)``. The module's functions read the global.
                torch_random.__class__ = _RandomModule
                stack.callback(setattr, torch_random, "__class__", types.ModuleType)
        stack.enter_context(_FunctionMode(self))
        if self.use_dispatch:
            stack.enter_context(_DispatchMode(self))
        self._stack = stack
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True
        if self._stack is not None:
            self._stack.close()
            self._stack = None
        self.calls.clear()  # trampolines hold their callers' globals: not past the cell

    def trampoline(self, frame: Any) -> Any:
        """How to call the op so that it runs from its immediate caller's file, line and globals.

        ``frame`` is the frame that called the handler. Cached per caller instruction while recording.
        """
        caller = _immediate_caller(frame)
        if caller is None:
            return _direct_call
        key = (id(caller.f_code), caller.f_lasti)
        entry = self.calls.get(key)
        if entry is not None and entry[2] is caller.f_globals:
            return entry[1]
        try:
            call = make_trampoline(caller)
        except Exception:  # noqa: BLE001 - a call from our frame is still the user's call
            return _direct_call
        if not self.closed:
            self.calls[key] = (caller.f_code, call, caller.f_globals)  # the code stays alive: its id() stays its
        return call

    def _restore_generator(self) -> None:
        import torch.random as torch_random

        torch_random.default_generator = self._saved_generator

    # -- helpers used by the handlers ---------------------------------------------------------------
    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Our own analysis: never lets a fault of ours reach the user's call."""
        self.depth += 1
        try:
            yield
        except Exception as error:  # noqa: BLE001 - recorded and reported as "explanation incomplete"
            self.internal_errors.append(f"{type(error).__name__}: {error}".splitlines()[0][:200])
        finally:
            self.depth -= 1

    def layer_site_key(self, key: tuple[Any, ...]) -> tuple[Any, ...]:
        """A new layer's key, or the shared one once a cell instruction has run many layers.

        A loop that builds a new model every time (``y = nn.Linear(4, 2)(x)``) would otherwise make a
        site per iteration.
        """
        base = key[:3]
        count = self.layer_sites.get(base, 0)
        if count >= _LAYER_SITES:
            return (*base, -1)
        self.layer_sites[base] = count + 1
        return key

    def is_layer_bookkeeping(self, func: Any) -> bool:
        """Calls torch's layers make besides their maths (``x.size(0)``, an RNN's zero ``h0``): not shown."""
        known = self.bookkeeping.get(func)
        if known is None:
            known = self.bookkeeping[func] = func_short_name(func) in _LAYER_BOOKKEEPING
        return known

    def classify(self, code: Any) -> int:
        flag = self.code_flags[id(code)] = _flag(code, self.filenames)
        self._codes.append(code)  # keeps the id() key valid for the recorder's lifetime
        return flag

    def cell_frame(self, frame: Any) -> tuple[Any, bool]:
        """The innermost cell frame above ``frame``, and whether the call came straight from it."""
        flags = self.code_flags
        direct = True
        while frame is not None:
            code = frame.f_code
            flag = flags.get(id(code))
            if flag is None:
                flag = self.classify(code)
            if flag == _CELL:
                return frame, direct
            if flag >= _BARRIER and flag != _WRAPPER:
                return None, False
            if flag == _PASS:
                direct = False
            frame = frame.f_back
        return None, False

    def new_site(self, key: tuple[Any, ...], frame: Any, func: Any, kind: str) -> Site:
        self.order += 1
        site = Site(code=frame.f_code, lasti=frame.f_lasti, func=func, kind=kind, order=self.order, count=1)
        self.sites[key] = site
        return site

    def first_call(
        self,
        frame: Any,
        func: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        direct: bool = True,
        key: tuple[Any, ...] | None = None,
        call: Any = _direct_call,
    ) -> Any:
        """The first call at a site: the one looked at closely (inputs before, result after)."""
        __tracebackhide__ = True  # noqa: F841
        name = func_short_name(func)
        kind = getattr(func, "__name__", None)
        is_descriptor = kind in ("__get__", "__set__", "__delete__")
        if name in _NOISE_NAMES or (is_descriptor and (kind != "__get__" or name not in _KEPT_DESCRIPTORS)):
            self.skip.add(func)
            return call(func, args, kwargs)
        if key is None:
            key = (id(frame.f_code), frame.f_lasti, func)
        site: Site | None = None
        inplace = _is_inplace_name(name) or "out" in kwargs
        with self.guard():
            site = self.new_site(key, frame, func, "descriptor" if is_descriptor else "function")
            site.direct = direct
            site.args = tuple(summarize(a) for a in args[:8])
            site.kwargs = {k: summarize(v) for k, v in list(kwargs.items())[:8]}
            if inplace and args and isinstance(args[0], torch.Tensor):
                found = find_sharing(args[0], _frame_namespace(frame))
                site.target_sharing = found + self.registered_sharing(args[0], {s.name for s in found})
        self.depth += 1
        try:
            result = call(func, args, kwargs)
        except Exception as error:
            if site is not None:
                site.errors += 1
                site.error = ErrorInfo(type(error).__name__, str(error).strip()[:600])
            raise
        finally:
            self.depth -= 1
        if site is not None:
            with self.guard():
                site.result = summarize(result)
                if isinstance(result, torch.Tensor):
                    site.last_shape = tuple(result.shape)
                    site.result_ref = _weak(result)
                    if direct:
                        self.register(frame, result)
                    site.relations = tuple(
                        _relation(result, a) if isinstance(a, torch.Tensor | np.ndarray) else "" for a in args[:8]
                    )
                    if name in _CONVERSION_NAMES and args and isinstance(args[0], torch.Tensor):
                        site.values = _conversion_values(args[0], result)
                elif isinstance(result, np.ndarray):
                    site.result_ref = _weak(result)
                    site.relations = tuple(
                        _relation(result, a) if isinstance(a, torch.Tensor) else "" for a in args[:8]
                    )
                if _is_rng_name(name):
                    site.seed = torch._C.default_generator.initial_seed()  # a read: draws nothing
                    site.seeded_in_cell = self.seeded_at is not None
        return result

    def link_named_array(self, site: Site, frame: Any, result: Any) -> None:
        """``torch.from_numpy(n1)``: find ``n1`` by name in the frame (no evaluation) and relate memory."""
        call = _node_at(frame.f_code, frame.f_lasti)
        if not isinstance(call, ast.Call):
            return
        # Only the data argument: ``torch.Tensor(size=(2, 3))`` has a tuple that is a shape, not data.
        candidates = [*call.args[:1], *(k.value for k in call.keywords if k.arg in ("data", "ndarray"))]
        namespace: Mapping[str, Any] | None = None
        for node in candidates[:1]:
            if isinstance(node, ast.Name):
                site.linked_name = node.id
                namespace = namespace or _frame_namespace(frame)
                value = namespace.get(node.id)
                if isinstance(value, np.ndarray | torch.Tensor):
                    site.linked_array = summarize(value)
                    site.linked_relation = _relation(result, value)
                elif isinstance(value, list | tuple):
                    site.linked_array = Value("data", data=summarize_data(value), type_name=type(value).__name__)
            else:
                with contextlib.suppress(ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    literal = ast.literal_eval(node)
                    if isinstance(literal, list | tuple):
                        site.linked_array = Value(
                            "data", data=summarize_data(literal), type_name=type(literal).__name__
                        )

    def register(self, frame: Any, result: Any, also: str | None = None) -> None:
        """Remember which names the source gives this result (``t1 = torch.from_numpy(n1)``: t1, n1).

        Only a weakref and the byte range are kept; in-place calls later ask which registered, still
        alive objects share the memory they change (function locals are never read from frames).
        """
        node = _node_at(frame.f_code, frame.f_lasti)
        parent = getattr(node, "_tm_parent", None)
        names = []
        if isinstance(parent, ast.Assign) and parent.value is node:
            names = [t.id for t in parent.targets if isinstance(t, ast.Name)]
        if also:
            names.append(also)
        span = storage_span(result)
        ref = _weak(result)
        if names and span is not None and ref is not None:
            self.named.append((ref, span, tuple(names)))

    def registered_sharing(self, target: Any, known: set[str]) -> tuple[Sharing, ...]:
        span = storage_span(target)
        if span is None:
            return ()
        found: dict[str, Sharing] = {}
        for ref, other, names in self.named:
            if ref() is None or not span.overlaps(other):
                continue  # dead objects' memory may have been reused: never name them
            for name in names:
                if name not in known and name not in found:
                    found[name] = Sharing(name, "tensor", "shares", "unknown")
        return tuple(found.values())

    def seed_call(self, name: str, frame: Any, value: int) -> None:
        if self.depth:
            return
        frame, direct = self.cell_frame(frame)
        if frame is None:
            return
        with self.guard():
            key = (id(frame.f_code), frame.f_lasti, name)
            site = self.sites.get(key)
            if site is None:
                site = self.new_site(key, frame, name, "seed")
                site.direct = direct
            else:
                site.count += 1
            site.seed = value
            if site.result is None:
                site.result = (
                    Value("number", value=value, type_name="int")
                    if name != "torch.manual_seed"
                    else Value("other", type_name="torch.Generator")
                )
            if name != "torch.initial_seed":
                self.seeded_at = self.order


#: Functions that draw random numbers (``__name__``): their first call also reads the seed in force.
RNG_FUNCTIONS = frozenset(
    {
        "rand",
        "randn",
        "randint",
        "rand_like",
        "randn_like",
        "randint_like",
        "randperm",
        "normal",
        "bernoulli",
        "multinomial",
        "poisson",
        "uniform_",
        "normal_",
        "random_",
        "exponential_",
        "bernoulli_",
        "cauchy_",
        "geometric_",
        "log_normal_",
        "dropout",
        "dropout_",
        "rrelu",
    }
)


def _is_rng_name(name: str) -> bool:
    return name in RNG_FUNCTIONS


def _mentioned_names(source: str) -> set[str]:
    """Identifiers a source mentions (names and attribute names), for deciding which hooks to enter."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        # IPython syntax the caller did not transform: fall back to a word scan (over-inclusive is fine).
        import re

        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add(node.name.rsplit(".", 1)[-1])
            if node.asname:
                names.add(node.asname)
    return names


# -- source positions -------------------------------------------------------------------------------
_SOURCES: dict[str, str] = {}


def register_source(filename: str, source: str) -> None:
    """The source compiled under ``filename`` (AST lookups for positions)."""
    _SOURCES[filename] = source


@dataclass(frozen=True)
class Position:
    line: int
    end_line: int
    col: int
    end_col: int
    opname: str
    oparg: int


def position(code: Any, lasti: int) -> Position:
    """The source span and instruction at byte offset ``lasti`` of ``code``."""
    line = end_line = col = end_col = -1
    positions = getattr(code, "co_positions", None)
    if positions is not None:
        for index, entry in enumerate(positions()):
            if index == lasti // 2:
                line, end_line, col, end_col = (v if v is not None else -1 for v in entry)
                break
    if line < 0:
        for start, _end, lineno in code.co_lines():
            if start <= lasti:
                line = end_line = lineno if lineno is not None else line
    raw = code.co_code
    opcode = raw[lasti] if 0 <= lasti < len(raw) else 0
    oparg = raw[lasti + 1] if 0 <= lasti + 1 < len(raw) else 0
    return Position(line, end_line, col, end_col, dis.opname[opcode], oparg)


_PARSED: dict[str, tuple[ast.AST | None, dict[tuple[int, int, int, int], ast.AST]]] = {}


def _parsed(source: str) -> tuple[ast.AST | None, dict[tuple[int, int, int, int], ast.AST]]:
    """The source's AST (nodes know their parent) and an index from exact span to node, built once."""
    if source not in _PARSED:
        if len(_PARSED) > 64:
            _PARSED.clear()
        try:
            tree: ast.AST | None = ast.parse(source)
        except SyntaxError:
            tree = None
        index: dict[tuple[int, int, int, int], ast.AST] = {}
        if tree is not None:
            for parent in ast.walk(tree):
                for child in ast.iter_child_nodes(parent):
                    child._tm_parent = parent  # type: ignore[attr-defined]
                span = (
                    getattr(parent, "lineno", None),
                    getattr(parent, "end_lineno", None),
                    getattr(parent, "col_offset", None),
                    getattr(parent, "end_col_offset", None),
                )
                if None in span:
                    continue
                known = index.get(span)  # type: ignore[arg-type]
                # An expression wins over a statement with the same span (``t += 1`` keeps the statement).
                if known is None or (isinstance(parent, ast.expr) and not isinstance(known, ast.expr)):
                    index[span] = parent  # type: ignore[index]
        _PARSED[source] = (tree, index)
    return _PARSED[source]


def _tree_index(filename: str) -> dict[tuple[int, int, int, int], ast.AST] | None:
    source = _SOURCES.get(filename)
    if source is None:
        import linecache

        lines = linecache.getlines(filename)
        source = "".join(lines) if lines else None
    if source is None:
        return None
    return _parsed(source)[1]


def node_at(code: Any, lasti: int) -> tuple[ast.AST | None, Position]:
    """The AST node whose span is exactly the instruction's (the call, operator or subscript)."""
    pos = position(code, lasti)
    index = _tree_index(code.co_filename)
    if index is None or pos.col < 0:
        return None, pos
    return index.get((pos.line, pos.end_line, pos.col, pos.end_col)), pos


def _node_at(code: Any, lasti: int) -> ast.AST | None:
    return node_at(code, lasti)[0]


# -- tracebacks -------------------------------------------------------------------------------------
#: torch frames that only exist because a mode is active (they sit next to our handler frames).
_MODE_PLUMBING = tuple(
    os.path.join(os.path.dirname(os.path.abspath(torch.__file__)), *parts)
    for parts in (("overrides.py",), ("utils", "_python_dispatch.py"), ("_dynamo", "eval_frame.py"), ("_compile.py",))
)


def _is_ours(tb: Any) -> bool:
    code = tb.tb_frame.f_code
    return code.co_name == _TRAMPOLINE_NAME or str(code.co_filename).startswith(_PACKAGE_DIR + os.sep)


def prune_traceback(tb: Any) -> None:
    """Unlink, in place, the traceback entries the recording added (our handlers and torch's mode plumbing).

    A user's error then shows the same frames as without ``%%explain``. Chains that never passed
    through tensormagic are left untouched.
    """
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    if not any(_is_ours(e) for e in entries[1:]):
        return
    drop = {i for i, e in enumerate(entries) if _is_ours(e) and i > 0}  # the head is the caller's own frame
    for i in sorted(drop):
        j = i - 1  # the mode plumbing that called our handler
        while j >= 0 and j not in drop and str(entries[j].tb_frame.f_code.co_filename).startswith(_MODE_PLUMBING):
            drop.add(j)
            j -= 1
        k = i + 1  # and the plumbing our handler called back into
        while (
            k < len(entries)
            and k not in drop
            and str(entries[k].tb_frame.f_code.co_filename).startswith(_MODE_PLUMBING)
        ):
            drop.add(k)
            k += 1
    kept = [e for i, e in enumerate(entries) if i not in drop]
    # A Python-level Tensor method runs twice under a mode (outer wrapper, then again from the handler):
    # keep one of the two identical frames.
    deduped: list[Any] = []
    for entry in kept:
        if (
            deduped
            and deduped[-1].tb_frame.f_code is entry.tb_frame.f_code
            and deduped[-1].tb_frame is not entry.tb_frame
        ):
            deduped[-1] = entry
            continue
        deduped.append(entry)
    if not deduped or deduped[0] is not entries[0]:
        return  # never drop the head: callers hold it
    for before, after in zip(deduped, deduped[1:], strict=False):
        before.tb_next = after
    deduped[-1].tb_next = None
