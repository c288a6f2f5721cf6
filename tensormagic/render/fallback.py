"""One display protocol for everything built from ipywidgets: the widget where a front end can show it,
the same content as text (terminal IPython) and as static HTML (front ends without a widget manager).

The static HTML is what an *untrusted* notebook shows (a notebook a student received, an executed copy that was
not signed): JupyterLab and Notebook 7 then drop the widget view and pass the HTML through their sanitizer, which
removes inline ``<svg>`` and ``<style>`` blocks and ``var(...)`` styles, and keeps tags, inline styles and
``<img>`` whatever its ``src``. So the static HTML draws with :func:`~.svg.as_image` (each drawing an ``<img>``
of its SVG) and styles every element inline. An ``image/svg+xml`` output of its own would not do: both front ends
treat SVG as unsafe and show an untrusted one's ``text/plain`` instead, or nothing (measured with JupyterLab 4.6
and Notebook 7.6; ``image/png`` is safe, but drawing PNGs would need an imaging library).
"""

from __future__ import annotations

from typing import Any


class WidgetWithFallback:
    """Mixin: subclasses provide ``widget``, ``text()`` and ``html()``."""

    widget: Any

    def text(self) -> str:
        raise NotImplementedError

    def html(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(self.widget._repr_mimebundle_() or {})
        bundle["text/plain"] = self.text()
        bundle["text/html"] = self.html()
        return bundle
