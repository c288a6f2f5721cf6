"""Execute demos/cards_tour.ipynb in a real ipykernel (nbclient): widget views, text fallbacks, no errors."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "demos" / "cards_tour.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(ROOT)}},
        store_widget_state=True,
    )
    client.execute()
    return notebook


def _outputs(cell: nbformat.NotebookNode) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o.get("output_type") in ("execute_result", "display_data")]


def test_no_error_outputs(executed: nbformat.NotebookNode) -> None:
    errors = [o for cell in executed.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors


def test_every_card_cell_has_a_widget_view_and_a_text_fallback(executed: nbformat.NotebookNode) -> None:
    card_cells = [c for c in executed.cells if c.cell_type == "code" and "tm.card(" in c.source]
    assert len(card_cells) == 13
    for cell in card_cells:
        outputs = _outputs(cell)
        assert outputs, cell.source
        data = outputs[-1]["data"]
        assert WIDGET_VIEW in data, cell.source
        assert data["text/plain"].strip(), cell.source
        assert "<svg" in data["text/html"] or "<div" in data["text/html"]
        assert "•" in data["text/plain"]  # the teaching points are in the text fallback


def test_inspector_cells(executed: nbformat.NotebookNode) -> None:
    inspect_cells = [c for c in executed.cells if c.cell_type == "code" and ("tm.inspect(" in c.source
                                                                              or "%tensor -w" in c.source)]
    assert len(inspect_cells) == 2
    for cell in inspect_cells:
        data = _outputs(cell)[-1]["data"]
        assert WIDGET_VIEW in data
        assert "storage box" in data["text/plain"]
    assert "a view of x" in _outputs(inspect_cells[0])[-1]["data"]["text/plain"]


def test_explain_line_magic_cells(executed: nbformat.NotebookNode) -> None:
    cells = {c.source: c for c in executed.cells if c.cell_type == "code" and c.source.startswith("%explain")}
    listing = _outputs(cells["%explain"])[-1]["data"]
    assert "cnn" in listing["text/plain"] and "卷积神经网络" in listing["text/html"]
    zh_card = _outputs(cells["%explain 循环神经网络 --lang zh"])[-1]["data"]
    assert WIDGET_VIEW in zh_card and zh_card["text/plain"].startswith("RNN —— 循环神经网络")
    typo = [o for o in cells["%explain cnnn"].outputs if o.get("output_type") == "stream"]
    assert typo and "Did you mean: cnn" in typo[0]["text"]


def test_explain_cell_magic_output(executed: nbformat.NotebookNode) -> None:
    cell = next(c for c in executed.cells if c.source.startswith("%%explain"))
    html = "".join(o["data"].get("text/html", "") for o in _outputs(cell))
    assert "tensormagic-explanation" in html and "from_numpy" in html


def test_widget_state_is_saved(executed: nbformat.NotebookNode) -> None:
    state = executed.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    assert len(state) > 50
    classes = {c for model in state.values() for c in model.get("state", {}).get("_dom_classes", [])}
    assert {"tm-card-cnn", "tm-cnn-kernel", "tm-inspector"} <= classes
