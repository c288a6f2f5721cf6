"""``%%explain``: run the cell through the shell exactly once, recording torch calls, then explain them.

Transparency is the contract: the cell runs through ``shell.run_cell`` (so ``!`` lines, magics,
display of the last value, tracebacks and history work as IPython does them); the recorder draws no
random numbers and keeps no tensors alive. If the cell fails, the explanation comes after IPython's
traceback and the *outer* execution is marked failed too (``post_run_cell`` sets ``error_in_exec`` on
its result), so "Run all" in a notebook stops at this cell exactly as it would without the magic.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Any

from IPython.core.magic_arguments import parse_argstring
from IPython.display import display

from ..explanation import Explanation
from ..i18n import message, normalize_language
from ..record import prune_traceback
from ..runner import run_recorded
from .steps import recorder_for, run_steps

if TYPE_CHECKING:
    from . import TensorMagics


class _FailureRelay:
    """Marks the outer cell failed when the cell run inside ``%%explain`` failed.

    Registered once per extension load (``post_run_cell``) and removed on unload. The inner
    ``run_cell`` triggers its own ``post_run_cell`` before the relay is armed, so the next one is the
    outer cell's.
    """

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.pending: tuple[BaseException, str] | None = None

    def arm(self, error: BaseException, cell: str) -> None:
        self.pending = (error, cell)

    def __call__(self, result: Any) -> None:
        pending, self.pending = self.pending, None
        if pending is None or result is None or getattr(result, "error_in_exec", None) is not None:
            return
        error, cell = pending
        # Only the cell that ran %%explain: a silent run triggers no post_run_cell, and the next cell's
        # event must not inherit the failure.
        raw = str(getattr(getattr(result, "info", None), "raw_cell", "") or "")
        if cell.strip() in raw:
            result.error_in_exec = error
            self.shell.last_execution_succeeded = False


def _relay(magics: TensorMagics) -> _FailureRelay:
    relay = getattr(magics, "_explain_relay", None)
    if relay is None:
        shell = magics.shell
        relay = _FailureRelay(shell)
        shell.events.register("post_run_cell", relay)  # type: ignore[union-attr]

        def unregister() -> None:
            with contextlib.suppress(ValueError):
                shell.events.unregister("post_run_cell", relay)  # type: ignore[union-attr]

        magics.add_cleanup(unregister)
        magics._explain_relay = relay  # type: ignore[attr-defined]
    return relay


def _warn(language: str, error: BaseException) -> None:
    text = f"{type(error).__name__}: {error}".splitlines()[0][:200]
    print(message("explain.incomplete", language, error=text), file=sys.stderr)


def _render(explanation: Explanation) -> dict[str, str]:
    """The explanation's display bundle (text and HTML), rendered now so that a fault is ours to report."""
    bundle = explanation._repr_mimebundle_()
    if not isinstance(bundle, dict) or not all(isinstance(v, str) for v in bundle.values()):
        raise TypeError(f"explanation rendered as {type(bundle).__name__}, not a dict of strings")
    return dict(bundle)


def _display_lines(raw: str, transformed: str) -> list[str]:
    """The raw cell's lines, numbered like the compiled (transformed) cell.

    IPython drops a cell's leading blank lines before compiling it, so line N of the code objects is
    line N of the transformed source; the raw lines are shown (``!ls`` rather than ``get_ipython()...``).
    """
    raw_lines = raw.splitlines()
    wanted = len(transformed.splitlines())
    drop = 0
    while drop < len(raw_lines) and not raw_lines[drop].strip() and len(raw_lines) - drop > wanted:
        drop += 1
    return raw_lines[drop:]


def _cell_number(shell: Any) -> int:
    """The execution count the cell would be compiled under if it ran without the magic.

    The outer ``run_cell`` has already advanced ``shell.execution_count`` when the magic runs, so the inner
    ``run_cell`` would name the cell one higher: tracebacks would say ``In[12]`` where plain execution says
    ``In[11]``. The outer cell's own number is on the result the display hook holds while it runs.
    """
    outer = getattr(getattr(shell, "displayhook", None), "exec_result", None)
    number = getattr(outer, "execution_count", None)
    return number if isinstance(number, int) else int(shell.execution_count)


@contextlib.contextmanager
def _compiled_as(shell: Any, number: int) -> Any:
    """Have the next ``shell.compile.cache`` (the inner ``run_cell`` naming the cell) use ``number``.

    One-shot: calls after the first (a ``%%time`` body, a nested ``run_cell`` in the user's code) keep the number
    IPython gives them. The cell's code name, ``In[N]`` label and ``co_filename`` then match plain execution.
    """
    compiler = shell.compile
    original = compiler.cache
    had_own = "cache" in vars(compiler)

    def restore() -> None:
        if had_own:
            compiler.cache = original
        else:
            vars(compiler).pop("cache", None)

    def cache(transformed_code: str, _number: int = 0, raw_code: str | None = None) -> str:
        restore()
        return original(transformed_code, number, raw_code)

    try:
        compiler.cache = cache
    except Exception:  # noqa: BLE001 - an unusual compiler: the cell keeps IPython's number
        yield
        return
    try:
        yield
    finally:
        restore()


@contextlib.contextmanager
def _quiet_as(shell: Any, transformed: str) -> Any:
    """A trailing ``;`` in the cell hides its last value, as it does without the magic.

    IPython's display hook decides from the last cell stored in history, which is the outer ``%%explain``
    cell (``get_ipython().run_cell_magic(...)``, never ending in ``;``), so ``x;`` would print ``Out[N]``.
    While that outer cell is still the last in history, the hook asks about the cell itself instead.
    """
    hook = getattr(shell, "displayhook", None)
    history = getattr(getattr(shell, "history_manager", None), "input_hist_parsed", None)
    if hook is None or not history or not hasattr(hook, "semicolon_at_end_of_expression"):
        yield
        return
    outer = history[-1]
    original = hook.quiet
    had_own = "quiet" in vars(hook)

    def quiet() -> bool:
        try:
            if history and history[-1] is outer:
                return bool(hook.semicolon_at_end_of_expression(transformed))
        except Exception:  # noqa: BLE001 - IPython's own answer rather than a traceback
            pass
        return bool(original())

    hook.quiet = quiet
    try:
        yield
    finally:
        if had_own:
            hook.quiet = original
        else:
            vars(hook).pop("quiet", None)


def run_explain_cell(magics: TensorMagics, line: str, cell: str) -> None:
    """Run ``cell`` once through the shell under the recorder, then display its explanation."""
    __tracebackhide__ = True  # noqa: F841
    shell = magics.shell
    assert shell is not None
    settings = magics.settings
    args = parse_argstring(magics.explain, line)
    language = normalize_language(args.lang or settings.language)
    max_lines = args.max_lines if args.max_lines else settings.max_lines

    number = _cell_number(shell)
    try:
        transformed = shell.transform_cell(cell)
        # The name IPython will compile the cell under: code objects with it are the cell's own.
        filename = shell.compile.get_code_name(cell, transformed, number)
        relay = _relay(magics)
        steps = recorder_for(filename, transformed, _display_lines(cell, transformed)) if args.steps else None
    except Exception as error:  # noqa: BLE001 - without a recorder the cell still runs, unexplained
        _warn(language, error)
        shell.run_cell(cell, store_history=False)
        return None

    def execute() -> Any:
        __tracebackhide__ = True  # noqa: F841
        with _compiled_as(shell, number), _quiet_as(shell, transformed), _pruned_tracebacks(shell):
            return shell.run_cell(cell, store_history=False)

    if steps is not None:  # --steps: the step tracer instead of the recorder, then the timeline
        run_steps(magics, steps, execute, relay, cell, language)
        return None
    outcome = run_recorded(
        execute,
        filename=filename,
        source=transformed,
        namespace=shell.user_ns,
        language=language,
        max_lines=max_lines,
        display_lines=_display_lines(cell, transformed),
        error_of=lambda result: result.error_before_exec or result.error_in_exec,
    )
    for warning in outcome.warnings[:1]:
        print(message("explain.incomplete", language, error=warning), file=sys.stderr)
    explanation = outcome.explanation
    if explanation is not None:
        try:
            magics.last_explanation = explanation  # type: ignore[attr-defined]
            if explanation.steps or explanation.warnings or outcome.error is None:
                # Rendered here, inside the guard: IPython's formatter would print its own traceback for a fault in
                # ``_repr_mimebundle_``; the finished bundle is published as it is.
                display(_render(explanation), raw=True)
        except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - one warning line, never a traceback
            _warn(language, error)
    if outcome.error is not None:
        relay.arm(outcome.error, cell)
    return None


@contextlib.contextmanager
def _pruned_tracebacks(shell: Any) -> Any:
    """The user's traceback, as IPython shows it, without the frames recording added."""
    had_own = "showtraceback" in vars(shell)
    saved = vars(shell).get("showtraceback")
    original = shell.showtraceback

    def showtraceback(exc_tuple: Any = None, *args: Any, **kwargs: Any) -> Any:
        with contextlib.suppress(Exception):
            prune_traceback(exc_tuple[2] if exc_tuple is not None else sys.exc_info()[2])
        return original(exc_tuple, *args, **kwargs)

    shell.showtraceback = showtraceback
    try:
        yield
    finally:
        if had_own:
            shell.showtraceback = saved
        else:
            vars(shell).pop("showtraceback", None)
