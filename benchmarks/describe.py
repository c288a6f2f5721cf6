"""``tensormagic.describe`` on float32 tensors: time against one ``t.sum()``, on a quiet machine and beside a
torch neighbour, and peak extra memory.

For 1e3, 1e6, 1e7 and 1e8 elements, three ways of summarising the same tensor are measured:

- ``tensormagic``: ``tensormagic.describe(t)`` (facts plus exact chunked statistics);
- ``lovely``: ``str(lovely_tensors.lovely(t))`` (its one-line summary, which computes min/max/mean/std and a
  histogram sparkline over the whole tensor);
- ``naive``: separate full-tensor passes: ``min``, ``max``, ``mean``, ``std``, ``isnan().sum()``,
  ``isposinf().sum()``, ``isneginf().sum()``, ``(t == 0).sum()``.

Conditions (``benchmarks/neighbour.py``), both in one run: ``quiet`` (this script starts nothing beside
it; on a shared machine other work may still run, so the load average is printed), and ``torch
neighbour`` (a process this script starts and stops, looping ``a.sum(); a.mul(2)`` on 1e6 elements with
torch's default thread count). Every ratio is against ``t.sum()`` measured in the same condition.

Time: each method is run interleaved with a ``t.sum()`` (sum, method, sum, method, ...) so both see the
same machine state; ``best`` is best(method) / best(sum), ``median`` is median(method) / median(sum)
(beside a neighbour the spread is wide, and the median says more about a typical call).

Memory: in a fresh process per size and method (quiet), the tensor is made and the method is run once
on a small tensor first (so one-time costs, such as lazy imports, are not charged to the big one); then
the RSS high-water mark is reset (``echo 5 > /proc/self/clear_refs``), VmRSS read, the method run, and
VmHWM read. Extra memory = VmHWM - VmRSS before: every byte the method touched beyond the tensor.

Run: ``.venv/bin/python benchmarks/describe.py`` (``--sizes 1e3,1e6``, ``--data shifted|relu``,
``--repeat N``, ``--conditions quiet,neighbour``, ``--methods tensormagic,lovely,naive``,
``--no-memory``). The exit status is 1 if, at 1e8 elements, describe's best time is over 3x one sum
quiet or over 5x beside the neighbour, or its extra memory is over 8 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)
sys.path.insert(0, ROOT)

import torch  # noqa: E402
from neighbour import conditions, load_average  # noqa: E402

METHODS = ("tensormagic", "lovely", "naive")
TIME_BUDGET = 3.0  # the bar, at 1e8 elements, quiet
NEIGHBOUR_BUDGET = 5.0  # and beside a torch neighbour
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


def timed(t: torch.Tensor, names: tuple[str, ...], repeat: int) -> dict[str, list[float]]:
    """Seconds per call of each method and of ``sum``, interleaved: sum, method, sum, method, ..."""
    runs = {name: method(name) for name in names}
    for run in runs.values():  # warm-up: first-call costs are not steady-state costs
        run(t)
    times: dict[str, list[float]] = {name: [] for name in ("sum", *names)}
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            t.sum().item()
            times["sum"].append(time.perf_counter() - started)
            started = time.perf_counter()
            run(t)
            times[name].append(time.perf_counter() - started)
    return times


def ratios(times: dict[str, list[float]], name: str) -> tuple[float, float]:
    """(best, median) of ``name`` over the same statistic of ``sum``."""
    return min(times[name]) / min(times["sum"]), statistics.median(times[name]) / statistics.median(times["sum"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e3,1e6,1e7,1e8")
    parser.add_argument("--data", choices=("randn", "shifted", "relu"), default="randn")
    parser.add_argument("--repeat", type=int, default=0, help="timed rounds per size (default: by size)")
    parser.add_argument("--conditions", default="quiet,neighbour", help="quiet and/or neighbour")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--no-memory", action="store_true", help="skip the fresh-process memory measurements")
    parser.add_argument("--worker", nargs=2, metavar=("METHOD", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.data)
        return 0
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    names = tuple(args.methods.split(","))
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs; "
        f"float32 {args.data} data; ratio = method / t.sum() in the same condition, "
        "best of interleaved runs and median of them"
    )
    failed = []
    results: dict[tuple[str, int], tuple[float, float]] = {}
    for condition in conditions(args.conditions):
        with condition:
            print(f"\n== {condition.describe()}")
            header = f"{'elements':>9} {'sum best':>9} {'median':>9}"
            for name in names:
                header += f" | {name:>11} best {'median':>7}"
            print(header)
            print("-" * len(header))
            for size in sizes:
                t = make_tensor(size, args.data)
                repeat = args.repeat or max(9, min(200, int(1e9 / max(size, 1) / 20)))
                times = timed(t, names, repeat)
                row = f"{size:>9.0e} {min(times['sum']) * 1e3:>7.3f}ms {statistics.median(times['sum']) * 1e3:>7.3f}ms"
                for name in names:
                    best, median = ratios(times, name)
                    row += f" | {best:>15.2f}x {median:>6.2f}x"
                    if name == "tensormagic":
                        results[(condition.name, size)] = best, median
                print(row, flush=True)
                del t
            print(f"   (load average after: {load_average()})")
    largest = max(sizes)
    if largest >= 10**8 and "tensormagic" in names:
        for condition_name, budget in (("quiet", TIME_BUDGET), ("torch neighbour", NEIGHBOUR_BUDGET)):
            if (condition_name, largest) not in results:
                continue
            best, median = results[(condition_name, largest)]
            print(f"describe at {largest:.0e}, {condition_name}: {best:.2f}x one sum (median {median:.2f}x; "
                  f"goal at most {budget:.0f}x)")
            if best > budget:
                failed.append(f"describe took {best:.2f}x one sum {condition_name} (budget {budget}x)")
    if not args.no_memory:
        print("\npeak extra memory (fresh process per size and method, quiet):")
        for size in sizes:
            row = f"{size:>9.0e}"
            for name in names:
                memory = peak_memory(name, size, args.data)
                row += f" | {name} {memory / 1e6:.2f} MB" if memory is not None else f" | {name} n/a"
                over = memory is not None and memory > MEMORY_BUDGET
                if name == "tensormagic" and size == largest and size >= 10**8 and over:
                    assert memory is not None
                    failed.append(f"describe used {memory / 1e6:.1f} MB extra (budget 8 MB)")
            print(row, flush=True)
    if "tensormagic" in names:
        stats = method("tensormagic")(make_tensor(min(largest, 10**7), args.data)).stats  # type: ignore[attr-defined]
        if stats is not None:
            print(f"tensormagic at {min(largest, 10**7):.0e} elements: {stats.chunks} chunks of at most "
                  f"{stats.chunk_elements} elements ({stats.method})")
    for failure in failed:
        print("FAIL:", failure)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
