"""The hooks that see torch calls while a cell runs: a function mode, a dispatch mode, a generator proxy.

- :class:`FunctionMode` (a ``TorchFunctionMode``) sees functions, methods, operators, indexing and descriptor
  reads. It walks up to the cell's frame and keys the call by ``(code, f_lasti, func)``: one dict lookup per
  call. Only the first call of a site is looked at closely (:meth:`Recorder.first_call`); later calls add a
  count and the last result shape.
- :class:`DispatchMode` (a ``TorchDispatchMode``) is entered only when the cell's source mentions what the
  function mode cannot see on torch 2.13 (``torch.from_numpy``, ``torch.Tensor(...)`` and the other legacy
  constructors): it costs a Python call per aten op, about 3x on small ops.
- ``torch.manual_seed`` / ``torch.initial_seed`` are plain Python functions neither mode sees: while the cell
  runs, ``torch.random``'s module global ``default_generator`` is a :class:`GeneratorProxy` that notes those
  calls. Attribute reads of it by the user's code still get the real generator (:class:`RandomModule`).
- While ``torch.jit.trace`` records or ``torch.compile`` traces, the function mode only passes calls on: its
  own work would otherwise land in the user's graph (TracerWarnings, failed sanity checks, graph breaks).

Every op a handler passes on runs from a trampoline (:mod:`.calling`), so its warnings name the user's line.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from .calling import drop_own_entries
from .frames import LIBRARY, InLayer, find_cell_frame
from .layers import modules_on_stack
from .site import layer_key

if TYPE_CHECKING:
    from .recorder import Recorder

_getframe = sys._getframe
_jit_tracing = torch._C._get_tracing_state  # non-None while torch.jit.trace records a graph
#: True only while torch.compile (dynamo) traces the code calling it; a constant to dynamo itself. Bound once:
#: it is checked on every recorded call, where a wrapper function's own call cost shows in the loop benchmark.
_dynamo_compiling = torch.compiler.is_dynamo_compiling
_FORWARD = InLayer.FORWARD
_LIBRARY = LIBRARY
_SETUP = InLayer.SETUP
_Tensor = torch.Tensor
_TO_COPY = torch.ops.aten._to_copy.default


class FunctionMode(TorchFunctionMode):
    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        __tracebackhide__ = True  # noqa: F841  (IPython hides this frame: tracebacks read as without us)
        try:
            if kwargs is None:
                kwargs = {}
            if _dynamo_compiling():
                # torch.compile traces this handler like user code: anything more than the call itself (frame walks,
                # facts) would become graph breaks and "unsupported" warnings the cell does not have without us.
                return func(*args, **kwargs)
            recorder = self.recorder
            caller: Any = _getframe(1)
            # The op runs as from its caller's frame (warnings name that line): cached per caller instruction.
            entry = recorder.calls.get((id(caller.f_code), caller.f_lasti))
            call = entry[1] if entry is not None and entry[2] is caller.f_globals else recorder.trampoline(caller)
            if recorder.code_kinds.get(id(caller.f_code)) is _LIBRARY:
                # Called by torch's own code (an optimizer's update, a loss's internals): the walk would stop at this
                # first frame. Decided before anything else: such calls are the bulk of a training step.
                return call(func, args, kwargs)
            if func in recorder.skip or recorder.closed or _jit_tracing():
                # closed: a mode the user's code left on the stack. While torch.jit.trace runs, every tensor op is
                # recorded into the user's graph, ours included (and each would warn TracerWarning): only the call.
                return call(func, args, kwargs)
            frame, direct, in_layer, internal = find_cell_frame(caller, recorder.code_kinds, recorder.classify, True)
            if frame is None or in_layer == _SETUP:  # not the cell's; or construction, .to(), state_dict()
                return call(func, args, kwargs)
            if in_layer == _FORWARD:
                if internal and recorder.is_layer_bookkeeping(func):
                    return call(func, args, kwargs)
                # One site per layer: the two Linear layers of a Sequential are two calls, not one ×2. A layer
                # without parameters among the arguments (ReLU, pooling) is told apart by its module on the stack:
                # the three ReLUs of a Sequential are model[1], model[3] and model[5], not one relu ×3.
                which = layer_key(args) or id(modules_on_stack(caller, frame, recorder.code_kinds)[0])
                key: tuple[Any, ...] = (id(frame.f_code), frame.f_lasti, func, which)
                site = recorder.sites.get(key)
                if site is None:
                    key = recorder.layer_site_key(key)
                    site = recorder.sites.get(key)
            else:
                key = (id(frame.f_code), frame.f_lasti, func)
                site = recorder.sites.get(key)
            if site is None:
                return recorder.first_call(
                    frame, func, args, kwargs, direct, key, call, caller if in_layer == _FORWARD else None
                )
            if site.watch is not None:
                site.watch(site, args)
            recorder.depth += 1
            try:
                result = call(func, args, kwargs)
            except Exception:
                site.errors += 1
                raise
            finally:
                recorder.depth -= 1
            site.count += 1
            if type(result) is _Tensor:
                site.last_shape = result.shape
            return result
        except BaseException as error:
            drop_own_entries(error)  # the cell's `except` sees the traceback it would without us
            raise


class DispatchMode(TorchDispatchMode):
    """Sees what the function mode does not: ``from_numpy`` and the legacy constructors."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # torch wraps a dispatch mode's handler in ``_disable_dynamo``, whose first call imports torch._dynamo and
        # sympy (2-6 s, inside the user's cell; an interrupt there leaves torch._dynamo half-imported until the
        # kernel restarts). Unwrapped, the handler costs nothing to enter; torch.compile in such a cell still runs
        # (tests/test_tutorial_transparency.py compiles under both modes).
        return False

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        __tracebackhide__ = True  # noqa: F841
        try:
            if kwargs is None:
                kwargs = {}
            recorder = self.recorder
            call = recorder.trampoline(_getframe(1))  # aten kernels' warnings name the caller's line
            recorder.dispatch_events += 1
            if recorder.depth or recorder.closed:
                return call(func, args, kwargs)
            if func not in recorder.dispatch_ops:
                if func is _TO_COPY and recorder.lifted is not None:  # torch.Tensor(float64 array) converts the lift
                    result = call(func, args, kwargs)
                    frame = find_cell_frame(_getframe(1), recorder.code_kinds, recorder.classify, False)[0]
                    if frame is not None:
                        recorder.converted_after_lift(frame, result)
                    return result
                return call(func, args, kwargs)
            frame, direct, _, _ = find_cell_frame(_getframe(1), recorder.code_kinds, recorder.classify, False)
            if frame is None:
                return call(func, args, kwargs)
            key = (id(frame.f_code), frame.f_lasti, "dispatch")
            site = recorder.sites.get(key)
            if site is not None:
                result = call(func, args, kwargs)
                site.count += 1
                if type(result) is _Tensor:
                    site.last_shape = tuple(result.shape)
                return result
            return recorder.first_dispatch(frame, func, args, kwargs, direct, key, call)
        except BaseException as error:
            drop_own_entries(error)
            raise


class GeneratorProxy:
    """Stands in for ``torch.random.default_generator`` during the cell; forwards everything."""

    def __init__(self, real: torch.Generator, recorder: Recorder) -> None:
        self._real = real
        self._recorder = recorder

    def manual_seed(self, seed: Any) -> Any:
        try:
            result = self._real.manual_seed(seed)
        except BaseException as error:  # a seed the generator refuses: the user's traceback, without this frame
            drop_own_entries(error)
            raise
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


class RandomModule(types.ModuleType):
    """``torch.random``'s class while the proxy is its global: attribute reads see the real generator."""

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if name == "default_generator" and type(value) is GeneratorProxy:
            return value._real
        return value
