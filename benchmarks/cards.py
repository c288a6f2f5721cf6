"""Build time of every concept card against its 1 s budget.

For each card, three numbers (seconds):

- ``cold``: the first build in a fresh Python process that has already imported torch, ipywidgets and
  tensormagic — what a student waits for on the first ``%explain TOPIC`` of a kernel session;
- ``warm``: the best of ``--repeat`` builds once that card has been built before (English and Chinese
  alternate);
- ``control``: moving the card's first control once (a slider step, a toggle, re-running the example).

``ratio`` is the worse of cold and warm divided by the 1 s budget. Everything is measured on a quiet machine
and again beside a torch neighbour (``benchmarks/neighbour.py``: a process this script starts and stops,
looping ``a.sum(); a.mul(2)`` on 1e6 elements with torch's default thread count). A ratio above 1.00 on the
quiet machine is a failure and makes the script exit with status 1; beside the neighbour it is reported.

Run: ``.venv/bin/python benchmarks/cards.py`` (``--repeat N``, ``--no-cold`` to skip the fresh processes,
``--conditions quiet`` or ``neighbour`` for one of them).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from neighbour import conditions

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)
sys.path.insert(0, ROOT)

BUDGET = 1.0

COLD = """
import json, sys, time
import torch, ipywidgets, tensormagic
from tensormagic.cards import card
start = time.perf_counter()
card(sys.argv[1])
print(json.dumps(time.perf_counter() - start))
"""


def cold_build(topic: str) -> float:
    result = subprocess.run([sys.executable, "-c", COLD, topic], capture_output=True, text=True, check=True,
                            cwd=ROOT)
    return float(json.loads(result.stdout.strip().splitlines()[-1]))


def nudge(shown: object) -> None:
    """Move the card's first control by one step (or re-run its example)."""
    controls = shown.controls  # type: ignore[attr-defined]
    name, control = next(iter(controls.items()))
    if name == "code":
        control.value = control.value + "\n"
    elif hasattr(control, "options"):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        control.value = options[(options.index(control.value) + 1) % len(options)]
    else:
        control.value = control.value + 1 if control.value < control.max else control.value - 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-cold", action="store_true")
    parser.add_argument("--conditions", default="quiet,neighbour", help="quiet and/or neighbour")
    args = parser.parse_args()

    import torch

    from tensormagic.cards import card, topics

    failed = False
    for condition in conditions(args.conditions):
        with condition:
            print(f"\n== {condition.describe()}")
            print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; "
                  f"budget {BUDGET:.1f} s")
            print(f"{'card':<16} {'cold':>8} {'warm':>8} {'control':>8} {'ratio':>7}")
            worst = 0.0
            for topic in (t.name for t in topics()):
                cold = float("nan") if args.no_cold else cold_build(topic)
                card(topic)
                times = []
                for k in range(args.repeat):
                    start = time.perf_counter()
                    shown = card(topic, "zh" if k % 2 else "en")
                    times.append(time.perf_counter() - start)
                warm = min(times)
                start = time.perf_counter()
                nudge(shown)
                control = time.perf_counter() - start
                ratio = max(warm, 0.0 if cold != cold else cold) / BUDGET
                worst = max(worst, ratio)
                cold_text = "—" if cold != cold else f"{cold:.3f}"
                print(f"{topic:<16} {cold_text:>8} {warm:>8.3f} {control:>8.3f} {ratio:>7.2f}", flush=True)
            print(f"worst ratio to the {BUDGET:.0f} s budget ({condition.name}): {worst:.2f}")
            failed = failed or (not condition.neighbour and worst > 1.0)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
