"""Run every benchmark in this folder, one after another, each in its own process.

    make bench            # or: .venv/bin/python benchmarks/run_all.py

Each script measures its own baseline in the same run and prints ratios against it, on a quiet machine and
beside a torch neighbour (a process it starts and stops itself; see ``neighbour.py``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# neighbour.py is a helper, not a benchmark
SCRIPTS = ("describe.py", "explain.py", "training.py", "cards.py", "overview.py", "steps.py", "first_cell.py")


def main() -> int:
    failures = 0
    for script in SCRIPTS:
        path = HERE / script
        if not path.exists():
            print(f"== {script}: missing", flush=True)
            failures += 1
            continue
        print(f"== {script}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(path)], check=False)
        print(f"   ({time.perf_counter() - started:.1f} s, exit {result.returncode})\n", flush=True)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
