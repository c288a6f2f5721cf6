"""Shared code for running the demo notebooks: ``tools/run_demos.py`` and the notebook tests both use it.

Execution goes through nbclient into a real ``ipykernel`` (kernelspec ``python3``, installed inside the venv by
``make setup``), with the notebook's own folder as the kernel's working directory, exactly as JupyterLab would run it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
DEMOS = ROOT / "demos"
LANGUAGES = ("en", "zh")
# Written by another part of the project (the concept-card tour); executed too when it exists.
EXTRA_NOTEBOOKS = ("cards_tour.ipynb",)
KERNEL_NAME = "python3"
# Generous: the first cell imports torch in a cold kernel, and card cells train tiny models live.
CELL_TIMEOUT_S = 300
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def magics_available(python: str = sys.executable) -> dict[str, bool]:
    """Which of tensormagic's magics a fresh shell gets from ``%load_ext tensormagic``.

    Asked in a separate process so the answer reflects the installed package without loading the extension into
    any shell the caller (a test session) already uses.
    """
    probe = (
        "import json\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "shell.run_line_magic('load_ext', 'tensormagic')\n"
        "print(json.dumps({'%tensor': shell.find_line_magic('tensor') is not None,\n"
        "                  '%%explain': shell.find_cell_magic('explain') is not None,\n"
        "                  '%explain': shell.find_line_magic('explain') is not None}))\n"
    )
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    answer: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def load_builder() -> ModuleType:
    """``demos/build_notebooks.py`` as a module (demos/ is not a package, so import it by path)."""
    spec = importlib.util.spec_from_file_location("build_notebooks", DEMOS / "build_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses resolve string annotations through sys.modules, so the module must be registered while it runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def ensure_built() -> list[Path]:
    """Rebuild the course notebooks that are missing or differ from their source; return what was written."""
    written: list[Path] = load_builder().build()
    return written


def course_notebooks(root: Path = DEMOS) -> list[Path]:
    """The generated course notebooks, English first, in course order."""
    return [path for lang in LANGUAGES for path in sorted((root / lang).glob("*.ipynb"))]


def all_notebooks(root: Path = DEMOS) -> list[Path]:
    """Every notebook ``make demo`` runs: the course in both languages plus the extra tour if present."""
    extras = [root / name for name in EXTRA_NOTEBOOKS if (root / name).exists()]
    return course_notebooks(root) + extras


def relative_name(path: Path, root: Path = DEMOS) -> str:
    return path.resolve().relative_to(root.resolve()).as_posix()


def output_path(notebook: Path, out_dir: Path, root: Path = DEMOS) -> Path:
    """Where the executed copy of ``notebook`` goes: same relative layout under ``out_dir``.

    The copy keeps the notebook's own file name and is written with nbformat (never ``jupyter execute
    --output=NAME``, which overwrites its input when NAME holds a dot); an ``out_dir`` that would put a copy on top of
    its source is refused.
    """
    target = out_dir.resolve() / notebook.resolve().relative_to(root.resolve())
    if target == notebook.resolve():
        raise ValueError(f"refusing to overwrite the source notebook {notebook} with its executed copy")
    return target


@dataclass
class CellError:
    cell: int
    ename: str
    evalue: str
    source: str

    def __str__(self) -> str:
        first_line = self.source.strip().splitlines()[0] if self.source.strip() else ""
        return f"cell {self.cell} ({first_line!r}): {self.ename}: {self.evalue}"


@dataclass
class Executed:
    source: Path
    notebook: nbformat.NotebookNode
    seconds: float
    errors: list[CellError] = field(default_factory=list)
    crash: str | None = None  # the kernel died or a cell timed out: nbclient raised

    @property
    def ok(self) -> bool:
        return not self.errors and self.crash is None


def execute(path: Path, timeout: int = CELL_TIMEOUT_S) -> Executed:
    """Run every cell of ``path`` in a fresh kernel, collecting every error rather than stopping at the first.

    ``allow_errors`` keeps going after an error so that the executed copy and the report show all failures at once;
    callers decide what an error means. A kernel that died before running anything because one of the TCP ports
    jupyter_client chose for it was taken meanwhile (another kernel starting at the same moment, on a busy machine)
    is started again: that race is the machine's, not the notebook's.
    """
    for attempt in range(PORT_RACE_ATTEMPTS):
        result, kernel_output = _execute_once(path, timeout)
        lost_race = result.crash is not None and "Address already in use" in kernel_output
        never_ran = all(c.get("execution_count") is None for c in result.notebook.cells if c.cell_type == "code")
        if not (lost_race and never_ran) or attempt == PORT_RACE_ATTEMPTS - 1:
            return result
    raise AssertionError("unreachable")


#: Starts of one notebook's kernel when the first ones lose the race for their ports.
PORT_RACE_ATTEMPTS = 3


def _execute_once(path: Path, timeout: int) -> tuple[Executed, str]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL_NAME,
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    started = time.perf_counter()
    crash = None
    kernel_output = ""
    # The kernel's own stderr (ipykernel warns about unencrypted TCP on every start) goes to a scratch file and is
    # shown only if the kernel dies; what cells write to stderr still arrives as stream outputs.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as kernel_log:
        try:
            client.execute(stderr=kernel_log)
        except Exception as exc:  # noqa: BLE001  (a dead kernel or a timeout is reported like cell errors)
            kernel_log.seek(0)
            kernel_output = kernel_log.read()
            tail = "".join(kernel_output.splitlines(keepends=True)[-20:])
            crash = f"{type(exc).__name__}: {exc}" + (f"\nkernel stderr:\n{tail}" if tail else "")
    return Executed(path, nb, time.perf_counter() - started, list(cell_errors(nb)), crash), kernel_output


def execute_many(paths: Iterable[Path], jobs: int | None = None, timeout: int = CELL_TIMEOUT_S) -> list[Executed]:
    """Execute notebooks concurrently, one kernel each; results in the order given.

    Threads are enough: the work happens in the kernel processes, the client only waits on sockets.
    """
    paths = list(paths)
    jobs = jobs or max(1, min(len(paths), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda p: execute(p, timeout), paths))


def write_executed(result: Executed, out_dir: Path, root: Path = DEMOS) -> Path:
    target = output_path(result.source, out_dir, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(result.notebook, target)
    return target


def cell_errors(nb: nbformat.NotebookNode) -> Iterator[CellError]:
    """Error outputs, and IPython's usage errors.

    IPython reports a ``UsageError`` (an unknown magic, a bad magic argument) on stderr rather than as an error
    output, so a notebook whose magic is missing would otherwise look clean.
    """
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                yield CellError(index, output.get("ename", ""), output.get("evalue", ""), cell.source)
            elif output.get("output_type") == "stream" and output.get("name") == "stderr":
                for line in output.get("text", "").splitlines():
                    if line.startswith("UsageError:"):
                        yield CellError(index, "UsageError", line.removeprefix("UsageError:").strip(), cell.source)


def output_texts(cell: nbformat.NotebookNode) -> list[str]:
    """Every readable text a code cell produced: streams, text/plain and text/html of results and displays."""
    texts: list[str] = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            texts.append(output.get("text", ""))
        elif kind in ("display_data", "execute_result"):
            data: dict[str, Any] = output.get("data", {})
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in data:
                    value = data[mime]
                    texts.append(value if isinstance(value, str) else "".join(value))
        elif kind == "error":
            texts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return texts


def notebook_text(nb: nbformat.NotebookNode) -> str:
    return "\n".join(text for cell in nb.cells if cell.cell_type == "code" for text in output_texts(cell))


def output_mimes(nb: nbformat.NotebookNode) -> set[str]:
    mimes: set[str] = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            mimes.update(output.get("data", {}).keys())
    return mimes
