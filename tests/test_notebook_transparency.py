"""``%%explain`` changes nothing a cell does: every code cell of every demo notebook, run plainly and under it.

Each notebook runs twice in a real IPython ``InteractiveShell``, each time in its own process started from the same
seeds: once with every cell plain (``%%explain`` cells without their first line), once with ``%%explain`` on every
cell that is not only magics. After each cell the two runs must agree on stdout and stderr, on the exception raised,
on the namespace (same names; tensors equal including dtype; arrays equal; modules' parameters equal) and on the
torch, NumPy and Python random states. Variables a cell marks ``volatile`` (uninitialised memory) are compared by
shape and dtype only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch
from notebooks import ROOT, all_notebooks, magics_available, relative_name
from transparency import differences, plan

NOTEBOOKS = all_notebooks()
WORKER = ROOT / "tools" / "transparency.py"


@pytest.fixture(scope="module")
def explain_available() -> bool:
    return magics_available()["%%explain"]


@pytest.fixture(scope="module")
def runs(explain_available: bool, tmp_path_factory: pytest.TempPathFactory) -> dict[Path, tuple[list, list]]:
    """Every notebook run plainly and under %%explain: two processes side by side (one per core)."""
    if not explain_available:
        return {}
    base = tmp_path_factory.mktemp("transparency")
    procs = {
        mode: subprocess.Popen(
            [sys.executable, str(WORKER), "--mode", mode, "--out", str(base / mode), *map(str, NOTEBOOKS)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for mode in ("plain", "explain")
    }
    for mode, proc in procs.items():
        output, _ = proc.communicate(timeout=1200)
        assert proc.returncode == 0, f"the {mode} run crashed:\n{output[-4000:]}"
    return {
        notebook: tuple(torch.load(base / mode / f"{i}.pt", weights_only=False) for mode in ("plain", "explain"))
        for i, notebook in enumerate(NOTEBOOKS)
    }


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[relative_name(p) for p in NOTEBOOKS])
def test_explain_is_transparent(notebook: Path, explain_available: bool,
                                runs: dict[Path, tuple[list, list]]) -> None:
    if not explain_available:
        pytest.skip("tensormagic does not provide the %%explain cell magic yet (issue 3): nothing to compare")
    cells = plan(nbformat.read(notebook, as_version=4))
    assert any(c.compared_under_explain for c in cells), "no cell would run under %%explain"

    plain, explained = runs[notebook]

    problems = differences(plain, explained)
    assert not problems, "\n\n".join(problems)
    # The plain run itself must be healthy, or the comparison proves little.
    errors = [(r["index"], r["error"]) for r in plain if r["error"]]
    assert not errors, f"cells raised when run plainly: {errors}"
    assert sum(r["explained"] for r in explained) == len([c for c in cells if c.compared_under_explain])


def test_plan_strips_and_prepends_explain() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext tensormagic\nimport torch"),
        nbformat.v4.new_code_cell("%%explain\nt = torch.ones(2)"),
        nbformat.v4.new_code_cell("u = t + 1\nprint(u)"),
        nbformat.v4.new_code_cell("%tensor u\n# just a look"),
        nbformat.v4.new_markdown_cell("text"),
        nbformat.v4.new_code_cell("%%capture\nprint(1)"),
    ]
    got = [(c.index, c.plain, c.explained) for c in plan(nb)]
    assert got == [
        (0, "%load_ext tensormagic\nimport torch", "%load_ext tensormagic\nimport torch"),
        (1, "t = torch.ones(2)", "%%explain\nt = torch.ones(2)"),
        (2, "u = t + 1\nprint(u)", "%%explain\nu = t + 1\nprint(u)"),
        (3, "%tensor u\n# just a look", "%tensor u\n# just a look"),
        (5, "%%capture\nprint(1)", "%%capture\nprint(1)"),
    ]


def test_differences_are_reported() -> None:
    """The comparison itself notices what it must: stdout, dtype, values, names and random state."""
    from transparency import rng_state, snapshot_value

    def record(stdout: str, names: dict, rng: dict) -> dict:
        return {"index": 0, "source": "x", "stdout": stdout, "stderr": "", "error": None, "explained": True,
                "names": {k: snapshot_value(v) for k, v in names.items()}, "rng": rng}

    state = rng_state()
    base = record("hi\n", {"t": torch.ones(2)}, state)
    assert differences([base], [record("hi\n", {"t": torch.ones(2)}, state)]) == []
    assert differences([base], [record("hi", {"t": torch.ones(2)}, state)])
    assert differences([base], [record("hi\n", {"t": torch.ones(2, dtype=torch.float64)}, state)])
    assert differences([base], [record("hi\n", {"t": torch.tensor([1.0, 2.0])}, state)])
    assert differences([base], [record("hi\n", {"t": torch.ones(2), "extra": 1}, state)])
    torch.rand(1)
    assert differences([base], [record("hi\n", {"t": torch.ones(2)}, rng_state())])
    nan = torch.tensor([float("nan")])
    assert differences([record("", {"n": nan}, state)], [record("", {"n": nan.clone()}, state)]) == []


def test_a_leaky_explain_is_caught(tmp_path: Path) -> None:
    """End to end through the worker: a stand-in %%explain that draws a random number and prints is flagged."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "%load_ext tensormagic\n"
            "import torch\n"
            "from IPython.core.magic import register_cell_magic\n"
            "@register_cell_magic\n"
            "def explain(line, cell):\n"
            "    get_ipython().run_cell(cell)\n"
            "    torch.rand(1)\n"
            "    print('explained')\n"
        ),
        nbformat.v4.new_code_cell("x = torch.ones(2)\nprint(x)"),
    ]
    notebook = tmp_path / "leaky.ipynb"
    nbformat.write(nb, notebook)
    records = {}
    for mode in ("plain", "explain"):
        subprocess.run([sys.executable, str(WORKER), "--mode", mode, "--out", str(tmp_path / mode), str(notebook)],
                       check=True, capture_output=True, timeout=300)
        records[mode] = torch.load(tmp_path / mode / "0.pt", weights_only=False)
    problems = differences(records["plain"], records["explain"])
    assert any("stdout differs" in p for p in problems)
    assert any("torch random state differs" in p for p in problems)
