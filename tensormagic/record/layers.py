"""Which layer of which model made a call during a forward pass, named as the user built it.

The frames of ``Module.__call__`` (``_call_impl``) between the call and the cell hold the modules: the innermost
is the layer whose ``forward`` is running, the outermost the module the cell called. Their names come from the
cell's namespace (``model``) and ``named_modules()`` (``model[0]``, ``model.encoder.conv1``); a module the cell
never named is called by its type.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch
from torch import nn

from .frames import LAYER_CALL
from .training import module_path

_CALL_NAMES = frozenset({"_call_impl", "_wrapped_call_impl"})

#: The output shape of each layer in the last forward pass a recording saw (weak: no model is kept alive).
LAST_SHAPES: weakref.WeakKeyDictionary[nn.Module, tuple[int, ...]] = weakref.WeakKeyDictionary()


def remember_output(module: nn.Module | None, result: Any) -> None:
    if module is not None and isinstance(result, torch.Tensor):
        LAST_SHAPES[module] = tuple(result.shape)


class LayerNames:
    """``id(module)`` -> its path in the cell's models; rebuilt when a module is not found (a model made later)."""

    def __init__(self) -> None:
        self._paths: dict[int, str] = {}

    def path(self, module: nn.Module, namespace: dict[str, Any]) -> str | None:
        found = self._paths.get(id(module))
        if found is None:
            self._paths = {}
            for name, value in namespace.items():
                if isinstance(value, nn.Module) and not name.startswith("_"):
                    for path, submodule in value.named_modules():
                        self._paths.setdefault(id(submodule), module_path(name, path))
            found = self._paths.get(id(module))
        return found


def modules_on_stack(frame: Any, cell: Any, kinds: dict[int, int]) -> tuple[nn.Module | None, nn.Module | None]:
    """(innermost, outermost) module whose ``__call__`` runs between ``frame`` and the cell frame ``cell``."""
    innermost = outermost = None
    while frame is not None and frame is not cell:
        if kinds.get(id(frame.f_code)) == LAYER_CALL and frame.f_code.co_name in _CALL_NAMES:
            # A Module.__call__ frame: its ``self`` is the module (reading this frame's locals keeps nothing alive
            # past the call: they are the call's own arguments).
            module = frame.f_locals.get("self")
            if isinstance(module, nn.Module):
                innermost = innermost or module
                outermost = module
        frame = frame.f_back
    return innermost, outermost


def summary(module: nn.Module) -> str:
    """``Linear(4 → 3)``, ``Conv2d(1, 8, 3)``, ``ReLU()``: the layer in the shape a teacher writes on the board."""
    kind = type(module).__name__
    if isinstance(module, nn.Linear):
        return f"{kind}({module.in_features} → {module.out_features})"
    if isinstance(module, nn.modules.conv._ConvNd):
        kernel = module.kernel_size
        size = kernel[0] if len(set(kernel)) == 1 else "×".join(str(k) for k in kernel)
        return f"{kind}({module.in_channels}, {module.out_channels}, {size})"
    if isinstance(module, nn.RNNBase):
        return f"{kind}({module.input_size}, {module.hidden_size})"
    if isinstance(module, nn.Embedding):
        return f"{kind}({module.num_embeddings}, {module.embedding_dim})"
    if isinstance(module, nn.modules.batchnorm._NormBase):
        return f"{kind}({module.num_features})"
    if isinstance(module, nn.LayerNorm):
        return f"{kind}({', '.join(str(n) for n in module.normalized_shape)})"
    if isinstance(module, nn.modules.dropout._DropoutNd):
        return f"{kind}(p={module.p})"
    if isinstance(module, nn.modules.pooling._MaxPoolNd | nn.modules.pooling._AvgPoolNd):
        window = module.kernel_size
        shown = window if isinstance(window, int) else "×".join(str(k) for k in window)  # type: ignore[union-attr]
        return f"{kind}({shown})"
    return f"{kind}()"


def own_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters(recurse=False))
