"""The first ``%%explain`` cell of a fresh kernel against the same cell run plain, for every course cell.

A class meets tensormagic in its first minute: a one-time cost on the first explained cell (an import, a catalog, a
first dispatch mode) is what every student waits for. For each course cell (every ``%%explain`` cell of the course
notebooks in ``demos/en`` and every cell of the course chapter, ``tools/course_cells.py``) this starts a fresh
process that sets up like a kernel (an ``InteractiveShell``, ``import torch, numpy``, ``%load_ext tensormagic``),
replays the cells before it plainly, and times the cell once: plain in one fresh process, under ``%%explain`` in
another. The plain time is the in-run baseline; the difference is what explaining costs on a first cell. The goal:
at most 0.5 s for every cell. It also reports ``%load_ext tensormagic`` against ``import torch`` in the same
processes.

Cells before the timed one run without tensormagic's magics (``%%explain`` stripped, ``%tensor NAME = EXPR`` as a
plain assignment, other magic lines dropped), so nothing of tensormagic is warmed up before the timed cell: the
worst case, as if the timed cell were the first one a student explains.

Bytecode: an installed package has its ``.pyc`` files; a checkout run with ``PYTHONDONTWRITEBYTECODE`` set (as on
this project's machines) compiles tensormagic's sources in every process. The children run without that variable, so
one warm-up process writes tensormagic's ``__pycache__`` (git-ignored) as any ordinary Python would, and the numbers
are an installed package's; ``--no-bytecode`` keeps the environment as it is (sources compiled in every process).

Both of the benchmarks' conditions (``benchmarks/neighbour.py``) are measured: ``quiet``, and beside a ``torch
neighbour`` (a class's laptop runs a second kernel); plain and explained are measured inside the same condition.

Run: ``.venv/bin/python benchmarks/first_cell.py`` (``--repeat N`` fresh processes per cell and mode, best kept;
``--only TEXT`` cells whose label contains TEXT; ``--conditions quiet`` or ``neighbour`` for one of them). Exits 1
when a cell misses the goal in any condition.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from neighbour import conditions

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from course_cells import CourseCell, course_cells  # noqa: E402

GOAL_S = 0.5

# The child: set up like a kernel, replay the cells before, time the one cell. Reads a JSON job on stdin, prints one
# JSON line of seconds. Output of the cells goes to a buffer in both modes, so printing costs the same.
CHILD = r"""
import contextlib, io, json, sys, time
job = json.loads(sys.stdin.read())
started = time.perf_counter()
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell_s = time.perf_counter() - started
started = time.perf_counter()
import numpy as np
import torch
torch_s = time.perf_counter() - started
shell.user_ns.update(np=np, torch=torch)
started = time.perf_counter()
shell.run_line_magic("load_ext", "tensormagic")
load_ext_s = time.perf_counter() - started
sink = io.StringIO()
with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
    for source in job["before"]:
        shell.run_cell(source, store_history=True)
    cell = (job["magic"] + "\n" if job["explain"] else "") + job["source"]
    started = time.perf_counter()
    result = shell.run_cell(cell, store_history=True)
    cell_s = time.perf_counter() - started
error = result.error_before_exec or result.error_in_exec
print(json.dumps({"cell": cell_s, "load_ext": load_ext_s, "torch": torch_s, "shell": shell_s,
                  "error": None if error is None else repr(error)}))
"""


def plain_prelude(source: str) -> str | None:
    """A cell before the timed one, with tensormagic's magics taken out (see the module docstring)."""
    lines = source.splitlines()
    if lines and lines[0].startswith("%%"):
        lines = lines[1:]  # %%explain [options]: the cell itself runs plainly
    kept = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("%tensor ") and "=" in stripped:
            kept.append(line.replace("%tensor ", "", 1))  # %tensor NAME = EXPR still assigns NAME
        elif stripped.startswith("%"):
            continue  # %load_ext (the child did it), %config, %tensor EXPR, %explain TOPIC
        else:
            kept.append(line)
    text = "\n".join(kept).strip()
    return text or None


@dataclass
class Timing:
    cell: float
    load_ext: float
    torch: float


def run_child(course_cell: CourseCell, explain: bool, env: dict[str, str]) -> Timing:
    job = {
        "before": [text for text in map(plain_prelude, course_cell.before) if text],
        "source": course_cell.source,
        "explain": explain,
        "magic": course_cell.magic,  # %%explain with the notebook's options (--steps)
    }
    done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(job), capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child failed for {course_cell.label}:\n{done.stderr[-2000:]}")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    if answer["error"] and not course_cell.source.lstrip().startswith("try:"):
        raise SystemExit(f"{course_cell.label} raised {answer['error']} ({'explained' if explain else 'plain'})")
    return Timing(answer["cell"], answer["load_ext"], answer["torch"])


def child_env(bytecode: bool) -> dict[str, str]:
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes per cell and mode (best kept)")
    parser.add_argument("--only", default="", help="time only cells whose label contains this text")
    parser.add_argument("--no-bytecode", action="store_true", help="compile tensormagic's sources in every process")
    parser.add_argument("--conditions", default="quiet,neighbour", help="quiet and/or neighbour")
    options = parser.parse_args(argv)

    cells = [c for c in course_cells() if options.only in c.label]
    if not cells:
        print("no course cell matched", file=sys.stderr)
        return 2
    env = child_env(bytecode=not options.no_bytecode)
    if not options.no_bytecode:
        run_child(cells[0], explain=True, env=env)  # writes tensormagic's bytecode once, as a first import would
    print(f"first cell of a fresh process, plain vs %%explain, best of {options.repeat}; "
          f"{'sources compiled in every process' if options.no_bytecode else 'bytecode cached (as installed)'}; "
          f"{os.cpu_count()} CPUs")
    missed = 0
    for condition in conditions(options.conditions):
        with condition:
            print(f"\n== {condition.describe()}")
            missed += measure(cells, options.repeat, env, condition.name)
    return 1 if missed else 0


def measure(cells: list[CourseCell], repeat: int, env: dict[str, str], condition: str) -> int:
    print(f"{'cell':<28} {'plain':>8} {'explain':>8} {'extra':>8}")
    started = time.perf_counter()
    extras: list[tuple[float, str]] = []
    load_ext: list[float] = []
    torch_import: list[float] = []
    for course_cell in cells:
        plain: list[float] = []
        explained: list[float] = []
        for _ in range(repeat):  # plain and explained alternate, so load from other processes hits both alike
            for explain, record in ((False, plain), (True, explained)):
                timing = run_child(course_cell, explain, env)
                record.append(timing.cell)
                load_ext.append(timing.load_ext)
                torch_import.append(timing.torch)
        extra = min(explained) - min(plain)
        extras.append((extra, course_cell.label))
        flag = "" if extra <= GOAL_S else "  over the goal"
        print(f"{course_cell.label:<28} {min(plain) * 1e3:6.0f}ms {min(explained) * 1e3:6.0f}ms "
              f"{extra * 1e3:6.0f}ms{flag}", flush=True)
    worst, label = max(extras)
    print(f"\nworst extra on a first explained cell: {worst * 1e3:.0f} ms ({label}); median "
          f"{statistics.median(e for e, _ in extras) * 1e3:.0f} ms over {len(extras)} cells")
    print(f"%load_ext tensormagic: median {statistics.median(load_ext) * 1e3:.0f} ms, max {max(load_ext) * 1e3:.0f} ms "
          f"(import torch, numpy in the same processes: median {statistics.median(torch_import) * 1e3:.0f} ms)")
    print(f"goal: every first explained cell within {GOAL_S * 1e3:.0f} ms of plain ({condition}) -> "
          f"{'met' if worst <= GOAL_S else 'NOT met'}  ({time.perf_counter() - started:.0f} s)", flush=True)
    return 0 if worst <= GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
