"""``%%explain``: run the cell through the shell exactly once, recording torch calls, then explain them.

Transparency is the contract: the cell runs through ``shell.run_cell`` (so ``!`` lines, magics,
display of the last value, tracebacks and history work as IPython does them); the recorder draws no
random numbers and keeps no tensors alive. What the inner ``run_cell`` reports (its error, its value) is
copied onto the *outer* cell's own ``ExecutionResult`` the moment it finishes, and the shell's
``last_execution_succeeded`` follows it, so a failing cell fails exactly as without the magic: the kernel
answers "error" and "Run all" stops there, a ``silent`` run returns the failure, and nothing waits for a
later cell (no hook outlives the cell; ``%unload_ext`` inside the cell changes nothing).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from IPython.core.magic_arguments import parse_argstring
from IPython.display import display

from ..explanation import Explanation
from ..i18n import message, normalize_language
from ..record import prune_exception
from ..record.calling import drop_own_entries
from ..runner import Outcome, fault_text, run_recorded
from .steps import recorder_for, run_steps

if TYPE_CHECKING:
    from . import TensorMagics


def _outer_result(shell: Any) -> Any:
    """The ``ExecutionResult`` of the cell that ran ``%%explain`` (None when run outside ``run_cell``).

    IPython hands it to the display hook for the duration of the cell; the inner ``run_cell`` replaces it with
    its own and clears it when done, so it is read before the inner run.
    """
    result = getattr(getattr(shell, "displayhook", None), "exec_result", None)
    return result if hasattr(result, "error_in_exec") else None


class _MarkFailed:
    """One shot on ``post_execute``: the outer cell's ``run_cell`` has just set ``last_execution_succeeded``
    from its own (successful) code; set it to what the inner run said, then unregister.

    ``post_execute`` fires for every ``run_cell``, silent ones too, right after that assignment (in IPython's
    ``run_cell`` and in ipykernel's own loop); nothing of ours is left registered once the cell is over.
    """

    def __init__(self, shell: Any, outer: Any) -> None:
        self.shell = shell
        self.outer = outer

    def __call__(self) -> None:
        with contextlib.suppress(ValueError):
            self.shell.events.unregister("post_execute", self)
        if getattr(self.shell, "last_execution_result", None) is self.outer:
            self.shell.last_execution_succeeded = False


def _report_to_outer(shell: Any, outer: Any, outcome: Outcome) -> None:
    """Copy the inner run's result onto the outer cell's, as a plain run of the cell would have produced it."""
    displayhook = getattr(shell, "displayhook", None)
    if displayhook is not None and outer is not None and getattr(displayhook, "exec_result", None) is None:
        displayhook.exec_result = outer  # the inner run cleared it; later output of the outer cell fills it
    if outer is None:
        return
    inner = outcome.value
    if not outcome.raised and hasattr(inner, "error_in_exec"):
        if outer.result is None:
            outer.result = inner.result
        if inner.error_before_exec is not None and outer.error_before_exec is None:
            outer.error_before_exec = inner.error_before_exec
        if inner.error_in_exec is not None and outer.error_in_exec is None:
            outer.error_in_exec = inner.error_in_exec
    elif outcome.error is not None and outer.error_in_exec is None:
        outer.error_in_exec = outcome.error  # the inner run_cell itself was interrupted
    if not outer.success:
        events = getattr(shell, "events", None)
        if events is not None:
            events.register("post_execute", _MarkFailed(shell, outer))


def _patch(owner: Any, name: str, replacement: Any, restores: list[Callable[[], None]]) -> None:
    """Set ``owner.name`` for the inner run; the way back is queued first, so no interrupt can lose it."""
    had_own = name in vars(owner)
    saved = vars(owner).get(name)

    def restore() -> None:
        if vars(owner).get(name) is not replacement:
            return  # already restored (a one-shot patch), or replaced since by someone else: theirs stays
        if had_own:
            setattr(owner, name, saved)
        else:
            vars(owner).pop(name, None)

    restores.append(restore)
    setattr(owner, name, replacement)


def _warn(language: str, error: BaseException | str) -> None:
    text = error if isinstance(error, str) else fault_text(error)
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


def _compiled_as(shell: Any, number: int, restores: list[Callable[[], None]]) -> None:
    """Have the next ``shell.compile.cache`` (the inner ``run_cell`` naming the cell) use ``number``.

    One-shot: calls after the first (a ``%%time`` body, a nested ``run_cell`` in the user's code) keep the number
    IPython gives them. The cell's code name, ``In[N]`` label and ``co_filename`` then match plain execution.
    """
    compiler = shell.compile
    original = compiler.cache
    had_own = "cache" in vars(compiler)

    def cache(transformed_code: str, _number: int = 0, raw_code: str | None = None) -> str:
        if vars(compiler).get("cache") is cache:
            if had_own:
                compiler.cache = original
            else:
                vars(compiler).pop("cache", None)
        return original(transformed_code, number, raw_code)

    with contextlib.suppress(Exception):  # an unusual compiler: the cell keeps IPython's number
        _patch(compiler, "cache", cache, restores)


def _quiet_as(shell: Any, transformed: str, restores: list[Callable[[], None]]) -> None:
    """A trailing ``;`` in the cell hides its last value, as it does without the magic.

    IPython's display hook decides from the last cell stored in history, which is the outer ``%%explain``
    cell (``get_ipython().run_cell_magic(...)``, never ending in ``;``), so ``x;`` would print ``Out[N]``.
    While that outer cell is still the last in history, the hook asks about the cell itself instead.
    """
    hook = getattr(shell, "displayhook", None)
    history = getattr(getattr(shell, "history_manager", None), "input_hist_parsed", None)
    if hook is None or not history or not hasattr(hook, "semicolon_at_end_of_expression"):
        return
    outer = history[-1]
    original = hook.quiet

    def quiet() -> bool:
        try:
            if history and history[-1] is outer:
                return bool(hook.semicolon_at_end_of_expression(transformed))
        except Exception:  # noqa: BLE001 - IPython's own answer rather than a traceback
            pass
        return bool(original())

    _patch(hook, "quiet", quiet, restores)


def _pruned_tracebacks(shell: Any, restores: list[Callable[[], None]]) -> None:
    """The user's traceback, as IPython shows it, without the frames recording added (chained ones too)."""
    original = shell.showtraceback

    def showtraceback(exc_tuple: Any = None, *args: Any, **kwargs: Any) -> Any:
        with contextlib.suppress(Exception):
            prune_exception(exc_tuple[1] if exc_tuple is not None else sys.exc_info()[1])
        return original(exc_tuple, *args, **kwargs)

    _patch(shell, "showtraceback", showtraceback, restores)


def run_explain_cell(magics: TensorMagics, line: str, cell: str) -> None:
    """Run ``cell`` once through the shell under the recorder, then display its explanation."""
    __tracebackhide__ = True  # noqa: F841
    shell = magics.shell
    assert shell is not None
    settings = magics.settings
    args = parse_argstring(magics.explain, line)
    language = normalize_language(args.lang or settings.language)
    max_lines = args.max_lines if args.max_lines else settings.max_lines
    detail = "brief" if args.brief else settings.detail

    outer = _outer_result(shell)
    number = _cell_number(shell)
    try:
        transformed = shell.transform_cell(cell)
        # The name IPython will compile the cell under: code objects with it are the cell's own.
        filename = shell.compile.get_code_name(cell, transformed, number)
        steps = recorder_for(filename, transformed, _display_lines(cell, transformed)) if args.steps else None
    except Exception as error:  # noqa: BLE001 - without a recorder the cell still runs, unexplained
        _warn(language, error)
        result = shell.run_cell(cell, store_history=False)
        _report_to_outer(shell, outer, Outcome(value=result))
        return None

    restores: list[Callable[[], None]] = []

    def execute() -> Any:
        __tracebackhide__ = True  # noqa: F841
        _compiled_as(shell, number, restores)
        _quiet_as(shell, transformed, restores)
        _pruned_tracebacks(shell, restores)
        return shell.run_cell(cell, store_history=False)

    def after_cell(outcome: Outcome) -> None:
        """Runs with interrupts held: the shell as it was, the outer cell told how the inner one went."""
        while restores:
            try:
                restores.pop()()
            except Exception as fault:  # noqa: BLE001 - the others are restored all the same
                outcome.warnings.append(fault_text(fault))
        if outcome.raised and outcome.error is not None:
            # Not the user's code (that run_cell reports itself) but an interrupt before it started or outside it:
            # shown as IPython shows one, without our frames.
            with contextlib.suppress(Exception):
                drop_own_entries(outcome.error)
                shell.showtraceback((type(outcome.error), outcome.error, outcome.error.__traceback__))
        _report_to_outer(shell, outer, outcome)

    def present(outcome: Outcome) -> None:
        """Runs once the explanation is built; an interrupt here only stops the display (one warning line)."""
        try:
            for warning in outcome.warnings[:1]:
                _warn(language, warning)
            explanation = outcome.explanation
            if explanation is None:
                return
            explanation.detail = detail
            magics.last_explanation = explanation  # type: ignore[attr-defined]
            if explanation.steps or explanation.warnings or outcome.error is None:
                # Rendered here, inside the guard: IPython's formatter would print its own traceback for a fault
                # in ``_repr_mimebundle_``; the finished bundle is published as it is.
                display(_render(explanation), raw=True)
        except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - one warning line, never a traceback
            _warn(language, error)

    if steps is not None:  # --steps: the step tracer instead of the recorder, then the timeline

        def after_steps(result: Any, raised: BaseException | None) -> None:
            after_cell(Outcome(value=result, error=raised, raised=raised is not None))

        run_steps(magics, steps, execute, after_steps, language)
        return None
    run_recorded(
        execute,
        filename=filename,
        source=transformed,
        namespace=shell.user_ns,
        language=language,
        max_lines=max_lines,
        display_lines=_display_lines(cell, transformed),
        error_of=_error_of,
        after_cell=after_cell,
        present=present,
    )
    return None


def _error_of(result: Any) -> BaseException | None:
    """The inner run's error: the user's exception first (IPython may also record a fault showing it)."""
    if result.error_in_exec is not None:
        return result.error_in_exec  # type: ignore[no-any-return]
    return result.error_before_exec  # type: ignore[no-any-return]
