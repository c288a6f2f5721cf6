"""Overhead of ``%%explain --steps`` on 2,000-iteration loops, measured against plain execution in the same run.

Two cells, each run through a real ``InteractiveShell`` plainly, under ``%%explain`` and under ``%%explain --steps``
(best of several alternating repeats, wall clock):

- the training loop of the course (week 2-3: ``nn.Linear``, a loss, ``zero_grad``, ``backward``, ``step``), the
  goal cell: ``--steps`` costs at most 5x plain;
- a tight loop of tiny tensor ops (a rebinding and an in-place update of 4-element tensors), the worst case: every
  step costs the same Python work while the ops themselves cost almost nothing; reported, not the goal.

Also printed: how many steps ran and how many frames the timeline kept (each line keeps its first 3 and last 2 runs).

Run: ``.venv/bin/python benchmarks/steps.py`` (``--repeat N`` to change the number of repeats).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Callable

import torch
from neighbour import best

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))

TRAINING = """\
X = torch.linspace(-1, 1, 64).unsqueeze(1)
Y = 3 * X + 0.5
model = torch.nn.Linear(1, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(2000):
    pred = model(X)
    loss = ((pred - Y) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""

TIGHT = """\
x = torch.zeros(4)
total = torch.zeros(4)
for i in range(2000):
    x = x * 0.5 + 1
    total += x
"""

GOAL = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()

    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext tensormagic")
    shell.run_cell("import torch, numpy as np")
    torch.set_num_threads(1)  # small ops: keep thread start-up noise out of the ratios

    def cell(source: str) -> Callable[[], object]:
        def run() -> object:
            with contextlib.redirect_stdout(io.StringIO()):
                from IPython.utils.capture import capture_output

                with capture_output(display=True):
                    return shell.run_cell(source, store_history=False)

        return run

    magics = shell.magics_manager.registry["TensorMagics"]
    print(f"torch {torch.__version__}, 1 thread, best of {options.repeat}")
    ratios = {}
    for label, source in (("training loop", TRAINING), ("tight loop", TIGHT)):
        plain, explained, stepped = best(
            [cell(source), cell("%%explain\n" + source), cell("%%explain --steps\n" + source)], options.repeat
        )
        timeline = magics.last_timeline
        for name, seconds in (("plain", plain), ("%%explain", explained), ("%%explain --steps", stepped)):
            print(f"{label + ', ' + name:<34} {seconds * 1e3:9.2f} ms   {seconds / plain:6.2f}x")
        print(f"{'':<34} {timeline.steps_total:,} steps, {len(timeline.frames)} frames kept")
        ratios[label] = stepped / plain
    ratio = ratios["training loop"]
    print(f"goal: the training loop under %%explain --steps at most {GOAL:g}x plain -> "
          f"{'met' if ratio <= GOAL else 'NOT met'} ({ratio:.2f}x); tight loop {ratios['tight loop']:.2f}x")


if __name__ == "__main__":
    main()
