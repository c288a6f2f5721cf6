"""``make demo`` signs the executed copies it writes: they are the user's own outputs, shown unsanitized."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest
from nbformat.sign import NotebookNotary

ROOT = Path(__file__).resolve().parents[1]


def _run_demos() -> object:
    spec = importlib.util.spec_from_file_location("run_demos", ROOT / "tools" / "run_demos.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_executed_copies_are_signed_for_this_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A private Jupyter data folder: the signatures go to its database, never to the user's own.
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(data))
    notary = NotebookNotary(data_dir=str(data))
    out = tmp_path / "executed"
    assert _run_demos().main(["--out", str(out), "--jobs", "1", "en/01_tensors"]) == 0  # type: ignore[attr-defined]
    executed = nbformat.read(out / "en" / "01_tensors.ipynb", as_version=4)
    with_outputs = [cell for cell in executed.cells if cell.get("outputs")]
    assert with_outputs
    assert notary.check_signature(executed)
    with_outputs[0].outputs = []  # any change to the outputs: no longer what was signed
    assert not notary.check_signature(executed)
