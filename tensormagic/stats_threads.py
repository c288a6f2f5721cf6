"""Sharing a walk's chunks between threads, each running its torch calls on one thread.

On the host, the chunks of a large tensor are shared out between the calling thread and a
few worker threads (as many in all as torch's thread count in the calling thread, at most the CPUs this
process may use), each taking the next chunk when it is done with one, and each running its torch calls
on one thread. The alternative, one chunk after another with every call parallel inside torch, makes
hundreds of small OpenMP fork/joins; when another process's threads hold a core, each join waits for a
descheduled thread (about 8 ms here), and describing 1e8 elements went from 30 ms to seconds. Threads
that share chunks never wait for each other until the end. The one-thread setting is OpenMP's
per-thread ``omp_set_num_threads`` (torch's intra-op count is the calling thread's
``omp_get_max_threads``): a worker's dies with it, and the caller's is put back to its exact previous
value before the walk returns or raises. ``torch.set_num_threads`` is never called: it also changes
the count of every thread that starts using torch afterwards (a process-wide value), so a user thread
starting during the walk would inherit one thread. Where the per-thread setting is not available (no
OpenMP runtime, or torch does not follow it), or the tensor is small enough that torch runs each call on
one thread anyway, the caller walks the chunks alone.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar

import torch

T = TypeVar("T")


@cache
def openmp_thread_setter() -> Callable[[int], object] | None:
    """``omp_set_num_threads`` of the OpenMP runtime torch runs on, or None where torch does not use one.

    OpenMP keeps that setting per thread (the ``nthreads-var`` of the thread's own task), and torch's
    intra-op count is ``omp_get_max_threads()`` of the calling thread: set in a worker, it makes that
    worker's torch calls single-threaded and nothing else. Only a runtime already loaded (by torch) is
    used (``RTLD_NOLOAD``), so this never loads a second OpenMP runtime.
    """
    try:
        if "parallel backend: OpenMP" not in torch.__config__.parallel_info():
            return None
    except (RuntimeError, AttributeError):
        return None
    library_dir = os.path.join(os.path.dirname(torch.__file__), "lib")
    candidates = [
        path
        for pattern in ("*gomp*", "*iomp*", "libomp*")
        for path in sorted(glob.glob(os.path.join(library_dir, pattern)))
    ]
    mode = getattr(os, "RTLD_NOLOAD", 0) | getattr(os, "RTLD_LOCAL", 0)
    for path in candidates:
        try:
            setter = ctypes.CDLL(path, mode=mode).omp_set_num_threads
        except (OSError, AttributeError):
            continue
        setter.argtypes = [ctypes.c_int]
        setter.restype = None
        return setter  # type: ignore[no-any-return]
    try:  # a torch linked against a system OpenMP runtime: look in what the process has loaded
        setter = ctypes.CDLL(None).omp_set_num_threads
    except (OSError, AttributeError, TypeError):
        return None
    setter.argtypes = [ctypes.c_int]
    setter.restype = None
    return setter  # type: ignore[no-any-return]


serial_threads_work: bool | None = None
"""Whether a thread's own one-thread setting was seen to take (None: not tried yet in this process)."""


def check_serial() -> None:
    """Record whether torch now runs this thread's calls on one thread (it should, after the setter)."""
    global serial_threads_work
    if torch.get_num_threads() != 1:
        serial_threads_work = False  # from now on the caller walks alone, as without OpenMP
    elif serial_threads_work is None:
        serial_threads_work = True


def summarise_all(
    blocks: Iterable[torch.Tensor], make_summariser: Callable[[], Callable[[torch.Tensor], T]], workers: int
) -> list[T]:
    """One summary per block, in block order; the caller and ``workers - 1`` threads share the blocks.

    Each takes the next block when done with one, so one the scheduler sets aside delays only its
    current block, and no torch call waits for another thread. The caller works too (one thread fewer
    to start and to schedule), with its own one-thread setting for the duration, restored exactly
    before this returns or raises. An error anywhere stops the others and is raised here, after every
    thread has finished its current block (none outlives the call, none keeps a reference to the tensor).
    """
    setter = openmp_thread_setter()
    if workers <= 1 or setter is None:
        summarise = make_summariser()
        return [summarise(block) for block in blocks]
    numbered = enumerate(blocks)
    lock = threading.Lock()
    stop = threading.Event()
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def take_blocks() -> None:
        summarise = make_summariser()
        while not stop.is_set():
            with lock:
                item = next(numbered, None)
            if item is None:
                return
            results[item[0]] = summarise(item[1])

    def work() -> None:
        # A worker's setting dies with it: nothing to restore.
        try:
            torch.get_num_threads()  # torch's lazy per-thread set-up first, or it would override ours
            setter(1)
            check_serial()
            # Thread-local, like the setting: a subclass's __torch_function__ stays out of the walk here,
            # as ``tensor_stats`` keeps it out in the caller.
            with torch._C.DisableTorchFunctionSubclass():
                take_blocks()
        except BaseException as error:  # raised again in the caller
            errors.append(error)
            stop.set()

    started: list[threading.Thread] = []
    previous = torch.get_num_threads()  # the caller's own count, put back exactly in ``finally``
    try:
        for _ in range(workers - 1):
            thread = threading.Thread(target=work, name="tensormagic-stats", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # no more threads allowed: the ones started and the caller do it all
                break
            started.append(thread)
        setter(1)
        check_serial()
        take_blocks()
    except BaseException:
        stop.set()
        raise
    finally:
        # First, and a direct call of the C function: CPython raises a pending KeyboardInterrupt only
        # after a call returns, so an interrupt cannot skip this line.
        setter(previous)
        for thread in started:
            thread.join()
    if errors:
        raise errors[0]
    return [results[index] for index in range(len(results))]
