"""Every note is a claim, and every claim is checked against what torch really did at that moment.

The claims checker (:mod:`claims`) runs cells under ``tm.explain`` with a witness that writes down the truth at
every first call and after every line; a note whose claim does not hold, or a note that asserts nothing
checkable, fails here. Sources: the course chapter, every code cell of the course notebooks, the tutorial-style
cells, the student cells of ``student_cells.py``, and a generated stream of course operations.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from claims import explain_checked
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def scratch_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cells save files (``torch.save(..., 'weights.pt')``): in a folder of their own, never the checkout."""
    monkeypatch.chdir(tmp_path)


def fresh_namespace() -> dict[str, Any]:
    return {"torch": torch, "np": np, "nn": nn, "__name__": "__main__"}


def run_cells(cells: list[str], language: str = "en") -> list[str]:
    """Explain each cell in one namespace, in order; every false claim, prefixed by the cell it came from."""
    namespace = fresh_namespace()
    problems: list[str] = []
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for number, cell in enumerate(cells, 1):
            _explanation, wrong, _error = explain_checked(cell, namespace, language)
            problems.extend(f"cell {number}: {problem}" for problem in wrong)
    return problems


def python_only(cell: str) -> str | None:
    """The cell as plain Python (a ``%%explain`` cell's body), or None when it needs IPython (magics, ``!``)."""
    lines = cell.splitlines()
    if lines and lines[0].startswith("%%explain"):
        lines = lines[1:]
    code = "\n".join(lines)
    try:
        compile(code, "<cell>", "exec")
    except SyntaxError:  # IPython syntax: magics, ``!`` lines, top-level await
        return None
    return None if "get_ipython" in code else code


# -- the course chapter ----------------------------------------------------------------------------------------------
def test_course_chapter_claims_hold() -> None:
    from course_cells import CHAPTER_CELLS

    assert run_cells([source for _, source in CHAPTER_CELLS]) == []


# -- the course notebooks --------------------------------------------------------------------------------------------
NOTEBOOKS = sorted((ROOT / "demos" / "en").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_claims_hold(notebook: Path) -> None:
    cells = [
        "".join(cell["source"]) for cell in json.loads(notebook.read_text())["cells"] if cell["cell_type"] == "code"
    ]
    runnable = [code for code in map(python_only, cells) if code is not None and "tensormagic.check" not in code]
    assert runnable, "no plain-Python cells found"
    assert run_cells(runnable) == []


# -- tutorial-style cells --------------------------------------------------------------------------------------------
def _tutorial_groups() -> dict[str, list[str]]:
    from test_tutorial_transparency import GROUPS

    return GROUPS


@pytest.mark.parametrize("group", sorted(_tutorial_groups()))
def test_tutorial_claims_hold(group: str) -> None:
    cells = [code for code in map(python_only, _tutorial_groups()[group]) if code is not None]
    assert run_cells(cells) == []


# -- the student cells -----------------------------------------------------------------------------------------------
def test_student_cells_claims_hold_in_both_languages() -> None:
    from student_cells import STUDENT_CELLS

    for language in ("en", "zh"):
        assert run_cells([cell for _, cell in STUDENT_CELLS], language) == []


# -- a generated stream of course operations -------------------------------------------------------------------------
_SHAPES = ["(2, 3)", "(3,)", "(1, 3)", "(2, 1)", "(4,)"]
_NAMES = ["a", "b", "c"]


def _statement(draw: Any) -> str:
    target = draw(st.sampled_from(_NAMES))
    x = draw(st.sampled_from(_NAMES))
    y = draw(st.sampled_from(_NAMES))
    shape = draw(st.sampled_from(_SHAPES))
    dtype = draw(st.sampled_from(["torch.int32", "torch.int64", "torch.float32", "torch.float64", "torch.bool"]))
    number = draw(st.sampled_from(["1", "2.5", "-3", "True", "0.1"]))
    dim = draw(st.sampled_from(["0", "-1", "(0, 1)", "1"]))
    templates = [
        f"{target} = torch.ones({shape})",
        f"{target} = torch.arange(6).reshape(2, 3)",
        f"{target} = torch.zeros({shape}, dtype={dtype})",
        f"{target} = torch.tensor([[1.5, -2.7, 3.0], [4.0, 5.5, -6.25]])",
        f"{target} = torch.tensor([1, 2, 3], dtype={dtype})",
        f"{target} = torch.from_numpy(np.ones({shape}))",
        f"{target} = torch.tensor(np.arange(3.0))",
        f"{target} = {x}.numpy()",
        f"{target} = {x}",
        f"{target} = {x} + {number}",
        f"{target} = {x} * {y}",
        f"{target} = {x} / {number}",
        f"{target} = {x} // 2",
        f"{target} = {x} > {number}",
        f"{target} = {x} == {y}",
        f"{target} = {x}[0]",
        f"{target} = {x}[:, 1:]",
        f"{target} = {x}.T",
        f"{target} = {x}.t()",
        f"{target} = {x}.reshape(-1)",
        f"{target} = {x}.view(3, 2)",
        f"{target} = {x}.unsqueeze(0)",
        f"{target} = {x}.int()",
        f"{target} = {x}.float()",
        f"{target} = {x}.to({dtype})",
        f"{target} = {x}.clone()",
        f"{target} = {x}.sum()",
        f"{target} = {x}.sum(dim={dim})",
        f"{target} = {x}.sum(dim={dim}, keepdim=True)",
        f"{target} = {x}.float().mean(dim={dim})",
        f"{target} = {x}.max(dim=0)",
        f"{target} = {x} @ {y}.T",
        f"{x}.add_({number})",
        f"{x} += 1",
        f"{x}[0] = 7",
        f"{x}.zero_()",
        f"{x}.mul({number})",
        f"{target} = {x}.item()",
    ]
    return draw(st.sampled_from(templates))


@st.composite
def course_programs(draw: Any) -> str:
    start = ["a = torch.ones(2, 3)", "b = torch.arange(3)", "c = np.ones((2, 3))"]
    lines = start + [_statement(draw) for _ in range(draw(st.integers(3, 10)))]
    # Every line runs: one that raises is still explained (and must not be explained as if it worked).
    return "\n".join(f"try:\n    {line}\nexcept Exception:\n    pass" for line in lines)


@given(course_programs())
def test_generated_course_operations_make_only_true_claims(program: str) -> None:
    assert run_cells([program]) == [], program
