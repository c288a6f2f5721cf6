"""The demo notebooks execute cleanly in a real kernel, and their outputs carry the magics' annotations.

Every notebook (course in English and Chinese, plus ``demos/cards_tour.ipynb`` when present) is executed once per
session through nbclient into a real ``ipykernel``, as ``make demo`` does; the tests then read the outputs.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import nbformat
import pytest
from notebooks import (
    DEMOS,
    WIDGET_MIME,
    Executed,
    all_notebooks,
    course_notebooks,
    execute_many,
    load_builder,
    magics_available,
    notebook_text,
    output_texts,
    relative_name,
)

from tensormagic.i18n import message

NOTEBOOKS = all_notebooks()
IDS = [relative_name(p) for p in NOTEBOOKS]

# Note codes each course notebook's %%explain cells must produce (design.md's stable codes).
EXPECTED_CODES: dict[str, tuple[str, ...]] = {
    "01_tensors": ("default-dtype", "uninitialized", "dtype-change", "half-open", "rng"),
    "02_numpy": ("shares-memory", "copy", "in-place", "item"),
    "03_arithmetic": ("in-place", "broadcast", "matmul-shape", "dtype-change"),
    "04_reductions": ("reduce-dim",),
    "05_models": ("matmul-shape", "broadcast", "rng"),
    "06_steps": ("shares-memory", "copy", "in-place"),
    "07_autograd": ("requires-grad", "backward", "grad-accumulates", "no-grad", "graph-cut", "probabilities",
                    "non-finite", "loss"),
    "08_training": ("rng", "layer", "loss", "zero-grad", "backward", "optimizer-step", "item"),
}

CARD_TOPICS = ("deep-learning", "perceptron", "cnn", "rnn", "transformer", "autoencoder")
#: The weeks 2-3 notebooks open the card of their own topic.
NEW_CARDS = {"07_autograd": "autograd", "08_training": "training-loop"}


def expected_annotations(slug: str, lang: str) -> list[str]:
    """Phrases ``%tensor`` must print in this notebook, taken from the catalogs so rewording cannot break them."""
    def m(key: str, **values: object) -> str:
        return message(key, lang, **values)

    return {
        "01_tensors": [m("label.scalar")],
        "02_numpy": [
            m("share.tensor", name="a1"),
            m("share.ndarray", name="n1"),
            m("share.copy_of", names="n1"),
            m("value.from_item", type_name="int"),
        ],
        "03_arithmetic": [m("share.own")],
        "04_reductions": [m("stat.nonfinite_warning", what=()).strip()],
        "05_models": [],
        "07_autograd": [],
        "08_training": [m("model.shapes_last")],
    }.get(slug, [])


@pytest.fixture(scope="session")
def available() -> dict[str, bool]:
    return magics_available()


@pytest.fixture(scope="session")
def executed() -> dict[str, Executed]:
    """Every notebook, executed once for the whole session (two kernels at a time)."""
    load_builder().build()  # never test stale notebooks
    return {relative_name(r.source): r for r in execute_many(all_notebooks())}


def missing_features(nb: nbformat.NotebookNode, available: dict[str, bool]) -> list[str]:
    """The magics this notebook uses that the installed tensormagic does not have yet."""
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    uses = {
        "%%explain": any(s.startswith("%%explain") for s in sources),
        "%explain": any(line.startswith("%explain") for s in sources for line in s.splitlines()),
        "%tensor": any(line.startswith("%tensor") for s in sources for line in s.splitlines()),
    }
    return [name for name, used in uses.items() if used and not available.get(name, False)]


def skip_if_missing(nb: nbformat.NotebookNode, available: dict[str, bool]) -> None:
    missing = missing_features(nb, available)
    if missing:
        pytest.skip(f"tensormagic does not provide {', '.join(missing)} yet; this notebook uses it")


def test_notebooks_are_built_from_their_source() -> None:
    """The committed notebooks are exactly what demos/build_notebooks.py writes (edit the source, not the JSON)."""
    stale = load_builder().stale()
    assert not stale, f"rebuild with `python demos/build_notebooks.py`: {[str(p) for p in stale]}"


def code_shape(source: str) -> list[tuple[int, str]]:
    """A cell's tokens with string literals blanked: the two languages may differ only in the text they print."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(tok.type, "" if tok.type == tokenize.STRING else tok.string) for tok in tokens]


def test_both_languages_have_the_same_cells() -> None:
    english = {p.name: p for p in course_notebooks() if p.parent.name == "en"}
    chinese = {p.name: p for p in course_notebooks() if p.parent.name == "zh"}
    assert english.keys() == chinese.keys() and len(english) == 8
    for name in english:
        en = nbformat.read(english[name], as_version=4).cells
        zh = nbformat.read(chinese[name], as_version=4).cells
        assert [c.cell_type for c in en] == [c.cell_type for c in zh], name
        for index, (a, b) in enumerate(zip(en, zh, strict=True)):
            if a.cell_type != "code":
                continue
            # The set-up cell is the one place the code differs: the zh notebooks switch the language.
            b_source = b.source.replace('%config TensorMagic.language = "zh"\n', "")
            assert code_shape(a.source) == code_shape(b_source), f"{name} cell {index}"
        assert '%config TensorMagic.language = "zh"' in zh[[c.cell_type for c in zh].index("code")].source


def test_each_notebook_starts_with_set_up_and_ends_with_checked_exercises() -> None:
    for path in course_notebooks():
        cells = nbformat.read(path, as_version=4).cells
        first_code = next(c for c in cells if c.cell_type == "code")
        assert first_code.source.startswith("%load_ext tensormagic"), path
        assert "import torch" in first_code.source, path
        exercises = [c for c in cells if "exercise" in c.metadata.get("tags", [])]
        checks = [c for c in cells if "check" in c.metadata.get("tags", [])]
        assert 2 <= len(exercises) <= 3 and len(checks) == len(exercises), path
        assert all("assert" in c.source and "print(" in c.source for c in checks), path


@pytest.mark.parametrize("name", IDS)
def test_notebook_executes_without_errors(name: str, executed: dict[str, Executed],
                                          available: dict[str, bool]) -> None:
    result = executed[name]
    assert result.crash is None, result.crash
    if result.errors:
        skip_if_missing(result.notebook, available)
    assert not result.errors, "\n".join(str(e) for e in result.errors)


@pytest.mark.parametrize("path", course_notebooks(), ids=[relative_name(p) for p in course_notebooks()])
def test_tensor_annotations_appear(path: Path, executed: dict[str, Executed], available: dict[str, bool]) -> None:
    result = executed[relative_name(path)]
    if result.errors:  # a missing magic leaves later cells without their variables
        skip_if_missing(result.notebook, available)
    text = notebook_text(result.notebook)
    for phrase in expected_annotations(path.stem, path.parent.name):
        assert phrase in text, f"{phrase!r} missing from the outputs of {relative_name(path)}"


@pytest.mark.parametrize("path", course_notebooks(), ids=[relative_name(p) for p in course_notebooks()])
def test_explain_note_codes_appear(path: Path, executed: dict[str, Executed], available: dict[str, bool]) -> None:
    if not available["%%explain"]:
        pytest.skip("tensormagic does not provide the %%explain cell magic yet (issue 3)")
    result = executed[relative_name(path)]
    explain_cells = [
        c for c in result.notebook.cells
        if c.cell_type == "code" and c.source.startswith("%%explain") and "--steps" not in c.source.splitlines()[0]
    ]
    assert explain_cells, "the notebook should use %%explain"
    for cell in explain_cells:
        # Every %%explain cell shows an explanation after the cell's own output.
        assert any(o.get("output_type") == "display_data" for o in cell.outputs), cell.source
    html = "\n".join(html_outputs(cell) for cell in explain_cells)
    # The explanation speaks the notebook's language (the zh set-up cell switches it).
    assert html.count(f">{message('explain.what', path.parent.name)}</th>") == len(explain_cells)
    for code in EXPECTED_CODES[path.stem]:
        # The HTML explanation shows each note's code as a badge right before the note's text.
        assert f">{code}</span>" in html, f"note code {code!r} missing from %%explain in {relative_name(path)}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_steps_cells_show_the_timeline(lang: str, executed: dict[str, Executed]) -> None:
    """``%%explain --steps`` cells: the widget, the drawing as an image (for untrusted notebooks) and the text."""
    result = executed[f"{lang}/06_steps.ipynb"]
    cells = [c for c in result.notebook.cells if c.cell_type == "code" and c.source.startswith("%%explain --steps")]
    assert len(cells) == 6
    for cell in cells:
        shown = [o for o in cell.outputs if o.get("output_type") == "display_data"]
        assert len(shown) == 1, cell.source
        data = shown[0]["data"]
        assert WIDGET_MIME in data and data["image/svg+xml"].startswith("<svg"), cell.source
        assert '<img src="data:image/svg+xml;base64,' in data["text/html"], cell.source
    walk = "".join(cells[0].outputs[-1]["data"]["text/plain"])
    assert message("steps.title", lang, steps=4, lines=4) in walk
    assert ":  [8888] 2 3 4 5 6" in walk  # step 3: the written box, shared by t1 and n1
    assert message("steps.changed_via", lang, names="t1") in walk


def html_outputs(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        html = output.get("data", {}).get("text/html", "")
        parts.append(html if isinstance(html, str) else "".join(html))
    return "\n".join(parts)


@pytest.mark.parametrize("path", course_notebooks(), ids=[relative_name(p) for p in course_notebooks()])
def test_concept_cards_render(path: Path, executed: dict[str, Executed], available: dict[str, bool]) -> None:
    if not available["%explain"]:
        pytest.skip("tensormagic does not provide the %explain line magic (concept cards) yet (issue 4)")
    result = executed[relative_name(path)]
    cards = {
        c.source.strip().removeprefix("%explain").strip(): c
        for c in result.notebook.cells
        if c.cell_type == "code" and c.source.startswith("%explain ")
    }
    assert cards, "every course notebook opens at least one concept card"
    if path.stem == "05_models":
        assert set(CARD_TOPICS) <= cards.keys()
    if path.stem in NEW_CARDS:
        assert NEW_CARDS[path.stem] in {topic.split()[0] for topic in cards}
    for topic, cell in cards.items():
        mimes = {mime for o in cell.outputs for mime in o.get("data", {})}
        # A widget view for JupyterLab, and the readable text fallback for front ends without widgets.
        assert WIDGET_MIME in mimes, f"{topic}: no widget view in {relative_name(path)}"
        assert "text/plain" in mimes, f"{topic}: no text fallback in {relative_name(path)}"


def test_executed_copies_are_written(tmp_path: Path, executed: dict[str, Executed]) -> None:
    """run_demos's writer keeps the relative layout and never touches the sources."""
    from notebooks import write_executed

    before = {p: p.read_bytes() for p in NOTEBOOKS}
    for result in executed.values():
        target = write_executed(result, tmp_path)
        assert target == tmp_path / relative_name(result.source)
        assert nbformat.read(target, as_version=4).cells[0].cell_type
    assert {p: p.read_bytes() for p in NOTEBOOKS} == before
    assert not any(DEMOS.glob("**/*.nbconvert.ipynb"))


def test_runner_reports_errors_and_usage_errors(tmp_path: Path) -> None:
    """A raised exception and an unknown magic (which IPython reports on stderr only) both count as errors."""
    from notebooks import execute, output_path

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("import os\nprint(os.getcwd())"),
        nbformat.v4.new_code_cell("%no_such_magic_here"),
        nbformat.v4.new_code_cell("1 / 0"),
    ]
    source = tmp_path / "demo" / "broken.ipynb"
    source.parent.mkdir()
    nbformat.write(nb, source)

    result = execute(source, timeout=120)
    assert not result.ok
    assert [(e.cell, e.ename) for e in result.errors] == [(1, "UsageError"), (2, "ZeroDivisionError")]
    # The kernel runs in the notebook's own folder, as in JupyterLab.
    assert output_texts(result.notebook.cells[0])[0].strip() == str(source.parent.resolve())
    with pytest.raises(ValueError, match="overwrite"):
        output_path(source, tmp_path, root=tmp_path)


def test_run_demos_exit_codes(tmp_path: Path) -> None:
    import run_demos

    assert run_demos.main(["--out", str(tmp_path), "no-such-notebook"]) == 2
