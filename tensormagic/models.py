"""A model as a teacher draws it: every layer with its path, type, output shape, parameters and whether they train.

:func:`describe_model` reads the module tree only (``named_modules``, ``parameters``); output shapes come from the
last forward pass ``%%explain`` saw, or, given an ``input_shape``, from one dry run on the ``meta`` device: no
arithmetic, no memory for activations, no random numbers drawn, the model's parameters and buffers untouched
(``torch.func.functional_call`` runs it with meta stand-ins).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from .record.layers import LAST_SHAPES, summary
from .record.training import module_path


@dataclass(frozen=True)
class LayerRow:
    path: str  # ``model[0]``
    depth: int  # 0 for the model itself
    kind: str  # ``Linear``
    summary: str  # ``Linear(4 → 3)``
    parameters: int  # elements in the layer's own parameters
    trainable: int  # … of which require grad
    output_shape: tuple[int, ...] | None
    leaf: bool  # has no submodules: where the computation happens


@dataclass(frozen=True)
class ModelSummary:
    name: str
    kind: str
    rows: tuple[LayerRow, ...]
    parameters: int
    trainable: int
    nbytes: int
    buffers_nbytes: int
    input_shape: tuple[int, ...] | None
    shapes_from: str  # "dry-run" | "last-forward" | "none"
    error: str | None = None  # the dry run failed (the input shape does not fit): the error, one line
    devices: tuple[str, ...] = field(default=())
    dtypes: tuple[str, ...] = field(default=())
    language: str = "en"

    def __str__(self) -> str:
        from .render.model import text

        return text(self, self.language)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from .render.model import html

        return {"text/plain": str(self), "text/html": html(self, self.language)}


def describe_model(
    model: nn.Module, name: str | None = None, input_shape: Sequence[int] | None = None, language: str = "en"
) -> ModelSummary:
    """The summary of ``model``; ``input_shape`` (batch included) runs one dry pass on ``meta`` for output shapes."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"describe_model() takes an nn.Module, not {type(model).__name__}")
    root = name or type(model).__name__
    shapes: dict[int, tuple[int, ...]] = {}
    error = None
    source = "none"
    if input_shape is not None:
        shapes, error = _dry_run(model, tuple(int(n) for n in input_shape))
        source = "dry-run"
    else:
        for module in model.modules():
            shape = LAST_SHAPES.get(module)
            if shape is not None:
                shapes[id(module)] = shape
        source = "last-forward" if shapes else "none"
    rows = []
    for path, module in model.named_modules():
        own = list(module.parameters(recurse=False))
        rows.append(
            LayerRow(
                path=module_path(root, path),
                depth=path.count(".") + 1 if path else 0,
                kind=type(module).__name__,
                summary=summary(module),
                parameters=sum(p.numel() for p in own),
                trainable=sum(p.numel() for p in own if p.requires_grad),
                output_shape=shapes.get(id(module)),
                leaf=not any(True for _ in module.children()),
            )
        )
    parameters = list(model.parameters())
    buffers = list(model.buffers())
    return ModelSummary(
        name=root,
        kind=type(model).__name__,
        rows=tuple(rows),
        parameters=sum(p.numel() for p in parameters),
        trainable=sum(p.numel() for p in parameters if p.requires_grad),
        nbytes=sum(p.numel() * p.element_size() for p in parameters),
        buffers_nbytes=sum(b.numel() * b.element_size() for b in buffers),
        input_shape=tuple(input_shape) if input_shape is not None else None,
        shapes_from=source,
        error=error,
        devices=tuple(sorted({str(p.device) for p in parameters})),
        dtypes=tuple(sorted({str(p.dtype).removeprefix("torch.") for p in parameters})),
        language=language,
    )


def _dry_run(model: nn.Module, input_shape: tuple[int, ...]) -> tuple[dict[int, tuple[int, ...]], str | None]:
    """Output shapes of every module for one forward pass on ``meta`` stand-ins (the model itself is not changed)."""
    from torch.func import functional_call

    shapes: dict[int, tuple[int, ...]] = {}

    def record(module: nn.Module, _args: Any, output: Any) -> None:
        found = output[0] if isinstance(output, tuple | list) and output else output
        if isinstance(found, torch.Tensor):
            shapes[id(module)] = tuple(found.shape)

    dtype = next((p.dtype for p in model.parameters() if p.dtype.is_floating_point), torch.get_default_dtype())
    stand_ins = {k: torch.empty_like(v, device="meta") for k, v in [*model.named_parameters(), *model.named_buffers()]}
    hooks = [module.register_forward_hook(record) for module in model.modules()]
    try:
        with torch.no_grad():
            functional_call(model, stand_ins, (torch.empty(input_shape, dtype=dtype, device="meta"),))
    except Exception as fault:  # noqa: BLE001 - the user's shape does not fit the model: say so, keep the rest
        return shapes, f"{type(fault).__name__}: {fault}".splitlines()[0][:200]
    finally:
        for hook in hooks:
            hook.remove()
    return shapes, None
