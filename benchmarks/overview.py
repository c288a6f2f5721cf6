"""``%tensor`` without an expression (the namespace overview) against the number of tensors in the namespace.

For namespaces of 600, 6,000 and 60,000 tensors, two layouts:

- ``separate``: every tensor owns its memory (``torch.ones(2)`` each);
- ``views``: every tensor is a row of one base tensor, so they all share one memory group.

Three timings per namespace, each the best of ``--repeat`` interleaved runs:

- ``baseline``: a plain Python loop over the namespace that reads each tensor's storage address
  (``value.untyped_storage().data_ptr()``): the least any overview must do to group tensors by memory;
- ``overview``: ``tensormagic.overview(namespace)`` rendered as text and HTML (what a front end receives);
- ``%tensor``: the magic in a real IPython shell, display included.

``ratio`` is time / baseline in the same run. Linear (or n log n) cost shows as a ratio that stays flat or
falls as the namespace grows (fixed costs, such as the page of rows described, weigh less); a quadratic cost
would multiply it by ~10 per step. The exit status is 1 if, from the smallest to the largest namespace, the
``%tensor`` ratio grows more than 3x, or its output exceeds 200 lines.

Run: ``.venv/bin/python benchmarks/overview.py`` (``--sizes 600,6000``, ``--repeat N``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)
sys.path.insert(0, ROOT)

import torch  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

import tensormagic  # noqa: E402

GROWTH_BUDGET = 3.0
LINE_BUDGET = 200


def make_namespace(size: int, layout: str) -> dict[str, Any]:
    if layout == "separate":
        return {f"t{i}": torch.ones(2) for i in range(size)}
    base = torch.zeros(size, 2)
    return {f"row{i}": base[i] for i in range(size)}


def baseline(namespace: dict[str, Any]) -> None:
    for value in namespace.values():
        if isinstance(value, torch.Tensor):
            value.untyped_storage().data_ptr()


def overview(namespace: dict[str, Any]) -> None:
    shown = tensormagic.overview(namespace)
    str(shown)
    shown._repr_html_()


def magic(shell: InteractiveShell) -> Callable[[dict[str, Any]], None]:
    def run(namespace: dict[str, Any]) -> None:
        with capture_output():
            shell.run_line_magic("tensor", "")

    return run


Run = Callable[[dict[str, Any]], None]


def best_times(runs: dict[str, Run], namespace: dict[str, Any], repeat: int) -> dict[str, float]:
    for run in runs.values():  # warm-up
        run(namespace)
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            run(namespace)
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="600,6000,60000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "tensormagic")
    shell.run_line_magic("config", 'TensorMagic.language = "en"')
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; "
        "time = best of interleaved runs; ratio = time / baseline (a loop reading each storage address)"
    )
    header = (
        f"{'tensors':>8} {'layout':>9} {'baseline':>10} | {'overview':>10} {'ratio':>7} | "
        f"{'%tensor':>10} {'ratio':>7} | lines"
    )
    print(header)
    print("-" * len(header))
    failed = []
    for layout in ("separate", "views"):
        ratios = []
        for size in sizes:
            namespace = make_namespace(size, layout)
            shell.user_ns.update(namespace)
            runs: dict[str, Run] = {"baseline": baseline, "overview": overview, "magic": magic(shell)}
            best = best_times(runs, namespace, args.repeat)
            with capture_output() as captured:
                shell.run_line_magic("tensor", "")
            lines = len(captured.outputs[0].data["text/plain"].splitlines())
            ratio_overview = best["overview"] / best["baseline"]
            ratio_magic = best["magic"] / best["baseline"]
            ratios.append(ratio_magic)
            print(
                f"{size:>8,} {layout:>9} {best['baseline'] * 1e3:>8.2f}ms | {best['overview'] * 1e3:>8.1f}ms "
                f"{ratio_overview:>6.1f}x | {best['magic'] * 1e3:>8.1f}ms {ratio_magic:>6.1f}x | {lines}",
                flush=True,
            )
            if lines > LINE_BUDGET:
                failed.append(f"{layout}, {size:,} tensors: {lines} lines of output (budget {LINE_BUDGET})")
            for name in namespace:
                del shell.user_ns[name]
        growth = ratios[-1] / ratios[0]
        print(f"   {layout}: %tensor ratio grows {growth:.2f}x from {sizes[0]:,} to {sizes[-1]:,} tensors")
        if growth > GROWTH_BUDGET:
            failed.append(f"{layout}: the %tensor ratio grew {growth:.1f}x (budget {GROWTH_BUDGET}x)")
    for failure in failed:
        print("FAIL:", failure)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
