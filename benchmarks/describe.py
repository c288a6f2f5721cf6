"""``tensormagic.describe`` on float32 tensors: time against one ``t.sum()``, and peak extra memory.

For 1e3, 1e6, 1e7 and 1e8 elements, three ways of summarising the same tensor are measured:

- ``tensormagic``: ``tensormagic.describe(t)`` (facts plus exact chunked statistics);
- ``lovely``: ``str(lovely_tensors.lovely(t))`` (its one-line summary, which computes min/max/mean/std and a
  histogram sparkline over the whole tensor);
- ``naive``: separate full-tensor passes: ``min``, ``max``, ``mean``, ``std``, ``isnan().sum()``,
  ``isposinf().sum()``, ``isneginf().sum()``, ``(t == 0).sum()``.

Time: each is run interleaved with a ``t.sum()`` (sum, method, sum, method, ...) in this process and the
best of each is kept, so both see the same machine state; the ratio is best(method) / best(sum).

Memory: in a fresh process per size and method, the tensor is made and the method is run once on a small
tensor first (so one-time costs, such as lazy imports, are not charged to the big one); then the RSS
high-water mark is reset (``echo 5 > /proc/self/clear_refs``), VmRSS read, the method run, and VmHWM read.
Extra memory = VmHWM - VmRSS before: every byte the method touched beyond the tensor, at its peak.

Run: ``.venv/bin/python benchmarks/describe.py`` (``--sizes 1e3,1e6``, ``--data shifted|relu``,
``--repeat N``). The exit status is 1 if, at the largest size, describe takes over 3x one sum or over 8 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)
sys.path.insert(0, ROOT)

import torch  # noqa: E402

METHODS = ("tensormagic", "lovely", "naive")
TIME_BUDGET = 3.0  # the bar, at 1e8 elements
MEMORY_BUDGET = 8 * 10**6


def make_tensor(size: int, data: str) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    t = torch.randn(size, generator=generator)
    if data == "shifted":
        t.mul_(3).add_(1000)
    elif data == "relu":
        t.relu_()
    return t


def naive(t: torch.Tensor) -> tuple[float | int, ...]:
    return (
        t.min().item(),
        t.max().item(),
        t.mean().item(),
        t.std().item(),
        t.isnan().sum().item(),
        t.isposinf().sum().item(),
        t.isneginf().sum().item(),
        (t == 0).sum().item(),
    )


def method(name: str) -> Callable[[torch.Tensor], object]:
    if name == "tensormagic":
        import tensormagic

        return tensormagic.describe
    if name == "lovely":
        import lovely_tensors

        return lambda t: str(lovely_tensors.lovely(t))
    if name == "naive":
        return naive
    if name == "sum":
        return lambda t: t.sum().item()
    raise ValueError(name)


def _status(key: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def worker(name: str, size: int, data: str) -> None:
    """Runs in a fresh process: prints the peak extra bytes of one call of ``name``."""
    run = method(name)
    t = make_tensor(size, data)
    run(make_tensor(4096, data))
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before = _status("VmRSS:")
    run(t)
    print(json.dumps(_status("VmHWM:") - before))


def peak_memory(name: str, size: int, data: str) -> int | None:
    if not os.path.exists("/proc/self/clear_refs"):
        return None
    result = subprocess.run(
        [sys.executable, __file__, "--worker", name, str(size), "--data", data],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(json.loads(result.stdout.strip().splitlines()[-1]))


def best_times(t: torch.Tensor, names: tuple[str, ...], repeat: int) -> tuple[float, dict[str, float]]:
    runs = {name: method(name) for name in names}
    for run in runs.values():  # warm-up: first-call costs are not steady-state costs
        run(t)
    best_sum, best = float("inf"), dict.fromkeys(names, float("inf"))
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            t.sum().item()
            best_sum = min(best_sum, time.perf_counter() - started)
            started = time.perf_counter()
            run(t)
            best[name] = min(best[name], time.perf_counter() - started)
    return best_sum, best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e3,1e6,1e7,1e8")
    parser.add_argument("--data", choices=("randn", "shifted", "relu"), default="randn")
    parser.add_argument("--repeat", type=int, default=0, help="timed rounds per size (default: by size)")
    parser.add_argument("--worker", nargs=2, metavar=("METHOD", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.data)
        return 0
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; "
        f"float32 {args.data} data; time = best of interleaved runs / best t.sum(); "
        "memory = peak RSS growth (VmHWM after clear_refs) in a fresh process"
    )
    header = f"{'elements':>9} {'sum':>9}"
    for name in METHODS:
        header += f" | {name:>11} {'extra MB':>8}"
    print(header)
    print("-" * len(header))
    failed = []
    for size in sizes:
        t = make_tensor(size, args.data)
        repeat = args.repeat or max(5, min(200, int(3e8 / max(size, 1) / 20)))
        best_sum, best = best_times(t, METHODS, repeat)
        row = f"{size:>9.0e} {best_sum * 1e3:>7.3f}ms"
        for name in METHODS:
            memory = peak_memory(name, size, args.data)
            shown = f"{memory / 1e6:8.2f}" if memory is not None else f"{'n/a':>8}"
            row += f" | {best[name] / best_sum:>10.2f}x {shown}"
            if name == "tensormagic" and size == max(sizes) and size >= 10**8:
                if best[name] / best_sum > TIME_BUDGET:
                    failed.append(f"describe took {best[name] / best_sum:.2f}x one sum (budget {TIME_BUDGET}x)")
                if memory is not None and memory > MEMORY_BUDGET:
                    failed.append(f"describe used {memory / 1e6:.1f} MB extra (budget 8 MB)")
        print(row, flush=True)
        del t
    stats = method("tensormagic")(make_tensor(sizes[-1], args.data)).stats  # type: ignore[attr-defined]
    if stats is not None:
        chunks = f"{stats.chunks} chunks of {stats.chunk_elements} elements"
        print(f"tensormagic at {sizes[-1]:.0e} elements: {chunks} ({stats.method})")
    for failure in failed:
        print("FAIL:", failure)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
