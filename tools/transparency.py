"""Run a notebook's code cells in a real IPython shell, plainly or under ``%%explain`` (or ``%%explain --steps``), and
record what they did.

``tests/test_notebook_transparency.py`` runs this once per mode, each mode in its own process (so torch's and
NumPy's global random state and leftover memory cannot leak from one mode into the other), then compares the records
cell by cell: stdout, stderr, exception type, the namespace, and the random state. One process runs all notebooks,
each in a fresh shell started from the same seeds, so torch is imported once per mode rather than once per notebook.

    python tools/transparency.py --mode plain|explain|steps --out DIR NOTEBOOK...    # writes DIR/0.pt, DIR/1.pt, ...
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

EXPLAIN = "%%explain"
# Both modes start from the same seeds: the notebooks print torch.initial_seed() and draw before seeding, which
# would otherwise differ between two fresh processes for reasons unrelated to %%explain.
SEED = 20251105


@dataclass(frozen=True)
class CellPlan:
    """One code cell and how each mode runs it."""

    index: int
    plain: str
    explained: str
    volatile: tuple[str, ...]

    @property
    def compared_under_explain(self) -> bool:
        return self.plain != self.explained


def is_magic_only(source: str) -> bool:
    """Only magics, shell escapes, comments or blank lines: nothing for %%explain to explain."""
    lines = [line.strip() for line in source.splitlines()]
    return all(not line or line.startswith(("%", "!", "#")) for line in lines)


def plan(nb: nbformat.NotebookNode) -> list[CellPlan]:
    """For each code cell, the source run plainly and the source run under ``%%explain``.

    A ``%%explain`` cell runs without its first line plainly and as written under explain; a cell of magics only,
    another cell magic, or the set-up cell that loads the extension (nothing can explain the cell that loads the
    explainer) runs as written in both modes: it is kept so later cells see its effects.
    """
    plans = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        source = cell.source
        volatile = tuple(cell.metadata.get("tensormagic", {}).get("volatile", ()))
        first, _, rest = source.partition("\n")
        if first.strip() == EXPLAIN or first.startswith(EXPLAIN + " "):  # with its options too (--steps)
            plans.append(CellPlan(index, rest, source, volatile))
        elif source.lstrip().startswith("%%") or is_magic_only(source) or "%load_ext" in source:
            plans.append(CellPlan(index, source, source, volatile))
        else:
            plans.append(CellPlan(index, source, f"{EXPLAIN}\n{source}", volatile))
    return plans


# ---------------------------------------------------------------- snapshots: plain data, no references to the shell


def snapshot_value(value: Any, volatile: bool = False, depth: int = 0) -> Any:
    """A comparable, picklable stand-in for a namespace value (tensors cloned, arrays copied)."""
    import numpy as np
    import torch

    if isinstance(value, torch.Tensor):
        # A plain tensor (a user's subclass, defined in __main__, could not be unpickled), its class name kept.
        kind = type(value).__qualname__
        tensor = value.detach()
        if type(tensor) is not torch.Tensor:
            tensor = tensor.as_subclass(torch.Tensor)
        if volatile or tensor.device.type == "meta":
            return ("tensor-shape", tuple(tensor.shape), str(tensor.dtype))
        # requires_grad and .grad too: a recorder that detached, re-wrapped or ran backward would change them.
        grad = value.grad if value.is_leaf else None
        if tensor.is_quantized:  # compared by value and dtype (storing it would warn of the deprecated API)
            return ("quantized", str(tensor.dtype), tensor.dequantize().cpu().clone())
        if tensor.is_nested:  # no sizes, no torch.equal: its components instead
            return ("nested", [snapshot_value(t, volatile, depth + 1) for t in tensor.unbind()])
        if tensor.layout != torch.strided:  # sparse: torch.equal has no sparse kernel; the layout is compared too
            return ("sparse", str(tensor.layout), tensor.to_dense().cpu().clone(), value.requires_grad)
        return ("tensor", kind, tensor.cpu().clone(), value.requires_grad,
                None if grad is None else snapshot_value(grad, volatile, depth + 1))
    if isinstance(value, np.ndarray):
        if volatile:
            return ("array-shape", value.shape, str(value.dtype))
        return ("array", value.copy())
    if isinstance(value, torch.nn.Module):
        return ("module", type(value).__qualname__,
                {k: snapshot_value(v, volatile, depth + 1) for k, v in value.state_dict().items()},
                {k: snapshot_value(p, volatile, depth + 1) for k, p in value.named_parameters()},
                value.training)
    if isinstance(value, torch.optim.Optimizer):
        # The optimizer's state (Adam's moments, step counts) and hyper-parameters, parameters left out: they are
        # compared through the module that owns them.
        state = {str(i): snapshot_value(s, volatile, depth + 1) for i, s in enumerate(value.state.values())}
        groups = [{k: snapshot_value(v, volatile, depth + 1) for k, v in g.items() if k != "params"}
                  for g in value.param_groups]
        return ("optimizer", type(value).__qualname__, state, groups)
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes, torch.dtype, torch.device)):
        return ("value", value)
    if isinstance(value, (list, tuple)) and depth < 3:
        return (type(value).__qualname__, [snapshot_value(v, volatile, depth + 1) for v in value])
    if isinstance(value, dict) and depth < 3:
        return ("dict", {repr(k): snapshot_value(v, volatile, depth + 1) for k, v in value.items()})
    if isinstance(value, types.ModuleType):
        return ("module-object", value.__name__)
    return ("object", type(value).__module__, type(value).__qualname__)


def user_names(shell: Any) -> dict[str, Any]:
    hidden = shell.user_ns_hidden
    return {
        name: value for name, value in shell.user_ns.items()
        if not name.startswith("_") and name not in hidden and name not in ("In", "Out", "exit", "quit")
    }


def rng_state() -> dict[str, Any]:
    import numpy as np
    import torch

    # The legacy tuple form (not the dict form) so the key array can be compared with the other snapshots' arrays.
    kind, keys, pos, has_gauss, cached = np.random.get_state(legacy=True)
    return {
        "torch": torch.get_rng_state().clone(),
        "numpy": (kind, np.array(keys, copy=True), pos, has_gauss, cached),
        "python": random.getstate(),
    }


def run(notebook: Path, mode: str) -> list[dict[str, Any]]:
    import numpy as np
    import torch
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no sqlite file, no history thread
    # A fresh shell per notebook, as a fresh kernel would be: nothing from the previous notebook survives.
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance(config=config)
    os.chdir(notebook.parent)  # the kernel's working directory, as nbclient and JupyterLab use it

    torch.manual_seed(SEED)
    np.random.seed(SEED)
    random.seed(SEED)

    records = []
    volatile: set[str] = set()
    for cell in plan(nbformat.read(notebook, as_version=4)):
        volatile.update(cell.volatile)
        source = cell.explained if mode == "explain" else cell.plain
        if mode == "steps" and cell.compared_under_explain:  # every explained cell as a timeline instead
            source = f"{EXPLAIN} --steps\n{cell.plain}"
        # Displays (annotations, explanations, cards) are captured apart from stdout: what %%explain adds must be a
        # display, never text mixed into the cell's own printed output.
        with capture_output(stdout=True, stderr=True, display=True) as captured:
            result = shell.run_cell(source, store_history=True)
        error = result.error_before_exec or result.error_in_exec
        names = user_names(shell)
        records.append({
            "index": cell.index,
            "explained": cell.compared_under_explain,
            "source": source,
            "stdout": captured.stdout,
            "stderr": captured.stderr,
            "displays": len(captured.outputs),
            "error": None if error is None else type(error).__name__,
            "message": None if error is None else str(error),
            "names": {name: snapshot_value(value, name in volatile) for name, value in names.items()},
            "rng": rng_state(),
        })
    return records


# ---------------------------------------------------------------- comparing two runs


def same(a: Any, b: Any) -> bool:
    """Equal snapshots: tensors by dtype, shape and values (NaN equal to NaN), everything else by ``==``."""
    import numpy as np
    import torch

    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if torch.equal(a, b):
            return True
        return bool(a.is_floating_point() and torch.equal(a.isnan(), b.isnan())
                    and torch.equal(a.nan_to_num(0.0), b.nan_to_num(0.0)))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:  # NaN
        return True
    return bool(a == b)


ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


TIMES = re.compile(r"^(CPU times|Wall time):.*$", re.MULTILINE)


def _text(output: str) -> str:
    """Printed output with object addresses and %time's timings blanked: they differ between any two runs."""
    return TIMES.sub(r"\1: …", ADDRESS.sub(" at 0x…", output))


def differences(plain: list[dict[str, Any]], explained: list[dict[str, Any]]) -> list[str]:
    """What differs between the plain run and the %%explain run, cell by cell, in words."""
    out: list[str] = []
    if len(plain) != len(explained):
        return [f"{len(plain)} cells ran plainly but {len(explained)} under %%explain"]
    for p, e in zip(plain, explained, strict=True):
        where = f"cell {p['index']} ({p['source'].strip().splitlines()[0] if p['source'].strip() else ''!r})"
        if _text(p["stdout"]) != _text(e["stdout"]):
            out.append(f"{where}: stdout differs\n--- plain ---\n{p['stdout']}\n--- %%explain ---\n{e['stdout']}")
        if _text(p["stderr"]) != _text(e["stderr"]):
            out.append(f"{where}: stderr differs\n--- plain ---\n{p['stderr']}\n--- %%explain ---\n{e['stderr']}")
        if p["error"] != e["error"]:
            out.append(f"{where}: exception {p['error']} plainly, {e['error']} under %%explain")
        elif p.get("message") != e.get("message"):
            out.append(f"{where}: exception message {p.get('message')!r} plainly, {e.get('message')!r} under %%explain")
        if p["names"].keys() != e["names"].keys():
            only_p = sorted(p["names"].keys() - e["names"].keys())
            only_e = sorted(e["names"].keys() - p["names"].keys())
            out.append(f"{where}: namespace differs: only plain {only_p}, only under %%explain {only_e}")
        for name in sorted(p["names"].keys() & e["names"].keys()):
            if not same(p["names"][name], e["names"][name]):
                out.append(f"{where}: {name} differs: {p['names'][name]!r} vs {e['names'][name]!r}")
        for source in ("torch", "numpy", "python"):
            if not same(p["rng"][source], e["rng"][source]):
                out.append(f"{where}: {source} random state differs")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", type=Path, nargs="+")
    parser.add_argument("--mode", choices=["plain", "explain", "steps"], required=True)
    parser.add_argument("--out", type=Path, required=True, help="folder for one records file per notebook")
    args = parser.parse_args(argv)

    import torch

    out = args.out.resolve()  # run() changes the working directory
    out.mkdir(parents=True, exist_ok=True)
    for index, notebook in enumerate(args.notebooks):
        records = run(notebook.resolve(), args.mode)
        torch.save(records, out / f"{index}.pt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
