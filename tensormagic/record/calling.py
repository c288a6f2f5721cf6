"""Calling an op as its caller would, and taking our frames out of the user's tracebacks.

A handler that called ``func(*args, **kwargs)`` itself would be the frame a warning names: C++ ``TORCH_WARN``
warns at the running Python frame (``stacklevel=1``), torch's Python code at its caller (``stacklevel=2``).
Both would then say ``recorder.py`` instead of the user's line, and the once-per-location ``default`` filter
would count our line. So the op is called from a *trampoline*: a one-line function whose code carries the
immediate caller's file name and current line, run with the caller's globals (``__name__`` and
``__warningregistry__`` as without the magic). The recorder caches one per (caller code, instruction).
"""

from __future__ import annotations

import builtins
import os
import sys
import types
from typing import Any

import torch

from .frames import _PACKAGE_DIR, TORCH_DIR, TRAMPOLINE_NAME

_TRAMPOLINE_TEMPLATE: types.CodeType = next(
    const
    for const in compile(
        "def _tm_call(func, args, kwargs): __tracebackhide__ = True; return func(*args, **kwargs)\n",
        "<tensormagic>",
        "exec",
    ).co_consts
    if isinstance(const, types.CodeType)
).replace(co_name=TRAMPOLINE_NAME)
if sys.version_info >= (3, 11):
    _TRAMPOLINE_TEMPLATE = _TRAMPOLINE_TEMPLATE.replace(co_qualname=TRAMPOLINE_NAME)

#: Code of torch's ``handle_torch_function``: the function mode's handler is called from it for torch's
#: Python-level functions (``Tensor.resize``, ``F.dropout2d``), below the function the user called.
_HANDLE_TORCH_FUNCTION_CODE = torch.overrides.handle_torch_function.__code__
#: torch's files whose frames only exist because a mode is active or a torch function is wrapped
#: (``_disable_dynamo``): skipped when finding the caller, dropped from the user's tracebacks.
MODE_PLUMBING_FILES = frozenset(
    os.path.join(TORCH_DIR, *parts)
    for parts in (("overrides.py",), ("utils", "_python_dispatch.py"), ("_dynamo", "eval_frame.py"), ("_compile.py",))
)


def immediate_caller(frame: Any) -> Any:
    """The frame that calls the op without the magic, from the frame that called a handler."""
    if frame is not None and frame.f_code is _HANDLE_TORCH_FUNCTION_CODE:
        frame = frame.f_back  # the torch Python function that asked for the override
        frame = frame.f_back if frame is not None else None  # and its caller
    while frame is not None and frame.f_code.co_filename in MODE_PLUMBING_FILES:
        frame = frame.f_back
    return frame


def make_trampoline(caller: Any) -> Any:
    """``call(func, args, kwargs)`` running from a frame with ``caller``'s file, current line and globals."""
    code = _TRAMPOLINE_TEMPLATE.replace(co_filename=caller.f_code.co_filename, co_firstlineno=caller.f_lineno or 1)
    return types.FunctionType(code, caller.f_globals, TRAMPOLINE_NAME)


def direct_call(func: Any, args: Any, kwargs: Any) -> Any:
    __tracebackhide__ = True  # noqa: F841
    return func(*args, **kwargs)


# -- tracebacks -------------------------------------------------------------------------------------------------
def _is_ours(tb: Any) -> bool:
    code = tb.tb_frame.f_code
    return code.co_name == TRAMPOLINE_NAME or str(code.co_filename).startswith(_PACKAGE_DIR + os.sep)


def _is_plumbing(tb: Any) -> bool:
    return tb.tb_frame.f_code.co_filename in MODE_PLUMBING_FILES


#: ``OpOverload.__call__``: a dispatch mode's handler calls the aten op through it, where the dispatcher calls the
#: kernel without a Python frame. Its entry right below our trampoline is ours to drop: shown, it would add a
#: ``torch/_ops.py`` frame to the user's traceback, and keep (through its ``f_back`` chain up to our handlers'
#: locals) the op's tensors alive for as long as the exception is remembered (``sys.last_value``).
_OP_OVERLOAD_CALL_CODE = torch._ops.OpOverload.__call__.__code__

#: ``BaseExceptionGroup`` on Python 3.11+ (nothing matches on 3.10)
_EXCEPTION_GROUP: Any = getattr(builtins, "BaseExceptionGroup", ())


def drop_own_entries(error: BaseException) -> None:
    """Take the leading entries of our frames (a handler, ``first_call``, the trampoline) off ``error``'s traceback.

    A mode's handler calls this as the user's error leaves it and re-raises with a bare ``raise``, which adds no
    entry for the handler again: the traceback the cell's ``except`` sees then runs from the user's frame
    straight into torch's own frames, as without the magic. Frames above the handler (torch's mode plumbing for
    Python-level torch functions) are added after it returns and stay; :func:`prune_exception` drops them before
    IPython shows the traceback.
    """
    tb = error.__traceback__
    dropped = False
    while tb is not None and (_is_ours(tb) or (dropped and tb.tb_frame.f_code is _OP_OVERLOAD_CALL_CODE)):
        tb = tb.tb_next
        dropped = True
    error.__traceback__ = tb


def prune_exception(error: BaseException | None) -> None:
    """:func:`prune_traceback` on ``error`` and every exception chained to it (cause, context, group members)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        prune_traceback(current.__traceback__)
        pending.extend((current.__cause__, current.__context__))
        if isinstance(current, _EXCEPTION_GROUP):
            pending.extend(current.exceptions)


def prune_traceback(tb: Any) -> None:
    """Unlink, in place, the traceback entries the recording added (our handlers and torch's mode plumbing).

    A user's error then shows the same frames as without ``%%explain``:

    - our own frames (never the head, which the caller holds) and torch's mode plumbing right around them;
    - a Python-level torch function runs twice under a mode: once as the user called it, asking the mode
      (``X -> handle_torch_function -> our handler``), and again from our handler (``X``), which raises. Where
      plumbing sits between two entries of the same code, the first of the twins goes with the plumbing. Without
      a mode a user's own code (their mode, their subclass's ``__torch_function__``) sits between them instead.

    Tracebacks without either are left untouched (a user's recursion keeps every frame).
    """
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    drop = {i for i, e in enumerate(entries) if i > 0 and _is_ours(e)}
    for i in sorted(drop):
        j = i - 1  # the mode plumbing that called our handler
        while j > 0 and j not in drop and _is_plumbing(entries[j]):
            drop.add(j)
            j -= 1
        k = i + 1  # and the plumbing our handler called back into
        while k < len(entries) and k not in drop and _is_plumbing(entries[k]):
            drop.add(k)
            k += 1
    i = 1
    while i < len(entries):
        if not _is_plumbing(entries[i]):
            i += 1
            continue
        end = i  # a run of plumbing, and of our frames (dropped already, or gone from the handler's way out)
        while end + 1 < len(entries) and (end + 1 in drop or _is_plumbing(entries[end + 1])):
            end += 1
        before, after = i - 1, end + 1
        if (
            before > 0
            and after < len(entries)
            and entries[before].tb_frame.f_code is entries[after].tb_frame.f_code
            and entries[before].tb_frame is not entries[after].tb_frame
        ):
            drop.update(range(before, after))
        i = end + 1
    if not drop:
        return
    kept = [e for i, e in enumerate(entries) if i not in drop]
    for before_entry, after_entry in zip(kept, kept[1:], strict=False):
        before_entry.tb_next = after_entry
    kept[-1].tb_next = None
