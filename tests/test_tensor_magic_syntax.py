"""``%tensor`` with an expression that does not parse: IPython's own syntax error display, in real shells and kernels.

A cell's syntax error shows the line and a caret, no frames. ``%tensor 1 +`` showed IPython's ``run_code``, the
``run_line_magic`` call and tensormagic's ``_evaluate`` and ``ast.parse`` frames above it (issue 12).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

ANSI = re.compile(r"\x1b\[[0-9;]*m")
KERNEL_NAME = "python3"  # the venv's own kernelspec (make setup installs it with --sys-prefix)


def run(ip: InteractiveShell, source: str) -> tuple[str, Any]:
    with capture_output() as captured:
        result = ip.run_cell(source, store_history=True)
    return ANSI.sub("", captured.stdout + captured.stderr), result


def numbered(text: str) -> str:
    return re.sub(r"In\s?\[\d+\]", "In[N]", text)


def left_behind(ip: InteractiveShell, post_execute: list[Any]) -> list[str]:
    left = ["showtraceback"] if "showtraceback" in vars(ip) else []
    if ip.events.callbacks["post_execute"] != post_execute:
        left.append("a post_execute callback")
    return left


@pytest.mark.parametrize(
    "expression", ["1 +", "t = (", "torch.ones(2) +", "x[1:", "a = b =", "torch.ones(2) \\", "t.sum(", "1 = x"]
)
def test_a_syntax_error_reads_as_in_a_plain_cell(shell: InteractiveShell, expression: str) -> None:
    post_execute = list(shell.events.callbacks["post_execute"])
    plain, plain_result = run(shell, expression)
    assert isinstance(plain_result.error_before_exec, SyntaxError)
    shown, result = run(shell, f"%tensor {expression}")
    assert isinstance(result.error_in_exec, SyntaxError)
    assert shell.last_execution_succeeded is False
    assert numbered(shown) == numbered(plain)
    assert "Traceback" not in shown and "tensormagic" not in shown
    assert not left_behind(shell, post_execute)


def test_options_before_the_expression_change_nothing(shell: InteractiveShell) -> None:
    plain, _ = run(shell, "1 +")
    shown, _ = run(shell, "%tensor --lang zh --no-stats 1 +")
    assert numbered(shown) == numbered(plain)


def test_a_caught_syntax_error_leaves_nothing_and_later_errors_show_their_frames(shell: InteractiveShell) -> None:
    post_execute = list(shell.events.callbacks["post_execute"])
    _, caught = run(shell, "try:\n    %tensor 1 +\nexcept SyntaxError as error:\n    caught = error.msg\n")
    assert caught.success and shell.user_ns["caught"] == "invalid syntax"
    assert not left_behind(shell, post_execute)
    # the next SyntaxError raised while code runs is shown with its frames, as IPython always shows one
    plain, _ = run(shell, "def compiles():\n    return compile('1 +', 'text', 'eval')\ncompiles()\n")
    assert "compiles()" in plain and "Traceback" in plain


@pytest.mark.parametrize("expression", ['eval("1 +")', 'x = compile("1 +", "<text>", "eval")'])
def test_a_syntax_error_the_expression_raises_shows_its_frames_and_none_of_ours(
    shell: InteractiveShell, expression: str
) -> None:
    """Raised while the user's code runs, a SyntaxError is shown with its frames (IPython's convention, which
    ignores ``__tracebackhide__`` for it): the user's line and the text that failed to parse, not tensormagic's."""
    post_execute = list(shell.events.callbacks["post_execute"])
    plain, _ = run(shell, expression)
    shown, result = run(shell, f"%tensor {expression}")
    assert isinstance(result.error_in_exec, SyntaxError) and shell.last_execution_succeeded is False
    assert "tensormagic" not in shown and "_evaluate" not in shown
    # the plain cell's frames (its line, then the parsed text) end the magic's traceback
    assert numbered(shown).endswith(numbered(plain).split("\n\n", 2)[-1])
    assert not left_behind(shell, post_execute)


def test_inside_an_explained_cell(shell: InteractiveShell) -> None:
    post_execute = list(shell.events.callbacks["post_execute"])
    plain, _ = run(shell, "1 +")
    shown, result = run(shell, "%%explain\nt = torch.ones(2)\n%tensor 1 +")
    assert isinstance(result.error_in_exec, SyntaxError) and shell.last_execution_succeeded is False
    assert numbered(shown) == numbered(plain)
    assert "Traceback" not in shown and "tensormagic" not in shown
    assert not left_behind(shell, post_execute)


def test_called_outside_a_cell_it_raises_and_changes_nothing(shell: InteractiveShell) -> None:
    post_execute = list(shell.events.callbacks["post_execute"])
    with pytest.raises(SyntaxError):
        shell.run_line_magic("tensor", "1 +")
    assert not left_behind(shell, post_execute)


def test_in_a_kernel_the_error_output_is_a_plain_cells(tmp_path: Path) -> None:
    """What a front end receives: the error message's name, value and traceback lines."""
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import torch\n%load_ext tensormagic"),
        nbformat.v4.new_code_cell("torch.ones(2) +"),
        nbformat.v4.new_code_cell("%tensor torch.ones(2) +"),
        nbformat.v4.new_code_cell("print('still running', 'showtraceback' in vars(get_ipython()))"),
    ]
    client = NotebookClient(
        notebook, kernel_name=KERNEL_NAME, timeout=300, allow_errors=True, resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    (plain,), (shown,) = notebook.cells[1].outputs, notebook.cells[2].outputs
    assert shown.output_type == plain.output_type == "error"
    assert (shown.ename, shown.evalue) == (plain.ename, plain.evalue)
    assert shown.ename == "SyntaxError" and shown.evalue.startswith("invalid syntax")
    assert [numbered(ANSI.sub("", line)) for line in shown.traceback] == [
        numbered(ANSI.sub("", line)) for line in plain.traceback
    ]
    assert notebook.cells[3].outputs[0].text == "still running False\n"  # no patch left on the kernel's shell
