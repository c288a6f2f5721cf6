"""IPython glue: the ``%tensor`` and ``%explain`` magics, and loading/unloading the extension.

The magics are thin: they parse arguments, find the user namespace and call the plain API. This
package is the only place that touches ``InteractiveShell``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import weakref
from collections.abc import Callable
from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from ..config import TensorMagic, check_max_lines, settings_for
from .auto import AutoFormatter
from .help import install_help
from .tensor import run_tensor_magic, shape_argument


def max_lines_option(text: str) -> int:
    """``--max-lines``: the same rule as ``TensorMagic.max_lines``; a bad value is a UsageError naming it."""
    try:
        return check_max_lines(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


@magics_class
class TensorMagics(Magics):
    """Magics that make tensors explain themselves."""

    def __init__(self, shell: InteractiveShell, settings: TensorMagic) -> None:
        super().__init__(shell)
        self.settings = settings
        self.auto_formatter = AutoFormatter(shell, settings)
        self._cleanups: list[Callable[[], None]] = []
        settings.observe(self._on_auto_changed, names="auto")
        if settings.auto:
            self.auto_formatter.enable()

    def _on_auto_changed(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.auto_formatter.enable()
        else:
            self.auto_formatter.disable()

    def add_cleanup(self, cleanup: Callable[[], None]) -> None:
        """Run ``cleanup`` when the extension is unloaded (hooks, formatters, event callbacks)."""
        self._cleanups.append(cleanup)

    def close(self) -> None:
        self.settings.unobserve(self._on_auto_changed, names="auto")
        self.auto_formatter.disable()
        while self._cleanups:
            self._cleanups.pop()()

    @magic_arguments()
    @argument("-l", "--lang", choices=["en", "zh"], help="Language of this annotation (default: TensorMagic.language).")
    @argument("--no-stats", action="store_true", help="Skip the statistics (min, max, mean, std, NaN/Inf/zeros).")
    @argument(
        "-p", "--precision", type=int, help="Digits shown for values and statistics (default: TensorMagic.precision)."
    )
    @argument("-w", "--widget", action="store_true", help="Open the interactive inspector widget instead of text.")
    @argument(
        "--input-shape",
        type=shape_argument,
        help="For a model (nn.Module): the input's shape, batch included (16,2), for one dry run on the meta device "
        "that finds every layer's output shape.",
    )
    @argument(
        "--brief", action="store_true",
        help="Student mode for this annotation: no memory layout line, no statistics footer "
        "(default: TensorMagic.detail).",
    )
    @argument(
        "--auto", choices=["on", "off"],
        help="on: annotate every tensor/array a cell returns, without typing %%tensor; off: IPython's own output.",
    )
    @argument(
        "expression", nargs="*",
        help="EXPR or NAME = EXPR. Without it, a table of every tensor and array in the namespace, grouped by "
        "shared memory.",
    )
    @line_magic
    def tensor(self, line: str) -> None:
        """Annotate a tensor or NumPy array: shape, dtype, device, memory, sharing, statistics.

        Examples::

            %tensor torch.arange(6).view(2, 3)
            %tensor t1 = torch.from_numpy(n1)     # assigns t1, then says it shares memory with n1
            %tensor --lang zh --precision 2 t.mean(dim=0)
            %tensor                               # every tensor/array in the namespace
            %tensor --auto on                     # annotate every tensor a cell returns
            %tensor --input-shape 16,2 model      # a model's layers, with each output shape
        """
        __tracebackhide__ = True  # noqa: F841  (IPython hides this frame in a user error's traceback)
        run_tensor_magic(self, line)

    @magic_arguments()
    @argument("-l", "--lang", choices=["en", "zh"], help="Language of the explanation (default: TensorMagic.language).")
    @argument(
        "--max-lines", type=max_lines_option, default=None,
        help="Most lines the explanation shows before saying how many more there are (default: TensorMagic.max_lines).",
    )
    @argument(
        "--steps", action="store_true",
        help="Show a timeline instead: a slider over the executed lines, and at each step the names, the tensors and "
        "arrays they refer to, and their memory as boxes (views, writes, shared memory, new memory).",
    )
    @argument(
        "--brief", action="store_true",
        help="Student mode: one line per call with its point, each rule stated once (default: TensorMagic.detail).",
    )
    @argument(
        "topic", nargs="*",
        help="Line form only: a concept card to show, and its settings as options (%%explain cnn --kernel 5 "
        "--stride 2; %%explain cnn --help lists them).",
    )
    @line_cell_magic
    def explain(self, line: str, cell: str | None = None) -> Any:
        """%%explain: run the cell exactly as IPython would, then explain every torch call it made.

        ``%explain TOPIC`` (line form) shows a concept card instead; ``%explain`` alone lists the cards. Each
        card's controls are options too, so a terminal changes them from the keyboard: ``%explain cnn --kernel 5
        --stride 2`` (``%explain cnn --help`` lists a card's options). A Chinese topic name opens the Chinese card
        unless a language was chosen (``--lang``, or ``TensorMagic.language`` in a config file or ``%config``).

        Examples::

            %%explain
            n1 = np.array([[1, 2, 3], [4, 5, 6]])
            t1 = torch.from_numpy(n1)      # says: shares memory with n1
            t1[0][0] = 8888                # says: changes t1 in place, and n1 too

            %%explain --lang zh
            t = torch.tensor([[1., 2, 3, 4], [5, 6, 7, 8]])
            t.sum(dim=0)                   # says: axis 0 collapses -> (4,), one result per column

            %%explain --steps
            n1 = np.array([[1, 2, 3], [4, 5, 6]])
            t1 = torch.from_numpy(n1)
            t1[0][0] = 8888                # step 3: t1 and n1 show 8888 in the same box
        """
        __tracebackhide__ = True  # noqa: F841
        if cell is None:
            from .topics import explain_line

            return explain_line(self, line)
        from .explain import run_explain_cell

        run_explain_cell(self, line, cell)
        return None  # the cell's own value was displayed by run_cell; returning it would show it twice


install_help(TensorMagics)  # %tensor? and %explain? in TensorMagic.language

_loaded: weakref.WeakKeyDictionary[InteractiveShell, TensorMagics] = weakref.WeakKeyDictionary()


def loaded_magics(shell: InteractiveShell) -> TensorMagics | None:
    return _loaded.get(shell)


def session_language() -> str | None:
    """``TensorMagic.language`` of the extension loaded in the running IPython shell; ``None`` when not loaded."""
    from IPython.core.getipython import get_ipython

    shell = get_ipython()
    magics = _loaded.get(shell) if shell is not None else None
    return None if magics is None else magics.settings.language


def load_ipython_extension(shell: InteractiveShell) -> None:
    if shell in _loaded:  # loading twice is harmless
        return
    settings = settings_for(shell)
    magics = TensorMagics(shell, settings)
    replaced = {
        kind: {name: table[name] for name in magics.magics[kind] if name in table}
        for kind, table in shell.magics_manager.magics.items()
    }
    shell.register_magics(magics)
    shell.configurables.append(settings)

    def restore_magics() -> None:
        for kind, names in magics.magics.items():
            table = shell.magics_manager.magics[kind]
            for name in names:
                table.pop(name, None)
            table.update(replaced.get(kind, {}))
        if shell.magics_manager.registry.get(type(magics).__name__) is magics:
            del shell.magics_manager.registry[type(magics).__name__]
        for configurable in (settings, magics):  # Magics.__init__ registered the magics object itself
            if configurable in shell.configurables:
                shell.configurables.remove(configurable)

    magics.add_cleanup(restore_magics)
    _loaded[shell] = magics
    # A card, the inspector and %%explain --steps are ipywidgets: its import (0.2-0.6 s on a busy laptop) is paid
    # here, in the set-up cell that already imports torch, not by the first cell a student explains.
    with contextlib.suppress(ImportError):
        importlib.import_module("ipywidgets")


def unload_ipython_extension(shell: InteractiveShell) -> None:
    magics = _loaded.pop(shell, None)
    if magics is not None:
        magics.close()
