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


def _card_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The cells that show a card: demos/build_notebooks.py marks them with the topic they show."""
    return [c for c in notebook.cells if c.cell_type == "code" and c.metadata.get("tensormagic", {}).get("card")]


def test_the_tour_shows_every_registered_card(executed: nbformat.NotebookNode) -> None:
    from tensormagic.cards import topics

    shown = [c.metadata["tensormagic"]["card"] for c in _card_cells(executed)]
    assert {t.name for t in topics()} <= set(shown)
    in_order = [c.source for c in executed.cells if c.source.startswith("tm.card(") and "language" not in c.source]
    assert in_order == [f"tm.card({t.name!r})" for t in topics()]


def test_every_card_cell_has_a_widget_view_and_a_text_fallback(executed: nbformat.NotebookNode) -> None:
    for cell in _card_cells(executed):
        outputs = _outputs(cell)
        assert outputs, cell.source
        data = outputs[-1]["data"]
        assert WIDGET_VIEW in data, cell.source
        assert data["text/plain"].strip(), cell.source
        assert "<svg" in data["text/html"] or "<div" in data["text/html"]
        assert "•" in data["text/plain"]  # the teaching points are in the text fallback
        assert f"tm-card-{cell.metadata['tensormagic']['card']}" in str(
            executed.metadata["widgets"][WIDGET_STATE]["state"][data[WIDGET_VIEW]["model_id"]]["state"]
        )


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
    # A Chinese name opens the Chinese card (the kernel has no language set explicitly) ...
    zh_card = _outputs(cells["%explain 卷积神经网络"])[-1]["data"]
    assert WIDGET_VIEW in zh_card and zh_card["text/plain"].startswith("CNN —— 卷积神经网络")
    # ... unless --lang says otherwise.
    en_card = _outputs(cells["%explain 深度学习简介 --lang en"])[-1]["data"]
    assert en_card["text/plain"].startswith("What is deep learning?")
    # Settings typed as options start the card's controls there.
    options = _outputs(cells["%explain cnn --kernel 5 --stride 2"])[-1]["data"]
    assert "kernel_size=5, stride=2" in options["text/plain"]
    assert "%explain cnn --size 28 --channels 3 --kernel 5 --stride 2 --padding 0" in options["text/plain"]
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
