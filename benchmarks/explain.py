"""Overhead of ``%%explain``, measured against plain execution in the same run.

Prints, each as the best of several repeats (seconds) and as a ratio to plain execution:

- the loop cell ``x = torch.rand(3, 4); y = x @ x.T; z = y.sum(dim=0)`` 2,000 times: plain, under
  ``%%explain`` (through a real ``InteractiveShell``), and under TorchSnooper (output to a null stream);
- the chapter walk (every torch call of the course notes, sections 3-6) plain and under ``%%explain``.

Both on a quiet machine and beside a torch neighbour (``benchmarks/neighbour.py``: a process this script
starts and stops, looping ``a.sum(); a.mul(2)`` on 1e6 elements with torch's default thread count); every
ratio is against plain execution measured in the same condition.

Run: ``.venv/bin/python benchmarks/explain.py`` (``--repeat N`` to change the number of repeats,
``--conditions quiet`` or ``neighbour`` for one of them).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Callable

import torch
from neighbour import best, conditions

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)
sys.path.insert(0, ROOT)

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
    """The course chapter's cells, from ``tools/course_cells.py`` (shared with the tests; no test is imported)."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from course_cells import CHAPTER_CELLS

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--conditions", default="quiet,neighbour", help="quiet and/or neighbour")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads in this process (default 1; 0: torch's default)"
    )
    options = parser.parse_args()

    from IPython.core.interactiveshell import InteractiveShell

    shim_pkg_resources()
    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext tensormagic")
    shell.run_cell("import torch, numpy as np, torchsnooper")
    shell.user_ns["_null"] = io.StringIO()
    if options.threads:
        torch.set_num_threads(options.threads)  # small ops: keep thread start-up noise out of the ratios

    def cell(source: str) -> Callable[[], object]:
        def run() -> object:
            with contextlib.redirect_stdout(io.StringIO()):
                return shell.run_cell(source, store_history=False)

        return run

    def snooped() -> object:
        shell.user_ns["_null"] = io.StringIO()  # TorchSnooper writes a line per event: start empty each time
        return cell(SNOOPED)()

    chapter = chapter_source()
    for condition in conditions(options.conditions):
        with condition:
            rows = []
            plain, explained = best([cell(LOOP), cell("%%explain\n" + LOOP)], options.repeat)
            rows.append(("loop, plain", plain, 1.0))
            rows.append(("loop, %%explain", explained, explained / plain))
            snoop_plain, snoop = best([cell(LOOP), snooped], max(2, options.repeat // 3))
            rows.append(("loop, TorchSnooper", snoop, snoop / snoop_plain))
            chapter_plain, chapter_explained = best([cell(chapter), cell("%%explain\n" + chapter)], options.repeat)
            rows.append(("chapter walk, plain", chapter_plain, 1.0))
            rows.append(("chapter walk, %%explain", chapter_explained, chapter_explained / chapter_plain))

            print(f"\n== {condition.describe()}")
            print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s) in this process, "
                  f"best of {options.repeat}")
            for name, seconds, ratio in rows:
                print(f"{name:<28} {seconds * 1e3:9.2f} ms   {ratio:6.2f}x")
            verdict = "met" if explained / plain <= 3 else "NOT met"
            print(f"goal: loop under %%explain at most 3x plain ({condition.name}) -> {verdict}", flush=True)


if __name__ == "__main__":
    main()
