"""Auto mode: annotate every tensor/ndarray a cell returns, through IPython's display formatters.

Registering printers with ``shell.display_formatter`` is IPython's own extension point; nothing in
torch or NumPy is patched, and disabling restores exactly the printers that were there before.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import torch
from IPython.core.interactiveshell import InteractiveShell

from ..annotate import annotate
from ..config import TensorMagic
from ..i18n import message
from ..sharing import names_of

_TYPES = (torch.Tensor, np.ndarray)


class AutoFormatter:
    def __init__(self, shell: InteractiveShell, settings: TensorMagic) -> None:
        self.shell = shell
        self.settings = settings
        self._previous: dict[tuple[str, type], Any] | None = None

    @property
    def enabled(self) -> bool:
        return self._previous is not None

    def enable(self) -> None:
        if self.enabled:
            return
        previous: dict[tuple[str, type], Any] = {}
        formatters = self._formatters()
        for cls in _TYPES:
            previous[("text/plain", cls)] = formatters["text/plain"].for_type(cls, self._plain)
            previous[("text/html", cls)] = formatters["text/html"].for_type(cls, self._html)
        self._previous = previous

    def disable(self) -> None:
        """Put back the printers that were there before :meth:`enable`, where ours are still in place.

        A printer the user registered for the same type while auto mode was on replaced ours: it stays.
        """
        if self._previous is None:
            return
        formatters = self._formatters()
        ours = {"text/plain": self._plain, "text/html": self._html}
        for (mime, cls), old in self._previous.items():
            printers = formatters[mime].type_printers
            if cls in printers and printers[cls] != ours[mime]:
                continue  # the user's own, registered after ours
            if old is None:
                printers.pop(cls, None)
            else:
                formatters[mime].for_type(cls, old)
        self._previous = None

    def _formatters(self) -> dict[str, Any]:
        display_formatter = self.shell.display_formatter
        assert display_formatter is not None  # set by InteractiveShell.__init__
        return display_formatter.formatters

    def _annotation(self, obj: Any) -> Any:
        names = names_of(obj, self.shell.user_ns)
        return annotate(
            obj,
            self.shell.user_ns,
            name=names[0] if names else None,
            language=self.settings.language,
            precision=self.settings.precision,
            stats=self.settings.stats,
            detail=self.settings.detail,
        )

    def _plain(self, obj: Any, printer: Any, cycle: bool) -> None:
        # Inside a container (a list of tensors) keep the library's own short repr.
        if cycle or len(getattr(printer, "stack", ())) > 1:
            printer.text(repr(obj))
            return
        try:
            printer.text(str(self._annotation(obj)))
        except Exception as error:  # never break the user's output: fall back to the plain repr
            print(message("warning.internal", self.settings.language, error=_short(error)), file=sys.stderr)
            printer.text(repr(obj))

    def _html(self, obj: Any) -> str | None:
        try:
            return self._annotation(obj)._repr_html_()
        except Exception:  # the text/plain printer already warned; no HTML means IPython shows the text
            return None


def _short(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".splitlines()[0][:200]
