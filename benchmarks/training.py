"""A course training loop under ``%%explain``, against plain execution in the same run.

The loop of weeks 2-3: a three-layer MLP (20 -> 64 -> 64 -> 1), Adam, mini-batches of 64, 500 steps of
``loss = mse_loss(model(xb), yb); opt.zero_grad(); loss.backward(); opt.step()``. Each repeat runs the cell
plainly and under ``%%explain`` through a real ``InteractiveShell``, alternating, and keeps the best time of
each; the data and the model are rebuilt from the same seed inside the cell, so every run does the same work.

Printed: both times, the ratio, and the explanation's size (display lines against ``max_lines``, and the
per-line call counts of the loop body), on a quiet machine and beside a torch neighbour (``neighbour.py``).
Goal (issue 10): at most 2x plain.

Run: ``.venv/bin/python benchmarks/training.py`` (``--repeat N``, ``--conditions quiet`` or ``neighbour``,
``--threads 0`` for torch's default thread count instead of one).
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

GOAL = 2.0
STEPS = 500

TRAINING = f"""\
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
X = torch.randn(64 * 50, 20)
Y = X[:, :1] * 2 - X[:, 1:2]
for step in range({STEPS}):
    i = (step % 50) * 64
    xb, yb = X[i:i + 64], Y[i:i + 64]
    loss = nn.functional.mse_loss(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--conditions", default="quiet,neighbour", help="quiet and/or neighbour")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads in this process (default 1; 0: torch's default)"
    )
    options = parser.parse_args()
    if options.threads:
        torch.set_num_threads(options.threads)  # batch-64 ops: keep OpenMP start-up noise out of the ratio

    from IPython.core.interactiveshell import InteractiveShell

    import tensormagic

    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext tensormagic")
    shell.run_cell("import torch\nfrom torch import nn")

    def cell(source: str) -> Callable[[], object]:
        def run() -> object:
            with contextlib.redirect_stdout(io.StringIO()):
                return shell.run_cell(source, store_history=False)

        return run

    # The explanation itself, once, through the plain API (what the magic displays).
    explanation = tensormagic.explain(TRAINING, {"torch": torch, "nn": torch.nn})
    lines = explanation.lines()
    loop_counts = {step.line: sum(call.count for call in step.calls) for step in explanation.steps if step.line > 6}
    met = True
    for condition in conditions(options.conditions):
        with condition:
            plain, explained = best([cell(TRAINING), cell("%%explain\n" + TRAINING)], options.repeat)
            ratio = explained / plain
            print(f"\n== {condition.describe()}")
            print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), best of {options.repeat}")
            print(f"{STEPS}-step Adam loop, plain      {plain * 1e3:9.1f} ms   1.00x")
            print(f"{STEPS}-step Adam loop, %%explain  {explained * 1e3:9.1f} ms   {ratio:.2f}x")
            verdict = "met" if ratio <= GOAL else "NOT met"
            print(f"goal: at most {GOAL:g}x plain ({condition.name}) -> {verdict}", flush=True)
            met = met and ratio <= GOAL
    print(f"\nexplanation: {len(lines)} display lines (max_lines {explanation.max_lines}); "
          f"calls per loop line: {loop_counts}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
