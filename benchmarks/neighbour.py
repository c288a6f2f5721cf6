"""Benchmark conditions: a quiet machine, and one shared with a torch neighbour.

A student's laptop is never idle: a second kernel or a data-loader worker runs torch with its own thread
pool on the same cores. Many small parallel torch calls collapse there (each OpenMP join waits for a
thread the scheduler set aside), which pure-Python busy loops do not show. So every benchmark measures
both conditions in one run: ``quiet`` (nothing started by the benchmark; the machine may still be busy
with other work, which the printed load average hints at), and ``torch neighbour``: another process
looping ``a.sum(); a.mul(2)`` on a 1e6-element float32 tensor with torch's default thread count,
started before and stopped after the measurements of that condition.

    for condition in conditions():
        with condition:
            ...  # measure; ratios against a baseline measured inside the same ``with``

Imported by the scripts in this folder (run as ``python benchmarks/NAME.py``, so this folder is on
``sys.path``); nothing here imports from ``tests/``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from types import TracebackType

NEIGHBOUR_SOURCE = """\
import sys
import torch

a = torch.randn(10**6)
a.sum(); a.mul(2)
print("ready", torch.get_num_threads(), flush=True)
while True:
    a.sum(); a.mul(2)
"""

#: Variables that would pin the neighbour's thread count; it runs with torch's default instead.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


class Condition(AbstractContextManager["Condition"]):
    """A named benchmark condition; entering it starts its neighbour (if any), leaving it stops it."""

    def __init__(self, name: str, neighbour: bool) -> None:
        self.name = name
        self.neighbour = neighbour
        self.process: subprocess.Popen[str] | None = None
        self.neighbour_threads: int | None = None

    def __enter__(self) -> Condition:
        if self.neighbour:
            environment = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
            self.process = subprocess.Popen(
                [sys.executable, "-c", NEIGHBOUR_SOURCE], stdout=subprocess.PIPE, text=True, env=environment
            )
            try:
                assert self.process.stdout is not None
                ready = self.process.stdout.readline().split()  # it is looping once this line arrives
                if not ready or ready[0] != "ready":
                    raise RuntimeError("the torch neighbour process did not start")
                self.neighbour_threads = int(ready[1])
            except BaseException:
                self._stop()
                raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def describe(self) -> str:
        """One line for the report: what ran beside the measurements."""
        if not self.neighbour:
            return f"{self.name}: no neighbour started; load average {load_average()}"
        threads = self.neighbour_threads if self.neighbour_threads is not None else "?"
        return (
            f"{self.name}: a process looping a.sum(); a.mul(2) on 1e6 float32 with torch's default "
            f"{threads} threads; load average {load_average()}"
        )


def conditions(names: str = "quiet,neighbour") -> Iterator[Condition]:
    """The conditions to measure, in order: ``quiet`` and/or ``neighbour`` (a torch neighbour)."""
    for name in names.split(","):
        if name == "quiet":
            yield Condition("quiet", neighbour=False)
        elif name == "neighbour":
            yield Condition("torch neighbour", neighbour=True)
        else:
            raise ValueError(f"unknown condition {name!r} (quiet, neighbour)")


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def best(runs: list[Callable[[], object]], repeat: int) -> list[float]:
    """Best time of each run; the runs alternate, so load from other processes hits them alike."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, record in zip(runs, times, strict=True):
            start = time.perf_counter()
            run()
            record.append(time.perf_counter() - start)
    return [min(record) for record in times]
