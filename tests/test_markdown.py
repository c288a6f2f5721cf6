"""The ``text/markdown`` form of explanations, annotations and the namespace overview.

Markdown-first readers and ``jupyter nbconvert --to markdown`` get readable Markdown, not inline-styled HTML; names,
code and messages stay literal (escaped), whatever they hold. The rendering checks use mistune, the Markdown parser
nbconvert itself uses.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from tensormagic.render import markdown as md

mistune = pytest.importorskip("mistune")  # nbconvert's own Markdown parser

#: Markdown first, then what nbconvert prefers by default: the way to read tensormagic's outputs as Markdown.
PRIORITY = "['text/markdown','text/html','image/svg+xml','image/png','image/jpeg','text/latex','text/plain']"


def rendered(markdown: str) -> str:
    """``markdown`` as HTML, the way nbconvert's Markdown parser reads it (tables on)."""
    render = mistune.create_markdown(plugins=["table"])
    return str(render(markdown))


def visible(page: str) -> str:
    """The text a reader sees in rendered HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def bundles(shell: InteractiveShell, source: str) -> list[dict[str, str]]:
    with capture_output() as captured:
        shell.run_cell(source)
    return [output.data for output in captured.outputs]


@pytest.mark.parametrize(
    "value",
    ["a_b_c", "*bold* and _em_", "<script>alert(1)</script>", "x | y", "[link](http://x)", "1. first", "- item",
     "# heading", "``code``", "a & b", "&copy; &#60;", "-Inf", "1484.6667", "---"],
)
def test_text_renders_literally(value: str) -> None:
    page = rendered(md.text(value))
    assert visible(page).strip() == value
    assert not re.search(r"<(em|strong|a|script|code|h1|ol|ul|li|hr|table)\b", page), page


@pytest.mark.parametrize("value", ["t1 = x", "a`b", "``", "x = '`' + \"``\"", "<b>&"])
def test_code_spans_keep_their_code(value: str) -> None:
    page = rendered(md.code(value))
    assert visible(page).strip() == value and "<code>" in page


def test_explanation_annotation_and_overview_carry_markdown(shell: InteractiveShell) -> None:
    cell = (
        "%%explain\n"
        "a_b = torch.ones(2, 3)  # <b>*not bold*</b> | `tick`\n"
        "c_d = a_b @ torch.ones(3, 1)"
    )
    explained = bundles(shell, cell)[0]
    text = explained["text/markdown"]
    assert "<div" not in text and "style=" not in text
    assert "`` a_b = torch.ones(2, 3)  # <b>*not bold*</b> | `tick` ``" in text  # one span, its fence longer
    page = rendered(text)
    assert "<b>" not in page and "<em>" not in page  # the user's comment is shown, not interpreted
    assert "a_b = torch.ones(2, 3)  # &lt;b&gt;*not bold*&lt;/b&gt; | `tick`" in page
    assert "Tensor.__matmul__" in visible(page) and "matmul-shape" in visible(page)
    annotation = bundles(shell, "%tensor a_b")[0]["text/markdown"]
    seen = visible(rendered(annotation))
    assert "a_b · tensor · (2, 3) · float32" in seen
    assert "exact, over all 6 elements in 1 chunk" in seen
    assert "<table>" in rendered(annotation)  # the statistics as a table
    overview = bundles(shell, "%tensor")[0]["text/markdown"]
    page = rendered(overview)
    assert "<table>" in page and "a_b" in visible(page) and "c_d" in visible(page)


def test_chinese_markdown(shell: InteractiveShell) -> None:
    explained = bundles(shell, "%%explain --lang zh\nx = torch.ones(2, 3) + torch.arange(3.0)")[0]["text/markdown"]
    assert "**行 1** `x = torch.ones(2, 3) + torch.arange(3.0)`" in explained
    assert "从最右边的维度开始比较" in visible(rendered(explained))


def test_nbconvert_to_markdown_reads_clean_when_markdown_is_preferred(tmp_path: Path) -> None:
    from notebooks import execute  # tools/notebooks.py: nbclient in a real ipykernel

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell(source)
        for source in (
            "%load_ext tensormagic\nimport numpy as np\nimport torch",
            "%%explain\nn1 = np.array([[1, 2, 3], [4, 5, 6]])\nt1 = torch.from_numpy(n1)\nt1[0][0] = 8888",
            "%tensor t1",
            "%tensor",
        )
    ]
    source = tmp_path / "source.ipynb"
    nbformat.write(notebook, source)
    executed = execute(source)
    assert executed.ok, executed.errors or executed.crash
    nbformat.write(executed.notebook, tmp_path / "executed.ipynb")
    jupyter = str(Path(sys.executable).parent / "jupyter")

    def convert(*options: str) -> str:
        subprocess.run(
            [jupyter, "nbconvert", "--to", "markdown", "executed.ipynb", "--output", "converted", *options],
            cwd=tmp_path, check=True, capture_output=True,
        )
        return (tmp_path / "converted.md").read_text(encoding="utf-8")

    assert "<div" in convert()  # by default nbconvert prefers HTML: the inline-styled outputs
    clean = convert(f"--NbConvertBase.display_data_priority={PRIORITY}")
    assert "<div" not in clean and "style=" not in clean
    assert "**line 3** `t1[0][0] = 8888`" in clean
    assert "| min | max | mean | std |" in clean and "| 2 | 8888 | 1484.6667 |" in clean
    assert "| n1 | NumPy array | (2, 3) | int64 | cpu | 48 B | share memory: t1 |" in clean
