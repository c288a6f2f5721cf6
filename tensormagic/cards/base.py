"""The ``Card`` protocol: live torch numbers shown as an ipywidgets layout and as plain text.

A card computes its numbers once per control setting (``refresh``) into ``lines`` (sentences with the
measured numbers) and ``figures`` (inline SVG). The widget, the plain-text fallback and the static HTML
are three renderings of those same values, so a terminal user reads exactly what a JupyterLab user sees.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, ClassVar, TypeVar

import ipywidgets as widgets
import torch
from torch import nn

from ..i18n import message, normalize_language
from ..render.common import BOX_STYLE, MUTED_STYLE, escape
from ..render.fallback import WidgetWithFallback

#: Cards seed their own generator: a card must never move the user's global random stream.
SEED = 20251105


def generator(seed: int = SEED) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


ModuleT = TypeVar("ModuleT", bound=nn.Module)


def materialize(module: ModuleT) -> ModuleT:
    """Give a module built on the meta device real (uninitialised) CPU parameters.

    Constructing on the meta device skips PyTorch's default initialisation, which would draw from the
    global generator and change the numbers a student's next ``torch.rand`` returns. ``Module.to_empty``
    would do this too, but its first call imports ``torch.fx``'s symbolic shapes and sympy (0.8 s measured,
    most of a card's budget); replacing each parameter through ``setattr`` also keeps ``nn.RNN``'s flat
    weight list in step.
    """
    for submodule in module.modules():
        for name, parameter in list(submodule._parameters.items()):
            if parameter is not None:
                real = nn.Parameter(torch.empty(parameter.shape, dtype=parameter.dtype),
                                    requires_grad=parameter.requires_grad)
                setattr(submodule, name, real)
    return module


def fresh(module_factory: Callable[..., ModuleT], *args: Any, gen: torch.Generator, **kwargs: Any) -> ModuleT:
    """Build ``module_factory(*args, **kwargs)`` without touching the global RNG; initialise it from ``gen``."""
    module = materialize(module_factory(*args, device="meta", **kwargs))
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            if parameter.dim() >= 2:
                fan_out, fan_in = parameter.shape[0], parameter[0].numel()
                bound = math.sqrt(6.0 / (fan_in + fan_out))  # Glorot/Xavier uniform
                parameter.uniform_(-bound, bound, generator=gen)
            elif "bias" in name:
                parameter.zero_()
            else:
                parameter.fill_(1.0)
    return module


@contextmanager
def small_work() -> Iterator[None]:
    """Run a card's tiny tensors on the CPU, on one intra-op thread, restoring the user's settings afterwards.

    Card tensors have tens to hundreds of elements; splitting them across threads only adds
    synchronisation, and on a busy 2-core machine the spinning threads made a 200-step training loop
    take 2 s instead of 0.1 s (measured). A user who called ``torch.set_default_device("cuda")`` still gets
    CPU cards: a GPU launch per tiny op would be slower, and the cards' modules live on the CPU. The device
    context is entered only then, because it intercepts every torch call while active.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    device = torch.device("cpu") if torch.get_default_device().type != "cpu" else nullcontext()
    try:
        with device:
            yield
    finally:
        torch.set_num_threads(threads)


@contextmanager
def private_rng() -> Iterator[None]:
    """Restore the global CPU generator afterwards (for student code in live examples that draws from it)."""
    with torch.random.fork_rng(devices=[]):
        yield


def shape_text(shape: torch.Size | tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


class Card(WidgetWithFallback):
    """One concept card. Subclasses set ``topic`` and implement ``build_controls`` and ``refresh``."""

    topic: ClassVar[str] = ""

    def __init__(self, language: str = "en") -> None:
        self.language = normalize_language(language)
        self.numbers: dict[str, Any] = {}
        self.lines: list[str] = []
        self.figures: list[tuple[str, str]] = []
        #: Plain-text versions of the figures that carry numbers or shapes (regions, matrices, feature maps).
        self.text_figures: list[tuple[str, list[str]]] = []
        self.controls: dict[str, widgets.Widget] = {}
        self.output = widgets.HTML()
        self.output.add_class("tm-card-output")
        with small_work():
            controls = self.build_controls()
        self.update()
        header = widgets.HTML(self._header_html())
        self.widget = widgets.VBox([header, *controls, self.output])
        self.widget.add_class("tm-card")
        self.widget.add_class(f"tm-card-{self.topic}")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    # -- what subclasses provide ---------------------------------------------------------------------
    def build_controls(self) -> list[widgets.Widget]:
        """Create the controls (store them in ``self.controls``); return them in display order."""
        return []

    def refresh(self) -> None:
        """Recompute ``self.lines``, ``self.figures`` and ``self.numbers`` from the controls' values."""
        raise NotImplementedError

    # -- shared machinery ------------------------------------------------------------------------------
    def t(self, key: str, **values: object) -> str:
        """This card's message ``key`` in the card's language."""
        return message(f"card.{self.topic}.{key}", self.language, **values)

    def common(self, key: str, **values: object) -> str:
        return message(f"card.common.{key}", self.language, **values)

    @property
    def title(self) -> str:
        return self.t("title")

    def teaching_points(self) -> list[str]:
        """The card's teaching points (one per line in the catalog)."""
        return [p for p in self.t("points").split("\n") if p.strip()]

    def _on_change(self, change: dict[str, Any]) -> None:
        self.update()

    def update(self) -> None:
        """Recompute after a control changed and redraw the output."""
        with small_work():
            self.refresh()
        self.output.value = self.output_html()

    def output_html(self) -> str:
        # pre-wrap keeps the indentation of multi-line values (tensor reprs, aligned shapes); blank lines
        # become small gaps instead of collapsing away.
        lines = "".join(
            f'<div style="white-space:pre-wrap">{escape(line)}</div>' if line.strip()
            else '<div style="height:6px"></div>'
            for line in self.lines
        )
        figures = "".join(
            f'<figure style="display:inline-block;margin:6px 14px 4px 0;vertical-align:top">{svg}'
            f'<figcaption style="{MUTED_STYLE};font-size:11px;max-width:340px">{escape(caption)}</figcaption></figure>'
            for caption, svg in self.figures
        )
        return f'<div style="{BOX_STYLE}">{lines}<div>{figures}</div></div>'

    def _header_html(self) -> str:
        bullets = "".join(f"<li>{escape(p)}</li>" for p in self.teaching_points())
        return (
            f'<div style="{BOX_STYLE}"><div style="font-size:15px;font-weight:bold">{escape(self.title)}</div>'
            f'<ul style="margin:4px 0 2px 18px;padding:0">{bullets}</ul></div>'
        )

    def text(self) -> str:
        """The plain-text card: title, teaching points and the current measured numbers."""
        width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in self.title)  # CJK takes two terminal columns
        out = [self.title, "=" * width]
        out.extend(f"• {p}" for p in self.teaching_points())
        out.append("")
        out.extend(self.lines)
        for caption, rows in self.text_figures:
            out.append("")
            out.append(caption + ":")
            out.extend("    " + row for row in rows)
        if len(self.figures) > len(self.text_figures):
            out.append("")
            out.append(self.common("figures_note", count=len(self.figures)))
        return "\n".join(out)

    def html(self) -> str:
        """Static HTML of the current state, for front ends without a widget manager."""
        self.output.value = self.output_html()
        return f'<div class="tensormagic-card">{self._header_html()}{self.output.value}</div>'

    def __repr__(self) -> str:
        return f"<tensormagic card {self.topic!r} ({self.language})>"


def train(parameters: list[torch.Tensor], loss_fn: Any, steps: int, lr: float = 0.05) -> float:
    """Full-batch Adam for ``steps`` steps; returns the last loss.

    Written out by hand because building ``torch.optim.Adam`` imports ``torch._dynamo`` on first use, which
    alone costs about a second on a 2-core CPU — the whole budget of a card.
    """
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    first = [torch.zeros_like(p) for p in parameters]
    second = [torch.zeros_like(p) for p in parameters]
    loss = torch.zeros(())
    for step in range(1, steps + 1):
        for p in parameters:
            p.grad = None
        loss = loss_fn()
        loss.backward()
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in parameters]
        with torch.no_grad():
            # The multi-tensor ("foreach") kernels do each update for all parameters in one call, which is
            # what keeps a few hundred steps of Python-driven training inside the time budget.
            torch._foreach_lerp_(first, grads, 1 - beta1)
            torch._foreach_mul_(second, beta2)
            torch._foreach_addcmul_(second, grads, grads, value=1 - beta2)
            denominator = torch._foreach_sqrt(second)
            torch._foreach_div_(denominator, (1 - beta2**step) ** 0.5)
            torch._foreach_add_(denominator, eps)
            torch._foreach_addcdiv_(parameters, first, denominator, value=-lr / (1 - beta1**step))
    return float(loss.item())
