"""The recorder: activates the hooks of :mod:`.modes` while a cell runs and keeps one :class:`Site` per call site.

Nothing here keeps a reference to a user tensor: inputs and results become summaries and at most a ``weakref``.
Calls made inside a handler are not seen again by the mode, so tensormagic's own work never records itself;
everything it does in a handler runs under :meth:`Recorder.guard`, so a fault of ours never changes the user's
call, and with user tensor subclasses' ``__torch_function__`` switched off, so a subclass never sees our
inspection of its instances.
"""

from __future__ import annotations

import ast
import contextlib
import types
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np
import torch
from torch.utils._python_dispatch import _disable_current_modes

from ..ops import (
    CONVERSIONS,
    CONVERTING_METHODS,
    DISPATCH_ONLY_CALLS,
    INSPECTION_CALLS,
    LAYER_BOOKKEEPING,
    MEMORY_SHARING_CALLS,
    RNG_FUNCTIONS,
    SEED_FUNCTIONS,
    VIEW_ATTRIBUTES,
    is_inplace,
)
from ..source import mentioned_names, node_at, registered
from .calling import direct_call, immediate_caller, make_trampoline
from .frames import classify, find_cell_frame, frame_namespace, is_module_level
from .layers import LayerNames, modules_on_stack, own_parameters, remember_output, summary
from .modes import DispatchMode, FunctionMode, GeneratorProxy, RandomModule
from .names import NameRegistry
from .site import (
    ErrorInfo,
    LayerInfo,
    Site,
    Value,
    conversion_values,
    func_short_name,
    memory_relation,
    summarize,
    summarize_data,
    weak,
)
from .training import TrainingHooks, adds_to_existing, after_backward, before_backward, cell_frame_through_library
from .values import value_facts

_LAYER_SITES = 16  # layers told apart per cell instruction and function; more share one site
_CONVERTERS = frozenset({*CONVERSIONS, *CONVERTING_METHODS}) - {"float", "double", "bool", "cfloat", "cdouble"}


class Observer(Protocol):
    """Sees the first call of every site, before and after it runs (the claims checker's witness)."""

    def before(self, site: Site, frame: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None: ...

    def after(self, site: Site, frame: Any, result: Any, error: BaseException | None) -> None: ...


class Recorder:
    """Records the torch calls made by code compiled from ``filenames`` while it is active.

    ``source`` (the cell's text) decides which hooks are needed: the dispatch mode only when the cell calls
    ``from_numpy`` or a legacy constructor, the generator proxy only when it names a seed function.
    """

    def __init__(
        self, filenames: set[str] | frozenset[str], source: str = "", observer: Observer | None = None
    ) -> None:
        self.filenames = frozenset(filenames)
        self.observer = observer
        self.sites: dict[tuple[Any, ...], Site] = {}
        self.code_kinds: dict[int, int] = {}
        self._codes: list[Any] = []  # keeps every classified code alive, so its id() stays its key
        self.skip: set[Any] = set()
        self.bookkeeping: dict[Any, bool] = {}
        self.layer_sites: dict[tuple[Any, ...], int] = {}
        self.depth = 0
        self.closed = False
        self.order = 0
        self.internal_errors: list[str] = []
        self.names = NameRegistry()
        self.seeded_at: int | None = None
        self.seed_before = torch._C.default_generator.initial_seed()  # a read: draws nothing
        mentioned = mentioned_names(source)
        self.use_dispatch = needs_dispatch_mode(source)
        self.use_seed_proxy = bool(mentioned & SEED_FUNCTIONS)
        self.watch_zero_grad = "zero_grad" in mentioned
        self.watch_step = "step" in mentioned
        self.layer_names = LayerNames()
        self._api_frames: dict[int, Any] = {}  # site order -> cell frame, while an API call (step) runs
        self.dispatch_ops = {torch.ops.aten.lift_fresh.default, torch.ops.aten.empty.memory_format}
        self.dispatch_events = 0
        self.lifted: tuple[Site, int, Any] | None = None  # the last lift_fresh site, its event number, its frame
        self._stack: contextlib.ExitStack | None = None
        self._saved_generator: Any = None
        # (id(caller code), f_lasti) -> (caller code, trampoline, caller globals): calls made as from the caller
        self.calls: dict[tuple[int, int], tuple[Any, Any, Any]] = {}

    # -- activation ---------------------------------------------------------------------------------------------
    def __enter__(self) -> Recorder:
        # Kept from the start: if an interrupt stops this half-way, __exit__ still undoes what was entered.
        stack = self._stack = contextlib.ExitStack()
        if self.use_seed_proxy:
            import torch.random as torch_random

            self._saved_generator = torch_random.default_generator
            torch_random.default_generator = GeneratorProxy(self._saved_generator, self)  # type: ignore[assignment]
            stack.callback(self._restore_generator)
            if type(torch_random) is types.ModuleType:
                # The user's own reads (``torch.random.default_generator``) go through the module's class and must
                # get the real generator: a proxy kept in a variable would print as one and fail
                # ``torch.rand(2, generator=g)``. The module's functions read the global.
                torch_random.__class__ = RandomModule
                stack.callback(setattr, torch_random, "__class__", types.ModuleType)
        if self.watch_zero_grad or self.watch_step:
            hooks = TrainingHooks(self, self.watch_zero_grad, self.watch_step)
            stack.callback(hooks.close)
        stack.enter_context(FunctionMode(self))
        if self.use_dispatch:
            stack.enter_context(DispatchMode(self))
        return self

    def __exit__(self, *exc: object) -> None:
        self.closed = True
        if self._stack is not None:
            self._stack.close()
            self._stack = None
        self.calls.clear()  # trampolines hold their callers' globals: not past the cell
        self.lifted = None
        self._api_frames.clear()

    def _restore_generator(self) -> None:
        import torch.random as torch_random

        torch_random.default_generator = self._saved_generator

    def trampoline(self, frame: Any) -> Any:
        """How to call the op so that it runs from its immediate caller's file, line and globals.

        ``frame`` is the frame that called the handler. Cached per caller instruction while recording.
        """
        caller = immediate_caller(frame)
        if caller is None:
            return direct_call
        key = (id(caller.f_code), caller.f_lasti)
        entry = self.calls.get(key)
        if entry is not None and entry[2] is caller.f_globals:
            return entry[1]
        try:
            call = make_trampoline(caller)
        except Exception:  # noqa: BLE001 - a call from our frame is still the user's call
            return direct_call
        if not self.closed:
            self.calls[key] = (caller.f_code, call, caller.f_globals)  # the code stays alive: its id() stays its
        return call

    # -- helpers used by the handlers ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Our own analysis: never lets a fault of ours reach the user's call, nor our calls reach the user's code.

        The user's own torch function and dispatch modes (a FLOP counter, a logging mode) and tensor subclasses
        must not see what tensormagic computes (a norm, a finiteness check): all of them are off in here.
        """
        self.depth += 1
        try:
            with torch._C.DisableTorchFunction(), _disable_current_modes():
                yield
        except Exception as error:  # noqa: BLE001 - recorded and reported as "explanation incomplete"
            self.internal_errors.append(f"{type(error).__name__}: {error}".splitlines()[0][:200])
        finally:
            self.depth -= 1

    def layer_site_key(self, key: tuple[Any, ...]) -> tuple[Any, ...]:
        """A new layer's key, or the shared one once a cell instruction has run many layers.

        A loop that builds a new model every time (``y = nn.Linear(4, 2)(x)``) would otherwise make a site per
        iteration.
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
            known = self.bookkeeping[func] = func_short_name(func) in LAYER_BOOKKEEPING
        return known

    def classify(self, code: Any) -> int:
        kind = self.code_kinds[id(code)] = classify(code, self.filenames)
        self._codes.append(code)
        return kind

    def new_site(self, key: tuple[Any, ...], frame: Any, func: Any, kind: str) -> Site:
        self.order += 1
        site = Site(code=frame.f_code, lasti=frame.f_lasti, func=func, kind=kind, order=self.order, count=1)
        site.default_dtype = str(torch.get_default_dtype())
        site.grad_enabled = torch.is_grad_enabled()
        site.inference = torch.is_inference_mode_enabled()
        self.sites[key] = site
        return site

    # -- the first call of a site ---------------------------------------------------------------------------------
    def first_call(
        self,
        frame: Any,
        func: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        direct: bool = True,
        key: tuple[Any, ...] | None = None,
        call: Any = direct_call,
        caller: Any = None,
    ) -> Any:
        """The first call at a site: the one looked at closely (inputs before, result after).

        ``caller`` is the frame that called the handler when the call was made inside a forward pass (its layer is
        named from the module calls between it and the cell).
        """
        __tracebackhide__ = True  # noqa: F841
        name = func_short_name(func)
        kind = getattr(func, "__name__", None)
        is_descriptor = kind in ("__get__", "__set__", "__delete__")
        if name in INSPECTION_CALLS or (is_descriptor and (kind != "__get__" or name not in VIEW_ATTRIBUTES)):
            self.skip.add(func)
            return call(func, args, kwargs)
        if key is None:
            key = (id(frame.f_code), frame.f_lasti, func)
        site: Site | None = None
        target: Any = None  # the tensor an in-place call changes
        layer_module: Any = None  # the layer whose forward made the call
        with self.guard():
            site = self.new_site(key, frame, func, "descriptor" if is_descriptor else "function")
            site.direct = direct
            site.in_function = not is_module_level(frame)
            site.args = tuple(summarize(a) for a in args[:8])
            site.kwargs = {k: summarize(v) for k, v in list(kwargs.items())[:8]}
            target = kwargs.get("out") if "out" in kwargs else (args[0] if args and is_inplace(name) else None)
            if isinstance(target, torch.Tensor):
                site.target_sharing = self.names.sharing(frame, target)
                site.target_version = _version(target)
            else:
                target = None
            if name == "backward" and args and isinstance(args[0], torch.Tensor):
                site.training = before_backward(args[0], kwargs, frame_namespace(frame))
                site.watch = self._watch_backward
            if caller is not None:
                layer_module, site.layer = self._layer(caller, frame)
            if self.observer is not None:
                self.observer.before(site, frame, args, kwargs)
        self.depth += 1
        try:
            result = call(func, args, kwargs)
        except Exception as error:
            if site is not None:
                site.errors += 1
                site.error = ErrorInfo(type(error).__name__, _message(error))
                if target is not None:
                    site.changed = _version(target) != site.target_version
                if self.observer is not None:
                    with self.guard():
                        self.observer.after(site, frame, None, error)
            raise
        finally:
            self.depth -= 1
        if site is not None:
            with self.guard():
                self._note_result(site, frame, name, args, kwargs, result, direct)
                if target is not None:
                    site.changed = _version(target) != site.target_version
                if name == "backward" and site.training is not None:
                    after_backward(site.training)
                remember_output(layer_module, result)
            if self.observer is not None:
                with self.guard():
                    self.observer.after(site, frame, result, None)
        return result

    def _note_result(
        self,
        site: Site,
        frame: Any,
        name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        result: Any,
        direct: bool,
    ) -> None:
        site.result = summarize(result)
        if isinstance(result, torch.Tensor):
            site.last_shape = tuple(result.shape)
            site.result_ref = weak(result)
            if direct:
                self.names.bind(frame, _assigned_names(frame), result)
            site.relations = tuple(
                memory_relation(result, a) if isinstance(a, torch.Tensor | np.ndarray) else "" for a in args[:8]
            )
            site.kw_relations = {
                k: memory_relation(result, v) for k, v in kwargs.items() if isinstance(v, torch.Tensor | np.ndarray)
            }
            if name in _CONVERTERS and args and isinstance(args[0], torch.Tensor):
                site.values = conversion_values(args[0], result)
        elif isinstance(result, np.ndarray):
            site.result_ref = weak(result)
            site.relations = tuple(memory_relation(result, a) if isinstance(a, torch.Tensor) else "" for a in args[:8])
            site.kw_relations = {
                k: memory_relation(result, v) for k, v in kwargs.items() if isinstance(v, torch.Tensor)
            }
        if name in MEMORY_SHARING_CALLS and isinstance(result, torch.Tensor | np.ndarray):
            site.result_sharing = self.names.sharing(frame, result)
        site.value_facts = value_facts(name, args, kwargs, result)
        if name in RNG_FUNCTIONS:
            site.seed = torch._C.default_generator.initial_seed()  # a read: draws nothing
            site.seeded_in_cell = self.seeded_at is not None

    def _layer(self, caller: Any, cell: Any) -> tuple[Any, LayerInfo | None]:
        inner, outer = modules_on_stack(caller, cell, self.code_kinds)
        if inner is None:
            return None, None
        namespace = frame_namespace(cell)
        path = self.layer_names.path(inner, namespace) or type(inner).__name__
        top = (self.layer_names.path(outer, namespace) or type(outer).__name__) if outer is not None else path
        top_kind = type(outer if outer is not None else inner).__name__
        return inner, LayerInfo(path, type(inner).__name__, summary(inner), own_parameters(inner), top, top_kind)

    def api_site(self, name: str, frame: Any, owner: Any) -> Site | None:
        """The site of a plain-Python API call (``opt.step()``, ``model.zero_grad()``) made from the cell, or None."""
        if self.closed or self.depth:
            return None
        cell, direct = cell_frame_through_library(self, frame)
        if cell is None:
            return None
        label = f"{_public_type_name(owner)}.{name}"
        key = (id(cell.f_code), cell.f_lasti, label)
        site = self.sites.get(key)
        if site is not None:
            site.count += 1
            return site
        with self.guard():
            site = self.new_site(key, cell, label, "api")
            site.direct = direct
            if self.observer is not None:
                self._api_frames[site.order] = cell
                self.observer.before(site, cell, (owner,), {})
        return site

    def _watch_backward(self, site: Site, args: tuple[Any, ...]) -> None:
        """Before a later call of a backward line: does it add to gradients a previous call left?"""
        if adds_to_existing(site.training):
            site.training.accumulated_calls += 1
        later = getattr(self.observer, "later", None)
        if later is not None:
            with self.guard():
                later(site, args)

    def observe_again(self, site: Site, frame: Any, owner: Any) -> None:
        """A later call of an API site is the one looked at closely (the first had nothing to show)."""
        cell, _ = cell_frame_through_library(self, frame)
        if cell is not None and self.observer is not None:
            with self.guard():
                self._api_frames[site.order] = cell
                self.observer.before(site, cell, (owner,), {})

    def observe_api(self, site: Site, owner: Any) -> None:
        frame = self._api_frames.pop(site.order, None)
        if self.observer is not None and frame is not None:
            self.observer.after(site, frame, owner, None)

    def first_dispatch(
        self, frame: Any, func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], direct: bool, key: Any, call: Any
    ) -> Any:
        """``from_numpy`` / a legacy constructor, seen as ``aten.lift_fresh`` or ``aten.empty`` at a new site."""
        __tracebackhide__ = True  # noqa: F841
        site: Site | None = None
        with self.guard():
            site = self.new_site(key, frame, "dispatch", "dispatch")
            site.direct = direct
            site.op = str(func)
            site.in_function = not is_module_level(frame)
            if self.observer is not None:
                self.observer.before(site, frame, args, kwargs)
        result = call(func, args, kwargs)
        if site is None:
            return result
        with self.guard():
            self._note_dispatch_result(site, frame, result)
            if func is torch.ops.aten.lift_fresh.default and isinstance(result, torch.Tensor):
                # A tensor over memory torch cannot resize was made over another library's memory: the array's.
                if not result.untyped_storage().resizable():
                    site.linked_relation = "shares"
                    site.linked_array = summarize(result)
                self.lifted = (site, self.dispatch_events, frame)
            if direct:
                self._link_data(site, frame)
                self.names.bind(frame, [*_assigned_names(frame), *filter(None, [site.linked_name])], result)
        if self.observer is not None:
            with self.guard():
                self.observer.after(site, frame, result, None)
        return result

    def converted_after_lift(self, frame: Any, result: Any) -> None:
        """``torch.Tensor(float64_array)``: the ``_to_copy`` right after the lift is the call's real result."""
        lifted, self.lifted = self.lifted, None
        if lifted is None:
            return
        site, event, lift_frame = lifted
        if event + 1 != self.dispatch_events or lift_frame is not frame or frame.f_lasti != site.lasti:
            return
        with self.guard():
            self._note_dispatch_result(site, frame, result)
            if site.linked_relation == "shares":
                site.linked_relation = "copy"  # converted: new memory
            if self.observer is not None:
                self.observer.after(site, frame, result, None)

    def _note_dispatch_result(self, site: Site, frame: Any, result: Any) -> None:
        site.result = summarize(result)
        site.last_shape = tuple(result.shape) if isinstance(result, torch.Tensor) else None
        site.result_ref = weak(result)
        site.result_sharing = self.names.sharing(frame, result)

    def _link_data(self, site: Site, frame: Any) -> None:
        """The data argument as written: a plain name (bound to it at this moment), or a literal list."""
        call = node_at(frame.f_code, frame.f_lasti)[0]
        if not isinstance(call, ast.Call):
            return
        # Only the data argument: ``torch.Tensor(size=(2, 3))`` has a tuple that is a shape, not data.
        candidates = [*call.args[:1], *(k.value for k in call.keywords if k.arg in ("data", "ndarray"))]
        for node in candidates[:1]:
            if isinstance(node, ast.Name):
                site.linked_name = node.id
                if site.linked_array is None and not site.in_function:
                    value = frame_namespace(frame).get(node.id)
                    if isinstance(value, list | tuple):
                        site.linked_array = Value("data", data=summarize_data(value), type_name=type(value).__name__)
            elif site.linked_array is None:
                with contextlib.suppress(ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    literal = ast.literal_eval(node)
                    if isinstance(literal, list | tuple):
                        site.linked_array = Value(
                            "data", data=summarize_data(literal), type_name=type(literal).__name__
                        )

    def seed_call(self, name: str, frame: Any, value: int) -> None:
        if self.depth:
            return
        frame, direct, _, _ = find_cell_frame(frame, self.code_kinds, self.classify, False)
        if frame is None:
            return
        with self.guard():
            key = (id(frame.f_code), frame.f_lasti, name)
            site = self.sites.get(key)
            first = site is None
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
            if first and self.observer is not None:  # seen after the call: these calls are plain Python
                self.observer.before(site, frame, (), {})
                self.observer.after(site, frame, value, None)


def _public_type_name(owner: Any) -> str:
    """``torch.optim.SGD``, ``torch.nn.Sequential``, or the user's own class name (``Net``)."""
    kind = type(owner)
    for public in ("torch.optim", "torch.nn"):
        if kind.__module__.startswith(public + "."):
            return f"{public}.{kind.__qualname__}"
    return kind.__qualname__


def _version(tensor: torch.Tensor) -> int | None:
    try:
        return tensor._version
    except RuntimeError:  # inference tensors keep no version counter
        return None


def _message(error: BaseException) -> str:
    try:
        return str(error).strip()[:600]
    except Exception:  # noqa: BLE001 - a user's exception whose __str__ raises
        return f"<{type(error).__name__} without a readable message>"


def _assigned_names(frame: Any) -> list[str]:
    """The plain names the statement running at ``frame`` assigns its call's result to (``t1 = …``: t1)."""
    node, _ = node_at(frame.f_code, frame.f_lasti)
    source = registered(frame.f_code.co_filename)
    parent = source.parent(node) if source is not None and node is not None else None
    if isinstance(parent, ast.Assign) and parent.value is node:
        return [t.id for t in parent.targets if isinstance(t, ast.Name)]
    return []


def needs_dispatch_mode(text: str) -> bool:
    """Whether the cell may call what only the dispatch mode sees (``from_numpy``, ``torch.Tensor(...)`` …).

    Mentions that cannot be such a call do not count: the class in ``isinstance(x, torch.Tensor)``, annotations.
    """
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return bool(mentioned_names(text) & DISPATCH_ONLY_CALLS)
    ignored: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("isinstance", "issubclass")
        ):
            for arg in node.args[1:]:
                ignored.update(id(n) for n in ast.walk(arg))
        annotation = getattr(node, "annotation", None) or getattr(node, "returns", None)
        if isinstance(annotation, ast.AST):
            ignored.update(id(n) for n in ast.walk(annotation))
    for node in ast.walk(tree):
        if id(node) in ignored:
            continue
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if name is None and isinstance(node, ast.alias):
            name = node.name.rsplit(".", 1)[-1]
        if name in DISPATCH_ONLY_CALLS:
            return True
    return False
