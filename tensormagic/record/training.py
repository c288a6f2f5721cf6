"""What the recorder sees of autograd and the training loop: ``backward()``, ``zero_grad()``, ``optimizer.step()``.

``loss.backward()`` reaches the function mode like any tensor method; its first call is looked at closely: which
leaf tensors the graph reaches (by the names the cell gave them, parameters by their module path), whether each
already had a ``.grad`` (then this backward *adds* to it), and the gradient norms before and after. Later calls of
the same line only check, cheaply, whether they added to existing gradients (a loop without ``zero_grad()``).

``zero_grad()`` and ``step()`` are plain Python: while a cell that names them runs, ``nn.Module.zero_grad`` and
``torch.optim.Optimizer.zero_grad`` are forwarding wrappers (restored afterwards, even on error), and optimizer
steps are seen through torch's own global step hooks.

Reading gradients and parameters never keeps a reference past the call, never changes a gradient, an optimizer's
state or the random state, and reads values only on the CPU (on an accelerator it would synchronise): there the
notes say what happened without the numbers.
"""

from __future__ import annotations

import functools
import math
import sys
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from .frames import find_cell_frame, frame_namespace

if TYPE_CHECKING:
    from .recorder import Recorder

_getframe = sys._getframe
_GRAPH_LIMIT = 100_000  # graph nodes walked to find the leaves of a backward() (a course model has tens)
_COPY_LIMIT = 5_000_000  # parameter elements copied to measure what step() changed (20 MB of float32)
_NAMES_SHOWN = 8


@dataclass
class LeafGrad:
    """One leaf tensor a ``backward()`` reached."""

    name: str | None
    shape: tuple[int, ...]
    had_grad: bool  # a .grad was already there: this backward added to it
    norm_before: float | None = None
    norm_after: float | None = None
    received: bool = False


@dataclass
class BackwardFacts:
    leaves: list[LeafGrad] = field(default_factory=list)
    leaf_count: int = 0  # all leaves the graph reached (``leaves`` keeps the first few)
    nonleaf_names: tuple[str, ...] = ()  # named tensors in the graph whose .grad stays None
    retain_graph: bool = False
    holds_saved: bool = False  # the graph keeps saved tensors, which backward() frees (a second backward raises)
    accumulated_calls: int = 0  # later calls of this line that added to gradients already there
    watched: list[Any] = field(default_factory=list, repr=False)  # weakrefs to the leaves, for later calls


@dataclass
class ZeroGradFacts:
    owner: str  # "optimizer" | "module"
    owner_type: str
    parameters: int = 0
    had_grads: int = 0
    set_to_none: bool = True
    now_none: int = 0
    now_zero: int = 0


@dataclass
class StepFacts:
    optimizer: str
    settings: dict[str, Any] = field(default_factory=dict)
    parameters: int = 0
    with_grad: int = 0
    changed: int | None = None
    largest_change: float | None = None
    measured: bool = False  # values were compared (CPU, small enough)
    _before: list[Any] = field(default_factory=list, repr=False)


def _plain(t: torch.Tensor) -> bool:
    return t.layout == torch.strided and t.device.type == "cpu" and not t.is_quantized


def _norm(t: torch.Tensor | None) -> float | None:
    """The L2 norm of a gradient, read only on the CPU (elsewhere it would wait for the device)."""
    if t is None or not _plain(t) or not t.dtype.is_floating_point:
        return None
    with torch.no_grad():
        return float(torch.linalg.vector_norm(t.detach().double()))


def leaves_of(
    root: Any, limit: int = _GRAPH_LIMIT, seen: set[int] | None = None, saved: list[bool] | None = None
) -> list[torch.Tensor]:
    """The leaf tensors whose ``AccumulateGrad`` nodes the graph under ``root`` (a grad_fn) reaches, in order.

    ``seen`` collects the ids of the graph's nodes (a named tensor whose grad_fn is among them is in this graph);
    ``saved`` gets one entry once a node holding a saved tensor is found (what backward() frees).
    """
    found: list[torch.Tensor] = []
    seen = set() if seen is None else seen
    stack = [root]
    while stack and len(seen) < limit:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        variable = getattr(node, "variable", None)
        if isinstance(variable, torch.Tensor):
            found.append(variable)
            continue
        if saved is not None and not saved and _holds_saved_tensor(node):
            saved.append(True)
        stack.extend(child for child, _ in reversed(getattr(node, "next_functions", ())))
    return found


def _holds_saved_tensor(node: Any) -> bool:
    """Whether a graph node keeps a tensor for its backward (``MulBackward0._saved_other``)."""
    for attribute in dir(node):
        if attribute.startswith("_saved_"):
            try:
                if isinstance(getattr(node, attribute), torch.Tensor):
                    return True
            except RuntimeError:  # already freed by an earlier backward()
                return False
    return False


def tensor_names(namespace: dict[str, Any]) -> dict[int, str]:
    """Names for tensors: the cell's own names, and parameters by their module path (``model[0].weight``)."""
    names: dict[int, str] = {}
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        if isinstance(value, torch.Tensor):
            names.setdefault(id(value), name)
        elif isinstance(value, nn.Module):
            for path, parameter in value.named_parameters():
                names.setdefault(id(parameter), module_path(name, path))
    return names


def module_path(root: str, path: str) -> str:
    """``model`` + ``0.weight`` -> ``model[0].weight``: the path as the user would write it."""
    text = root
    for part in path.split(".") if path else []:
        text += f"[{part}]" if part.isdigit() else f".{part}"
    return text


# -- backward() ---------------------------------------------------------------------------------------------------
def before_backward(tensor: torch.Tensor, kwargs: dict[str, Any], namespace: dict[str, Any]) -> BackwardFacts:
    facts = BackwardFacts(retain_graph=bool(kwargs.get("retain_graph")))
    nodes: set[int] = set()
    saved: list[bool] = []
    leaves = leaves_of(tensor.grad_fn, seen=nodes, saved=saved) if tensor.grad_fn is not None else []
    facts.holds_saved = bool(saved)
    if tensor.grad_fn is None and tensor.requires_grad:
        leaves = [tensor]
    names = tensor_names(namespace)
    facts.leaf_count = len(leaves)
    for leaf in leaves:
        facts.watched.append(weakref.ref(leaf))
        if len(facts.leaves) < _NAMES_SHOWN:
            had = leaf.grad is not None
            facts.leaves.append(
                LeafGrad(names.get(id(leaf)), tuple(leaf.shape), had, _norm(leaf.grad) if had else None)
            )
    nonleaf = [  # named tensors made inside this graph: their .grad is not kept
        name
        for name, value in namespace.items()
        if isinstance(value, torch.Tensor)
        and not name.startswith("_")
        and value is not tensor
        and value.grad_fn is not None
        and id(value.grad_fn) in nodes
        and not value.retains_grad
    ]
    facts.nonleaf_names = tuple(nonleaf[:_NAMES_SHOWN])
    return facts


def after_backward(facts: BackwardFacts) -> None:
    for leaf_facts, ref in zip(facts.leaves, facts.watched, strict=False):
        leaf = ref()
        if leaf is None:
            continue
        leaf_facts.received = leaf.grad is not None
        leaf_facts.norm_after = _norm(leaf.grad)


def adds_to_existing(facts: BackwardFacts) -> bool:
    """A later call of a backward line: whether any leaf it reached last time already holds a gradient."""
    for ref in facts.watched:
        leaf = ref()
        if leaf is not None and leaf.grad is not None:
            return True
    return False


# -- zero_grad() and step() -----------------------------------------------------------------------------------------
def parameters_of(owner: Any) -> list[torch.Tensor]:
    if isinstance(owner, torch.optim.Optimizer):
        return [p for group in owner.param_groups for p in group["params"] if isinstance(p, torch.Tensor)]
    if isinstance(owner, nn.Module):
        return list(owner.parameters())
    return []


def before_zero_grad(owner: Any, set_to_none: bool) -> ZeroGradFacts:
    kind = "optimizer" if isinstance(owner, torch.optim.Optimizer) else "module"
    params = parameters_of(owner)
    facts = ZeroGradFacts(kind, type(owner).__name__, len(params), set_to_none=set_to_none)
    facts.had_grads = sum(1 for p in params if p.grad is not None)
    return facts


def after_zero_grad(owner: Any, facts: ZeroGradFacts) -> None:
    params = parameters_of(owner)
    facts.now_none = sum(1 for p in params if p.grad is None)
    facts.now_zero = sum(1 for p in params if p.grad is not None and _plain(p.grad) and not p.grad.any())


_SETTINGS = ("lr", "momentum", "dampening", "nesterov", "weight_decay", "betas", "eps", "alpha", "amsgrad")


def before_step(optimizer: torch.optim.Optimizer) -> StepFacts:
    params = parameters_of(optimizer)
    group = optimizer.param_groups[0] if optimizer.param_groups else {}
    settings = {key: group[key] for key in _SETTINGS if key in group and isinstance(group[key], int | float | tuple)}
    facts = StepFacts(type(optimizer).__name__, settings, len(params))
    facts.with_grad = sum(1 for p in params if p.grad is not None)
    if all(_plain(p) for p in params) and sum(p.numel() for p in params) <= _COPY_LIMIT:
        with torch.no_grad():
            facts._before = [(weakref.ref(p), p.detach().clone()) for p in params]
        facts.measured = True
    return facts


def after_step(facts: StepFacts) -> None:
    if not facts.measured:
        return
    changed = 0
    largest = 0.0
    with torch.no_grad():
        for ref, old in facts._before:
            p = ref()
            if p is None or p.shape != old.shape:
                continue
            difference = (p.detach() - old).abs()
            if difference.numel() and bool(difference.any()):
                changed += 1
                largest = max(largest, float(difference.max()))
    facts._before = []  # the copies go now
    facts.changed = changed
    facts.largest_change = largest if math.isfinite(largest) else None


# -- the hooks ------------------------------------------------------------------------------------------------------
class TrainingHooks:
    """``zero_grad`` wrappers and optimizer step hooks for one recording; :meth:`close` restores everything."""

    def __init__(self, recorder: Recorder, watch_zero_grad: bool, watch_step: bool) -> None:
        self.recorder = recorder
        self._restore: list[Any] = []
        if watch_zero_grad:
            for owner in (nn.Module, torch.optim.Optimizer):
                original = owner.__dict__["zero_grad"]
                setattr(owner, "zero_grad", self._zero_grad_wrapper(original))  # noqa: B010 - a method, put back
                self._restore.append(functools.partial(setattr, owner, "zero_grad", original))
        if watch_step:
            from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

            self._restore.append(register_optimizer_step_pre_hook(self._step_pre).remove)
            self._restore.append(register_optimizer_step_post_hook(self._step_post).remove)
        self._pending_steps: list[tuple[Any, StepFacts]] = []

    def close(self) -> None:
        while self._restore:
            self._restore.pop()()

    def _zero_grad_wrapper(self, original: Any) -> Any:
        hooks = self

        @functools.wraps(original)
        def zero_grad(self: Any, *args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True  # noqa: F841
            site = hooks.recorder.api_site("zero_grad", _getframe(1), self)
            known = site.training if site is not None else None
            if site is None or (isinstance(known, ZeroGradFacts) and known.had_grads):
                # Looked at closely until a call finds gradients to clear (a loop's first call finds none).
                return original(self, *args, **kwargs)
            if site.count > 1 and hooks.recorder.observer is not None:
                hooks.recorder.observe_again(site, _getframe(1), self)
            set_to_none = bool(kwargs.get("set_to_none", args[0] if args else True))
            facts = None
            with hooks.recorder.guard():
                facts = before_zero_grad(self, set_to_none)
            try:
                return original(self, *args, **kwargs)
            finally:
                if facts is not None:
                    with hooks.recorder.guard():
                        after_zero_grad(self, facts)
                        site.training = facts
                        hooks.recorder.observe_api(site, self)

        return zero_grad

    def _step_pre(self, optimizer: Any, args: Any, kwargs: Any) -> None:
        site = self.recorder.api_site("step", _getframe(1), optimizer)
        if site is None or site.count > 1:
            return
        with self.recorder.guard():
            self._pending_steps.append((site, before_step(optimizer)))

    def _step_post(self, optimizer: Any, args: Any, kwargs: Any) -> None:
        if not self._pending_steps:
            return
        site, facts = self._pending_steps.pop()
        with self.recorder.guard():
            after_step(facts)
            site.training = facts
            self.recorder.observe_api(site, optimizer)


def cell_frame_through_library(recorder: Recorder, frame: Any) -> tuple[Any, bool]:
    """The cell frame that called an API whose own code runs in torch (an optimizer's step wrapper)."""
    cell, direct, _, _ = find_cell_frame(frame, recorder.code_kinds, recorder.classify, False, through_library=True)
    return cell, direct


def namespace_of(frame: Any) -> dict[str, Any]:
    return frame_namespace(frame)


def names(items: Iterable[str | None]) -> list[str]:
    return [name for name in items if name]
