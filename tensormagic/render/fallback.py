"""One display protocol for everything built from ipywidgets: the widget where a front end can show it,
the same content as text (terminal IPython) and as static HTML (front ends without a widget manager)."""

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
