"""The timeline as a widget: a slider with previous/next buttons over the kept steps, the code with the current line
marked, the drawing of that step, and what the explanation says about its line.

The widget holds the :class:`~tensormagic.timeline.Timeline` (plain data, no tensors) and draws a step when the
slider reaches it. Where no widget can be shown, the same steps come as text (terminal) or as a static HTML image
and an ``image/svg+xml`` (see :mod:`tensormagic.render.steps`).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..i18n import message
from ..render.common import BOX_STYLE, MUTED_STYLE, escape
from ..render.fallback import WidgetWithFallback
from ..render.steps import code_html, notes_html, skipped_lines, static_bundle, step_caption_html, title
from ..render.steps_svg import frame_svg
from ..timeline.model import Timeline


class StepsView(WidgetWithFallback):
    """``%%explain --steps``'s output: the timeline, one step at a time."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        language = timeline.language
        count = len(timeline.frames)
        self.title = widgets.HTML(f"<b>{escape(title(timeline))}</b>")
        self.slider = widgets.IntSlider(
            value=1, min=1, max=max(count, 1), step=1, description=message("steps.slider", language),
            continuous_update=True, disabled=count <= 1, layout=widgets.Layout(width="360px"),
        )
        self.slider.add_class("tm-steps-slider")
        self.previous = widgets.Button(description=message("steps.previous", language), disabled=count <= 1)
        self.previous.add_class("tm-steps-previous")
        self.next = widgets.Button(description=message("steps.next", language), disabled=count <= 1)
        self.next.add_class("tm-steps-next")
        self.caption = widgets.HTML()
        self.code = widgets.HTML()
        # The drawing under the code, as wide as the output (its SVG scales down, never up: max-width 100%).
        self.drawing = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.drawing.add_class("tm-steps-drawing")
        self.notes = widgets.HTML()
        footer = [f'<div style="{MUTED_STYLE}">{escape(message("steps.legend", language))}</div>']
        footer.extend(f'<div style="{MUTED_STYLE}">{escape(line)}</div>' for line in skipped_lines(timeline))
        if timeline.error:
            footer.append(f"<div>⚠ {escape(message('steps.cell_failed', language, error=timeline.error))}</div>")
        footer.extend(f"<div>⚠ {escape(warning)}</div>" for warning in timeline.warnings)
        self.footer = widgets.HTML("".join(footer))
        controls = widgets.HBox([self.previous, self.slider, self.next])
        self.widget = widgets.VBox(
            [self.title, controls, self.caption, self.code, self.drawing, self.notes, self.footer],
            layout=widgets.Layout(border_left="3px solid #5b8def", padding="4px 10px"),
        )
        self.widget.add_class("tm-steps")
        self.slider.observe(self._on_slider, names="value")
        self.previous.on_click(lambda _: self.go(self.slider.value - 1))
        self.next.on_click(lambda _: self.go(self.slider.value + 1))
        self.show(0)

    def go(self, position: int) -> None:
        """Move the slider to kept step ``position`` (1-based), clamped to the steps there are."""
        self.slider.value = max(self.slider.min, min(self.slider.max, position))

    def _on_slider(self, change: dict[str, Any]) -> None:
        self.show(int(change["new"]) - 1)

    def show(self, index: int) -> None:
        """Draw kept frame ``index`` (0-based)."""
        timeline = self.timeline
        if not timeline.frames:
            self.caption.value = f'<div style="{BOX_STYLE}">{escape(message("steps.none", timeline.language))}</div>'
            self.code.value = code_html(timeline, None)
            return
        frame = timeline.frames[index]
        self.caption.value = step_caption_html(timeline, index)
        self.code.value = code_html(timeline, frame.line)
        self.drawing.value = frame_svg(timeline, index, standalone=False)
        self.notes.value = notes_html(timeline, frame)

    def text(self) -> str:
        return self.timeline.text()

    def html(self) -> str:
        return static_bundle(self.timeline)["text/html"]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(self.widget._repr_mimebundle_() or {})
        bundle.update(static_bundle(self.timeline))
        return bundle
