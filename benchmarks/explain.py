"""Overhead of ``%%explain``, measured against plain execution in the same run.

Prints, each as the best of several repeats (seconds) and as a ratio to plain execution:

- the loop cell ``x = torch.rand(3, 4); y = x @ x.T; z = y.sum(dim=0)`` 2,000 times: plain, under
  ``%%explain`` (through a real ``InteractiveShell``), and under TorchSnooper (output to a null stream);
- the chapter walk (every torch call of the course notes, sections 3-6) plain and under ``%%explain``.

Run: ``.venv/bin/python benchmarks/explain.py`` (``--repeat N`` to change the number of repeats).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from collections.abc import Callable

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

LOOP = """\
for _ in range(2000):
    x = torch.rand(3, 4); y = x @ x.T; z = y.sum(dim=0)
"""

SNOOPED = """\
with torchsnooper.snoop(output=_null):
    for _ in range(2000):
        x = torch.rand(3, 4); y = x @ x.T; z = y.sum(dim=0)
"""


def chapter_source() -> str:
    from tests.test_explain_chapter import CHAPTER_CELLS

    return "\n".join(source for _, source in CHAPTER_CELLS)


def shim_pkg_resources() -> None:
    """TorchSnooper 0.8 imports ``pkg_resources`` (gone from setuptools >= 81) only for its version string."""
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        import importlib.metadata
        import types

        shim = types.ModuleType("pkg_resources")

        class DistributionNotFound(Exception):
            pass

        def get_distribution(name: str) -> object:
            try:
                return types.SimpleNamespace(version=importlib.metadata.version(name))
            except importlib.metadata.PackageNotFoundError as error:
                raise DistributionNotFound(name) from error

        shim.DistributionNotFound = DistributionNotFound  # type: ignore[attr-defined]
        shim.get_distribution = get_distribution  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim


def best(runs: list[Callable[[], object]], repeat: int) -> list[float]:
    """Best time of each run; the runs alternate, so load from other processes hits them alike."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, record in zip(runs, times, strict=True):
            start = time.perf_counter()
            run()
            record.append(time.perf_counter() - start)
    return [min(record) for record in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()

    from IPython.core.interactiveshell import InteractiveShell

    shim_pkg_resources()
    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext tensormagic")
    shell.run_cell("import torch, numpy as np, torchsnooper")
    shell.user_ns["_null"] = io.StringIO()
    torch.set_num_threads(1)  # small ops: keep thread start-up noise out of the ratios

    def cell(source: str) -> Callable[[], object]:
        def run() -> object:
            with contextlib.redirect_stdout(io.StringIO()):
                return shell.run_cell(source, store_history=False)

        return run

    def snooped() -> object:
        shell.user_ns["_null"] = io.StringIO()  # TorchSnooper writes a line per event: start empty each time
        return cell(SNOOPED)()

    rows = []
    plain, explained = best([cell(LOOP), cell("%%explain\n" + LOOP)], options.repeat)
    rows.append(("loop, plain", plain, 1.0))
    rows.append(("loop, %%explain", explained, explained / plain))
    snoop_plain, snoop = best([cell(LOOP), snooped], max(2, options.repeat // 3))
    rows.append(("loop, TorchSnooper", snoop, snoop / snoop_plain))

    chapter = chapter_source()
    chapter_plain, chapter_explained = best([cell(chapter), cell("%%explain\n" + chapter)], options.repeat)
    rows.append(("chapter walk, plain", chapter_plain, 1.0))
    rows.append(("chapter walk, %%explain", chapter_explained, chapter_explained / chapter_plain))

    print(f"torch {torch.__version__}, 1 thread, best of {options.repeat}")
    for name, seconds, ratio in rows:
        print(f"{name:<28} {seconds * 1e3:9.2f} ms   {ratio:6.2f}x")
    print(f"goal: loop under %%explain at most 3x plain -> {'met' if explained / plain <= 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
