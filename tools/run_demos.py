"""Execute every demo notebook in a real kernel and write the executed copies (``make demo``).

Rebuilds the course notebooks from ``demos/build_notebooks.py`` when they are stale, runs the English and Chinese
course plus ``demos/cards_tour.ipynb`` (when present) through nbclient, writes each executed copy under ``--out``
with the same relative layout, signs it for this machine (as ``jupyter trust`` does: the outputs you just made are
yours, so JupyterLab shows their widgets and HTML unsanitized), prints where they are, and exits 1 if any cell
raised. ``--no-sign`` leaves them untrusted, as a student who receives them sees them. It also writes the student
copies of the course (exercise cells blank, each followed by its check cell) under ``--out/students/<lang>/``,
unexecuted, ready to hand out.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Run as a script (``python tools/run_demos.py``): make the sibling module importable without installing tools/.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import nbformat  # noqa: E402
from nbformat.sign import NotebookNotary  # noqa: E402
from notebooks import (  # noqa: E402
    DEMOS,
    ROOT,
    all_notebooks,
    ensure_built,
    execute_many,
    load_builder,
    relative_name,
    write_executed,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEMOS / "executed", help="folder for the executed copies")
    parser.add_argument("--jobs", type=int, default=None, help="kernels at a time (default: CPU count)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    parser.add_argument("--no-sign", action="store_true", help="leave the executed copies untrusted")
    parser.add_argument("only", nargs="*", help="substrings of notebook paths to run (default: all)")
    args = parser.parse_args(argv)
    out_dir: Path = args.out if args.out.is_absolute() else Path.cwd() / args.out

    started = time.perf_counter()
    for path in ensure_built():
        print(f"rebuilt {path.relative_to(ROOT)}")
    paths = [p for p in all_notebooks() if not args.only or any(s in relative_name(p) for s in args.only)]
    if not paths:
        print("no notebooks matched", file=sys.stderr)
        return 2

    print(f"executing {len(paths)} notebooks in real kernels ...", flush=True)
    failed = 0
    notary = None if args.no_sign else NotebookNotary()
    for result in execute_many(paths, jobs=args.jobs, timeout=args.timeout):
        target = write_executed(result, out_dir)
        if notary is not None:
            sign(target, notary)
        status = "ok" if result.ok else "FAILED"
        print(f"  {status:6} {relative_name(result.source):28} {result.seconds:5.1f} s -> {_show(target)}")
        for error in result.errors:
            print(f"         {error}")
        if result.crash:
            print(f"         kernel: {result.crash}")
        failed += not result.ok

    students = load_builder().write_student_copies(out_dir)
    trust = "signed for this machine" if notary is not None else "unsigned (untrusted)"
    print(f"executed copies are in {_show(out_dir)}/, {trust} ({time.perf_counter() - started:.1f} s in all)")
    print(f"student copies ({len(students)}, exercise cells blank) are in {_show(out_dir / 'students')}/")
    if failed:
        print(f"{failed} notebook(s) had errors", file=sys.stderr)
        return 1
    return 0


def sign(path: Path, notary: NotebookNotary) -> None:
    """Trust the notebook as written (read back, so the signature is of the bytes on disk), like ``jupyter trust``."""
    notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    notary.sign(notebook)


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
