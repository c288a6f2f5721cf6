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

from .. import i18n
from ..i18n import normalize_language
from ..render import svg
from ..render.common import BOX_STYLE, MUTED_STYLE, escape
from ..render.fallback import WidgetWithFallback
from ..render.text import Row, display_width, fold_columns, output_width, wrap, wrap_rows
from ..stats_threads import openmp_thread_setter
from .settings import (
    Aliases,
    ChoiceSetting,
    CodeSetting,
    FloatSetting,
    IntSetting,
    Setting,
    SettingError,
    command,
)

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
    # One thread for this thread only (OpenMP keeps the count per thread): a user's other threads running torch
    # meanwhile keep theirs, which torch.set_num_threads (process-wide) would not guarantee.
    setter = openmp_thread_setter()
    threads = torch.get_num_threads()
    if setter is not None:
        setter(1)
    device = torch.device("cpu") if torch.get_default_device().type != "cpu" else nullcontext()
    try:
        with device:
            yield
    finally:
        if setter is not None:
            setter(threads)


@contextmanager
def private_rng() -> Iterator[None]:
    """Restore the global CPU generator afterwards (for student code in live examples that draws from it)."""
    with torch.random.fork_rng(devices=[]):
        yield


def shape_text(shape: torch.Size | tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


class Card(WidgetWithFallback):
    """One concept card: a module under ``tensormagic/cards/`` defines one subclass, which declares itself.

    A subclass sets ``topic`` (its name), ``order`` (its place in every list of cards), ``group`` (the heading
    it is listed under: ``"models"``, ``"tensors"`` or ``"training"``), ``aliases`` and ``settings``, and implements
    ``refresh`` (and ``build_controls`` when it prepares data first). The registry finds it; nothing else
    needs to name it. Its texts are ``card.<topic>.*`` in ``tensormagic/i18n/cards.py``.
    """

    topic: ClassVar[str] = ""
    order: ClassVar[int] = 0
    group: ClassVar[str] = ""
    aliases: ClassVar[Aliases] = Aliases()
    settings: ClassVar[tuple[Setting, ...]] = ()

    def __init__(self, language: str = "en", **values: Any) -> None:
        self.language = normalize_language(language)
        initial = self.checked_values(values)
        self.numbers: dict[str, Any] = {}
        self.lines: list[str] = []
        self.figures: list[tuple[str, str]] = []
        #: Plain-text versions of the figures (regions, matrices, feature maps), for the text form.
        self.text_figures: list[tuple[str, list[str]]] = []
        self.controls: dict[str, widgets.Widget] = {}
        self.output = widgets.HTML()
        self.output.add_class("tm-card-output")
        with small_work():
            controls = self.build_controls()
        for name, value in initial.items():  # before the observers: the card computes once, with these values
            self.controls[name].value = value
        self.update()
        header = widgets.HTML(self._header_html(widget=True))
        self.widget = widgets.VBox([header, *controls, self.output])
        self.widget.add_class("tm-card")
        self.widget.add_class(f"tm-card-{self.topic}")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    @classmethod
    def checked_values(cls, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` (setting name -> value) validated against the card's settings; SettingError otherwise."""
        known = {setting.name: setting for setting in cls.settings}
        unknown = [name for name in values if name not in known]
        if unknown:
            names = ", ".join(known) or "none"
            raise SettingError(f"the {cls.topic} card has no setting {unknown[0]!r} (its settings: {names})")
        return {name: known[name].check(value) for name, value in values.items()}

    # -- what subclasses provide ---------------------------------------------------------------------
    def build_controls(self) -> list[widgets.Widget]:
        """Prepare the card's data and create its controls (stored in ``self.controls``), in display order."""
        return self.setting_controls()

    def refresh(self) -> None:
        """Recompute ``self.lines``, ``self.figures`` and ``self.numbers`` from the controls' values."""
        raise NotImplementedError

    def choice_label(self, setting: ChoiceSetting, word: str) -> str:
        """The label of one choice on a toggle button (the word itself unless a card says otherwise)."""
        return word

    # -- shared machinery ------------------------------------------------------------------------------
    def setting_controls(self) -> list[widgets.Widget]:
        """One widget per declared setting: a slider for a number (log-scaled when declared so), toggle buttons for a
        choice."""
        style = {"description_width": "110px"}
        made: list[widgets.Widget] = []
        for setting in self.settings:
            label = self.message(f"control.{setting.name}")
            control: widgets.Widget
            if isinstance(setting, IntSetting):
                control = widgets.IntSlider(value=setting.default, min=setting.low, max=setting.high,
                                            description=label, style=style)
            elif isinstance(setting, FloatSetting) and setting.log:
                control = widgets.FloatLogSlider(value=setting.default, base=10, min=math.log10(setting.low),
                                                 max=math.log10(setting.high), step=setting.step,
                                                 readout_format=".3g", description=label, style=style)
            elif isinstance(setting, FloatSetting):
                control = widgets.FloatSlider(value=setting.default, min=setting.low, max=setting.high,
                                              step=setting.step, readout_format=".3g", description=label, style=style)
            elif isinstance(setting, ChoiceSetting):
                options = [(self.choice_label(setting, word), value) for word, value in setting.choices]
                control = widgets.ToggleButtons(options=options, value=setting.default, description=label)
            else:
                continue  # code boxes are built by the live-example cards
            control.add_class(f"tm-{self.topic}-{setting.name}")
            self.controls[setting.name] = control
            made.append(control)
        return made

    def message(self, key: str, **values: object) -> str:
        """This card's message ``card.<topic>.<key>`` in the card's language."""
        return i18n.message(f"card.{self.topic}.{key}", self.language, **values)

    def common_message(self, key: str, **values: object) -> str:
        """The message ``card.common.<key>`` shared by every card, in the card's language."""
        return i18n.message(f"card.common.{key}", self.language, **values)

    @property
    def title(self) -> str:
        return self.message("title")

    def teaching_points(self) -> list[str]:
        """The card's teaching points (one per line in the catalog)."""
        return [p for p in self.message("points").split("\n") if p.strip()]

    def values(self) -> dict[str, Any]:
        """The current value of every setting."""
        return {setting.name: self.controls[setting.name].value for setting in self.settings}

    def command(self) -> str:
        """The ``%explain`` line that shows this card as it is now."""
        return command(self.topic, self.settings, self.values())

    def settings_lines(self) -> list[str]:
        """How to change the settings from the keyboard: the command for the current state, then each option."""
        if not self.settings:
            return []
        out = [self.common_message("keyboard"), "  " + self.command()]
        width = max(len(setting.name) for setting in self.settings) + 2
        for setting in self.settings:
            label = self.message(f"control.{setting.name}") if not isinstance(setting, CodeSetting) else (
                self.common_message("code_option"))
            out.append(f"  {'--' + setting.name:<{width}}  {label} ({setting.accepted()})")
        return out

    def _on_change(self, change: dict[str, Any]) -> None:
        self.update()

    def update(self) -> None:
        """Recompute after a control changed and redraw the output."""
        with small_work():
            self.refresh()
        self.output.value = self.output_html()

    def output_html(self, images: bool = False) -> str:
        """The measured lines and the figures: inline SVG for the widget, ``images`` (``<img>``) for static HTML,
        which an untrusted notebook's sanitizer keeps where it would strip inline SVG."""
        # pre-wrap keeps the indentation of multi-line values (tensor reprs, aligned shapes); blank lines
        # become small gaps instead of collapsing away.
        lines = "".join(
            f'<div style="white-space:pre-wrap">{escape(line)}</div>' if line.strip()
            else '<div style="height:6px"></div>'
            for line in self.lines
        )
        figures = "".join(
            f'<figure style="display:inline-block;margin:6px 14px 4px 0;vertical-align:top">'
            f"{svg.images_of(drawing, caption) if images else drawing}"
            f'<figcaption style="{MUTED_STYLE};font-size:11px;max-width:340px">{escape(caption)}</figcaption></figure>'
            for caption, drawing in self.figures
        )
        return f'<div style="{BOX_STYLE}">{lines}<div>{figures}</div></div>'

    def _header_html(self, widget: bool) -> str:
        """Title and teaching points; then, in the widget, a word about its controls, elsewhere the keyboard."""
        bullets = "".join(f"<li>{escape(p)}</li>" for p in self.teaching_points())
        if widget:
            how = escape(self.common_message("widget_hint")) if self.settings else ""
        else:
            how = "<br>".join(escape(line) for line in self.settings_lines())
        hint = f'<div style="{MUTED_STYLE};white-space:pre-wrap">{how}</div>' if how else ""
        return (
            f'<div style="{BOX_STYLE}"><div style="font-size:15px;font-weight:bold">{escape(self.title)}</div>'
            f'<ul style="margin:4px 0 2px 18px;padding:0">{bullets}</ul>{hint}</div>'
        )

    def text(self, width: int | None = None) -> str:
        """The plain-text card: title, teaching points, how to change the settings, the measured numbers.

        Wrapped to ``width`` columns (default: the terminal's, a fixed width in notebooks) with hanging indents;
        the text figures (character drawings) keep their rows whole.
        """
        width = width or output_width()
        out = wrap(self.title, width, hang="  ")
        out.append("=" * min(display_width(self.title), width))
        rows: list[Row] = [("• ", "  ", point) for point in self.teaching_points()]
        settings = self.settings_lines()
        if settings:
            rows.append(("", "", ""))
            rows.extend(("", "  ", line) for line in settings)
        rows.append(("", "", ""))
        rows.extend(("", "  ", line) for entry in self.lines for line in (entry.splitlines() or [""]))
        out.extend(wrap_rows(rows, width))
        for caption, figure in self.text_figures:
            out.append("")
            out.extend(wrap(self.common_message("figure", caption=caption), width, hang="  "))
            out.extend("    " + row for row in fold_columns(figure, width - 4))
        return "\n".join(out)

    def html(self) -> str:
        """Static HTML of the current state, for front ends without a widget manager and untrusted notebooks."""
        self.output.value = self.output_html()
        return (
            f'<div class="tensormagic-card">{self._header_html(widget=False)}{self.output_html(images=True)}</div>'
        )

    def __repr__(self) -> str:
        return f"<tensormagic card {self.topic!r} ({self.language})>"


def train(parameters: list[torch.Tensor], loss_fn: Any, steps: int, lr: float = 0.05) -> float:
    """Full-batch Adam (PyTorch's defaults: betas 0.9, 0.999, eps 1e-8) for ``steps`` steps; returns the loss
    after the last step.

    Written out by hand because building ``torch.optim.Adam`` imports ``torch._dynamo`` on first use, which
    alone costs about a second on a 2-core CPU — the whole budget of a card. The tests train the same models
    with ``torch.optim.Adam`` and compare.
    """
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    first = [torch.zeros_like(p) for p in parameters]
    second = [torch.zeros_like(p) for p in parameters]
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
    for p in parameters:
        p.grad = None
    with torch.no_grad():
        return float(loss_fn().item())
