"""Student mode: ``TensorMagic.detail = "brief"``, ``%%explain --brief`` and ``%tensor --brief``, in a real shell."""

from __future__ import annotations

import re
import string

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets import TraitError

import tensormagic as tm
from tensormagic.i18n import brief, catalogs, explain
from tensormagic.render.explanation import written_name

CELL = """n1 = np.array([[1, 2, 3], [4, 5, 6]])
t1 = torch.from_numpy(n1)
t1[0][0] = 8888
a = torch.ones(2, 3)
b = a @ torch.ones(3, 4)
c = a + torch.ones(3)
d = a * torch.ones(1, 3)
e = torch.matmul(a, torch.ones(3, 2))
"""


def words(text: str) -> str:
    """Displayed text with its wrapping undone: the words one space apart, the explanation's gutters dropped."""
    return " ".join(text.replace("│", " ").split())


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def shown(shell: InteractiveShell, cell: str) -> tuple[str, str]:
    """(text/plain, text/html) of what a cell displayed."""
    with capture_output() as captured:
        result = shell.run_cell(cell)
    assert result.error_in_exec is None and result.error_before_exec is None
    bundles = [output.data for output in captured.outputs]
    return (
        "\n".join(b.get("text/plain", "") for b in bundles),
        "\n".join(b.get("text/html", "") for b in bundles),
    )


def test_every_note_has_a_brief_wording_or_is_left_out_on_purpose() -> None:
    notes = {key for key in explain.EN if key.startswith("note.")}
    worded = {key.removesuffix(".brief") for key in brief.EN if key.endswith(".brief")}
    assert notes == worded | brief.HIDDEN, (notes - worded - brief.HIDDEN, worded - notes)
    assert not worded & brief.HIDDEN
    assert set(brief.RULES) <= notes
    for key in worded:
        for language, full in (("EN", explain.EN), ("ZH", explain.ZH)):
            short = getattr(brief, language)[f"{key}.brief"]
            assert _fields(short) <= _fields(full[key]), (language, key)  # the note's own numbers, nothing else
            assert len(short) <= len(full[key]) or key.startswith("note.conv"), (language, key)


def test_detail_is_full_by_default_and_only_full_or_brief(shell: InteractiveShell) -> None:
    assert shell.run_line_magic("config", "TensorMagic.detail") == "full"
    with pytest.raises(TraitError):
        tm.config.TensorMagic(detail="short")


def test_brief_explanation_is_one_line_per_call_in_the_words_of_the_code(shell: InteractiveShell) -> None:
    full_text, full_html = shown(shell, "%%explain\n" + CELL)
    text, html = shown(shell, "%%explain --brief\n" + CELL)
    explanation = shell.magics_manager.registry["TensorMagics"].last_explanation
    assert explanation.detail == "brief"
    calls = sum(len(step.calls) for step in explanation.steps)
    rows = explanation.text(10**6).splitlines()
    assert len(rows) == 1 + len(explanation.steps) + calls  # the title, each code line, one line per call
    assert "↳" not in text and "↳" in full_text
    assert "Tensor.__" not in text and "Tensor.__getitem__" in full_text
    assert "t1[0] → (3,) int64: a view of t1: same memory" in text
    assert "a @ torch.ones(3, 4) → (2, 4) float32" in text
    # no note codes: the full HTML badges them, the brief one does not
    assert ">shares-memory</span>" in full_html and "shares-memory" not in html and "default-dtype" not in html


def test_each_rule_is_stated_once_per_cell_and_referred_to_after(shell: InteractiveShell) -> None:
    text, html = shown(shell, "%%explain --brief\n" + CELL)
    flat = words(text)
    assert flat.count("broadcasting rule: line the shapes up from the right") == 1
    assert "broadcasting rule, see line 6" in flat  # line 7 (a * …) refers back to line 6 (a + …)
    assert flat.count("matrix-multiplication rule: (n, k) @ (k, m) → (n, m)") == 1
    assert "matrix-multiplication rule, see line 5" in flat
    assert html.count("broadcasting rule: line the shapes up") == 1
    full = words(shown(shell, "%%explain\n" + CELL)[0])
    assert full.count("rule: compare sizes from the right") == 2  # the teacher's view keeps the note on each call


def test_brief_in_chinese(shell: InteractiveShell) -> None:
    text, _ = shown(shell, "%%explain --brief --lang zh\n" + CELL)
    flat = words(text)
    assert "t1[0] → (3,) int64：是 t1 的视图：内存相同" in flat
    assert flat.count("广播规则：从最右边的维度开始对齐") == 1 and "广播规则，见第 6 行" in flat
    assert "矩阵乘法规则，见第 5 行" in flat


def test_config_brief_applies_to_every_explanation_and_annotation(shell: InteractiveShell) -> None:
    shell.run_line_magic("config", 'TensorMagic.detail = "brief"')
    try:
        text, _ = shown(shell, "%%explain\n" + CELL)
        assert "Tensor.__" not in text and "↳" not in text
        annotated, html = shown(shell, "%tensor t1")
        assert "exact, over all" not in annotated and "strides" not in annotated
        assert "min 2 · max 8888" in " ".join(annotated.split())
        assert "exact, over all" not in html
    finally:
        shell.run_line_magic("config", 'TensorMagic.detail = "full"')
    annotated, _ = shown(shell, "%tensor t1")
    assert "exact, over all" in " ".join(annotated.split()) and "strides" in annotated


def test_tensor_brief_has_no_statistics_footer(shell: InteractiveShell) -> None:
    shell.run_cell("x = torch.tensor([1.0, float('nan'), 3.0])")
    text, _ = shown(shell, "%tensor --brief x")
    flat = " ".join(text.split())
    assert "exact, over all" not in flat and "chunk" not in flat
    assert "NaN 1" in flat and "+Inf" not in flat  # non-finite counts only when there are any
    assert "min/max/mean/std ignore the one non-finite value" in flat  # what the statistics are of stays


def test_auto_mode_follows_the_detail_setting(shell: InteractiveShell) -> None:
    shell.run_line_magic("config", 'TensorMagic.detail = "brief"')
    shell.run_line_magic("tensor", "--auto on")
    try:
        with capture_output() as captured:
            shell.run_cell("torch.arange(3)")  # the displayhook's Out[] goes through the same formatter
        assert "tensor([0, 1, 2])" in captured.stdout and "exact, over all" not in captured.stdout
        assert "min 0 · max 2" in words(captured.stdout)
    finally:
        shell.run_line_magic("tensor", "--auto off")
        shell.run_line_magic("config", 'TensorMagic.detail = "full"')


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Tensor.__add__", "… + …"), ("Tensor.__radd__", "… + …"), ("Tensor.__iadd__", "… += …"),
        ("Tensor.__matmul__", "… @ …"), ("Tensor.__getitem__", "…[…]"), ("Tensor.__setitem__", "…[…] = …"),
        ("Tensor.__neg__", "-…"), ("Tensor.__rshift__", "… >> …"), ("Tensor.sum", ".sum"),
        ("torch.nn.functional.linear", "torch.nn.functional.linear"),
    ],
)
def test_calls_without_their_source_are_named_as_written(name: str, written: str) -> None:
    call = tm.explanation.Call(name=name, count=1, result=None)
    assert written_name(call) == written


def test_a_call_inside_a_function_the_cell_defines_is_named_without_internals(shell: InteractiveShell) -> None:
    text, _ = shown(shell, "%%explain --brief\ndef double(q):\n    return q * 2\nr = double(torch.ones(2))")
    assert "Tensor.__" not in text and re.search(r"q \* 2|… \* …", text)


def test_brief_catalog_texts_are_in_both_languages() -> None:
    zh = catalogs()["zh"]
    assert all(f"{key}.brief" in zh for key in brief.RULES)


def test_an_optimizers_rule_is_stated_at_its_first_step_and_referred_to_after(shell: InteractiveShell) -> None:
    cell = (
        "model = nn.Linear(2, 1)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "model(torch.ones(1, 2)).sum().backward()\n"
        "opt.step()\n"
        "opt.zero_grad()\n"
        "model(torch.ones(1, 2)).sum().backward()\n"
        "opt.step()\n"
    )
    flat = words(shown(shell, "%%explain --brief\n" + cell)[0])
    assert flat.count("SGD: p ← p − lr · p.grad, lr=0.1") == 1
    assert "SGD's rule, see line 4" in flat
    assert "opt.step()" in flat and "Tensor." not in flat
