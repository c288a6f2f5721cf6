"""%tensor in a real IPython shell: annotations, sharing sentences, errors, languages, auto mode, unload."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output


def run(shell: InteractiveShell, source: str) -> tuple[str, list[dict], object]:
    """Run a cell; return its stdout, every displayed mime bundle, and the run's error (if any)."""
    with capture_output() as captured:
        result = shell.run_cell(source, store_history=True)
    bundles = [output.data for output in captured.outputs]
    return captured.stdout, bundles, result.error_in_exec


def plain_text(bundles: list[dict]) -> str:
    return "\n".join(b.get("text/plain", "") for b in bundles)


def test_from_numpy_shares_memory_with_the_array(shell: InteractiveShell) -> None:
    shell.run_cell("n1 = np.ones((2, 3))")
    _, bundles, error = run(shell, "%tensor t1 = torch.from_numpy(n1)")
    assert error is None
    text = plain_text(bundles)
    assert text.startswith("t1 · tensor · (2, 3) · float64 · cpu · 48 B")
    assert "shares memory with NumPy array n1" in text
    assert shell.user_ns["t1"].data_ptr() == shell.user_ns["n1"].__array_interface__["data"][0]
    assert "text/html" in bundles[0] and "n1" in bundles[0]["text/html"]


def test_torch_tensor_of_an_array_is_an_independent_copy(shell: InteractiveShell) -> None:
    shell.run_cell("n1 = np.ones((2, 3))")
    text = plain_text(run(shell, "%tensor torch.tensor(n1)")[1])
    assert "independent copy of n1" in text
    assert "shares memory" not in text


@pytest.mark.parametrize("expression", ["t[0]", "t.view(4)", "t.T"])
def test_views_name_their_base(shell: InteractiveShell, expression: str) -> None:
    shell.run_cell("t = torch.arange(4.0).reshape(2, 2)")
    text = plain_text(run(shell, f"%tensor {expression}")[1])
    assert "a view of t: same memory, nothing copied" in text


def test_numpy_of_a_tensor_shares_and_its_copy_does_not(shell: InteractiveShell) -> None:
    shell.run_cell("t = torch.tensor([[1, 2, 3], [4, 5, 6]])")
    assert "shares memory with tensor t" in plain_text(run(shell, "%tensor n = t.numpy()")[1])
    assert "independent copy of t" in plain_text(run(shell, "%tensor c = t.numpy().copy()")[1])


def test_rows_of_one_tensor_share_storage_but_no_element(shell: InteractiveShell) -> None:
    shell.run_cell("t = torch.zeros(2, 3); a = t[0]")
    text = plain_text(run(shell, "%tensor t[1]")[1])
    assert "shares a's storage but none of its elements" in text
    assert "a view of t" in text


def test_statistics_line_and_how_they_were_computed(shell: InteractiveShell) -> None:
    text = plain_text(run(shell, "%tensor torch.tensor([1.0, float('nan'), float('inf'), 0.0, -2.0])")[1])
    assert "min -2 · max 1 · mean -0.3333 · std 1.5275 · zeros 1 · NaN 1 · +Inf 1 · -Inf 0" in text
    assert "contains 1 NaN, 1 +Inf" in text
    assert "exact, over all 5 elements" in text


def test_no_stats_and_precision_options(shell: InteractiveShell) -> None:
    shell.run_cell("x = torch.tensor([1/3, 2/3])")
    assert "mean" not in plain_text(run(shell, "%tensor --no-stats x")[1])
    text = plain_text(run(shell, "%tensor --precision 2 x")[1])
    assert "tensor([0.33, 0.67])" in text and "mean 0.5" in text


def test_expression_with_minus_signs_and_quotes_is_not_split(shell: InteractiveShell) -> None:
    shell.run_cell("x = torch.ones(3)")
    text = plain_text(run(shell, '%tensor -p 3 x - 1 if "a b" else x')[1])
    assert "min 0 · max 0" in text


def test_overview_groups_shared_memory(shell: InteractiveShell) -> None:
    shell.run_cell("n1 = np.ones(3); t1 = torch.from_numpy(n1); lone = torch.zeros(2)")
    text = plain_text(run(shell, "%tensor")[1])
    assert "3 tensors and arrays in the namespace" in text
    lines = {line.split()[0]: line for line in text.splitlines()[2:]}
    assert "share memory: t1" in lines["n1"]
    assert "share memory: n1" in lines["t1"]
    assert "not shared" in lines["lone"]


def test_non_tensor_values_say_what_they_are(shell: InteractiveShell) -> None:
    shell.run_cell("t = torch.tensor([[10]])")
    text = plain_text(run(shell, "%tensor t.item()")[1])
    assert text.startswith("10")
    assert "plain Python int taken out of a one-element tensor by .item()" in text
    assert "not a tensor or array: a str" in plain_text(run(shell, "%tensor 'hello'")[1])
    assert "holding 2 tensors" in plain_text(run(shell, "%tensor t.max(dim=0)")[1])


def test_user_errors_keep_their_type_and_read_like_ipython(shell: InteractiveShell) -> None:
    stdout, _, error = run(shell, "%tensor missing_name + 1")
    assert isinstance(error, NameError)
    assert "missing_name + 1" in stdout  # the user's own line is shown
    assert "tensormagic/magics" not in stdout  # our frames are hidden
    _, _, error = run(shell, "%tensor torch.ones(2) +")
    assert isinstance(error, SyntaxError)
    _, _, error = run(shell, "%tensor torch.ones(2) @ torch.ones(3)")
    assert isinstance(error, RuntimeError)


def test_chinese_through_option_and_config(shell: InteractiveShell) -> None:
    shell.run_cell("n1 = np.ones(2); t1 = torch.from_numpy(n1)")
    assert "与 NumPy 数组 n1 共享内存" in plain_text(run(shell, "%tensor --lang zh t1")[1])
    shell.run_line_magic("config", 'TensorMagic.language = "zh"')
    text = plain_text(run(shell, "%tensor t1")[1])
    assert "张量" in text and "最小值" in text


def test_invalid_language_is_refused_clearly(shell: InteractiveShell, caplog: pytest.LogCaptureFixture) -> None:
    shell.run_line_magic("config", 'TensorMagic.language = "fr"')
    assert "unknown language 'fr': choose one of en, zh" in caplog.text
    # The refused value is not left in the shell's config: the extension loads again, quietly, with the old value.
    shell.run_line_magic("unload_ext", "tensormagic")
    with capture_output() as captured:
        shell.run_line_magic("load_ext", "tensormagic")
    assert "unknown language 'fr'" not in captured.stderr
    assert "tensor" in shell.magics_manager.magics["line"]
    shell.run_line_magic("config", 'TensorMagic.language = "en"')


def test_assignment_to_a_subscript_annotates_the_target(shell: InteractiveShell) -> None:
    shell.run_cell("n1 = np.array([[1, 2, 3], [4, 5, 6]]); t1 = torch.from_numpy(n1)")
    text = plain_text(run(shell, "%tensor t1[0] = 8888")[1])
    assert "8888" in text and "a view of t1" in text
    assert shell.user_ns["n1"][0, 0] == 8888


def test_auto_mode_annotates_results_and_off_restores_ipython(shell: InteractiveShell) -> None:
    shell.run_cell("t = torch.arange(3)")
    t = shell.user_ns["t"]
    formatter = shell.display_formatter
    before, _ = formatter.format(t)
    run(shell, "%tensor --auto on")
    stdout, _, _ = run(shell, "t")  # the displayhook's Out[] goes through the same formatter
    assert "t · tensor · (3,) · int64" in stdout
    during, _ = formatter.format(t)
    assert during["text/plain"].startswith("t · tensor · (3,) · int64")
    assert "tensormagic-annotation" in during["text/html"]
    nested, _ = formatter.format([t, t])
    assert nested["text/plain"] == "[tensor([0, 1, 2]), tensor([0, 1, 2])]"
    run(shell, "%tensor --auto off")
    after, _ = formatter.format(t)
    assert after == before


def test_load_twice_is_harmless_and_unload_leaves_nothing(shell: InteractiveShell) -> None:
    plain_printers = dict(shell.display_formatter.formatters["text/plain"].type_printers)
    shell.run_line_magic("load_ext", "tensormagic")
    assert len([c for c in shell.configurables if type(c).__name__ == "TensorMagic"]) == 1
    shell.run_line_magic("tensor", "--auto on")
    shell.run_line_magic("unload_ext", "tensormagic")
    assert "tensor" not in shell.magics_manager.magics["line"]
    assert "explain" not in shell.magics_manager.magics["line"]
    assert "explain" not in shell.magics_manager.magics["cell"]
    assert "TensorMagics" not in shell.magics_manager.registry
    assert not [c for c in shell.configurables if type(c).__name__ == "TensorMagic"]
    assert shell.display_formatter.formatters["text/plain"].type_printers == plain_printers
    shell.run_line_magic("load_ext", "tensormagic")  # the fixture unloads again
    assert "tensor" in shell.magics_manager.magics["line"]


def test_html_escapes_user_text() -> None:
    import tensormagic

    annotation = tensormagic.annotate(torch.ones(2), name="<img src=x onerror=alert(1)>")
    html = annotation._repr_html_()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_bool_tensors_are_counted_not_averaged(shell: InteractiveShell) -> None:
    text = plain_text(run(shell, "%tensor torch.tensor([True, False, True])")[1])
    assert "True 2 · False 1" in text
    assert "exact count over all 3 elements" in text
    assert "std" not in text and "mean" not in text


# --- assignment targets: every sub-expression once, the assigned object annotated ---------------------------


def test_subscript_target_is_evaluated_once(shell: InteractiveShell) -> None:
    shell.run_cell("lst = [torch.zeros(2), torch.zeros(3)]; it = iter(range(2))")
    stdout, bundles, error = run(shell, "%tensor lst[next(it)] = torch.ones(2)")
    assert error is None, stdout
    text = plain_text(bundles)
    assert text.startswith("lst[next(it)] · tensor · (2,) · float32") and "tensor([1., 1.])" in text
    lst = shell.user_ns["lst"]
    assert torch.equal(lst[0], torch.ones(2)) and torch.equal(lst[1], torch.zeros(3))  # assigned lst[0] only
    assert next(shell.user_ns["it"]) == 1  # next(it) ran once


def test_attribute_tuple_and_walrus_targets(shell: InteractiveShell) -> None:
    shell.run_cell("class Box: pass\nbox = Box(); calls = []\ndef owner():\n    calls.append(1)\n    return box")
    text = plain_text(run(shell, "%tensor owner().w = torch.arange(3)")[1])
    assert text.startswith("owner().w · tensor · (3,) · int64") and shell.user_ns["calls"] == [1]
    text = plain_text(run(shell, "%tensor a, b = torch.ones(2), torch.zeros(3)")[1])
    assert "a tuple holding 2 tensors" in text
    assert torch.equal(shell.user_ns["b"], torch.zeros(3))
    shell.run_cell("t = torch.zeros(2, 3)")
    text = plain_text(run(shell, "%tensor t[(k := 1)] = 7")[1])
    assert shell.user_ns["k"] == 1 and "a view of t" in text and "tensor([7., 7., 7.])" in text


def test_errors_in_an_assignment_keep_their_type_and_line(shell: InteractiveShell) -> None:
    shell.run_cell("t = torch.zeros(2, 3)")
    stdout, _, error = run(shell, "%tensor t[0] = torch.ones(5)")
    assert isinstance(error, RuntimeError)
    assert "t[0] = torch.ones(5)" in stdout and "tensormagic/magics" not in stdout
    _, _, error = run(shell, "%tensor missing[0] = 1")
    assert isinstance(error, NameError)


# --- odd objects: a warning line or a user-style answer, never our traceback --------------------------------

RAISING_SUBCLASS = """
class Hostile(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        raise ValueError("hostile __torch_function__")
"""


def test_a_raising_subclass_in_the_namespace_breaks_nothing(shell: InteractiveShell) -> None:
    shell.run_cell(RAISING_SUBCLASS + "h = torch.arange(3.0).as_subclass(Hostile); t = torch.ones(2)")
    for line in ("%tensor t", "%tensor h", "%tensor", "%tensor -w h", "%tensor -w t"):
        stdout, bundles, error = run(shell, line)
        assert error is None and "Traceback" not in stdout and bundles, (line, stdout)
    assert "Hostile([0., 1., 2.])" in plain_text(run(shell, "%tensor h")[1])
    assert "2 tensors and arrays" in plain_text(run(shell, "%tensor")[1])


def test_nested_tensors_are_described(shell: InteractiveShell) -> None:
    shell.run_cell(
        "import warnings; warnings.simplefilter('ignore')\n"
        "jagged = torch.nested.nested_tensor([torch.ones(2), torch.arange(3.0)], layout=torch.jagged)\n"
        "packed = torch.nested.nested_tensor([torch.ones(2, 3), torch.ones(4, 3)])"
    )
    for line in ("%tensor jagged", "%tensor packed", "%tensor", "%tensor -w jagged", "%tensor -w packed"):
        stdout, bundles, error = run(shell, line)
        assert error is None and "Traceback" not in stdout and bundles, (line, stdout)
    text = plain_text(run(shell, "%tensor jagged")[1])
    assert "(2, *)" in text and "nested (jagged): 2 tensors of shapes (2,), (3,)" in text
    assert "min 0 · max 2 · mean 1" in text
    text = plain_text(run(shell, "%tensor packed")[1])
    assert "(2, *, 3)" in text and "nested (strided): 2 tensors of shapes (2, 3), (4, 3)" in text
    assert "inspect one component, e.g. x[0]" in plain_text(run(shell, "%tensor -w jagged")[1])


@pytest.mark.parametrize(
    ("expression", "note"),
    [("5", "a plain Python int, not a tensor"), ("(i for i in range(3))", "not a tensor or array: a generator")],
)
def test_inspector_on_a_non_tensor_says_what_it_is(shell: InteractiveShell, expression: str, note: str) -> None:
    stdout, bundles, error = run(shell, f"%tensor -w {expression}")
    assert error is None and "Traceback" not in stdout
    assert note in plain_text(bundles)


def test_inspector_on_float4_says_why_there_are_no_values(shell: InteractiveShell) -> None:
    shell.run_cell("f4 = torch.zeros(4, 2, dtype=torch.uint8).view(torch.float4_e2m1fn_x2)")
    stdout, bundles, error = run(shell, "%tensor -w f4")
    assert error is None and "Traceback" not in stdout
    assert "torch implements no copy or conversion for dtype float4_e2m1fn_x2" in plain_text(bundles)


# --- the overview: bounded, with a summary beyond one page --------------------------------------------------


def test_overview_lists_one_page_and_summarises_the_rest(shell: InteractiveShell) -> None:
    from tensormagic.annotate import OVERVIEW_ROWS

    shell.run_cell(
        "base = torch.zeros(3000, 2)\n"
        "for i in range(3000):\n    globals()[f'row{i}'] = base[i]\n"
        "for i in range(20):\n    globals()[f'alone{i}'] = torch.ones(1)"
    )
    text = plain_text(run(shell, "%tensor")[1])
    lines = text.splitlines()
    assert lines[0] == "3,021 tensors and arrays in the namespace"
    assert len(lines) == 2 + OVERVIEW_ROWS + 1
    assert "share memory: row0, row1, row2, row3, row4 and 2,995 more" in lines[2]  # base's group, first
    assert lines[-1] == "… 2,971 more not listed, in 21 memory groups; %tensor NAME describes one"
    html = run(shell, "%tensor")[1][0]["text/html"]
    assert html.count("<tr>") == 1 + OVERVIEW_ROWS and "2,971 more not listed" in html
    zh = plain_text(run(shell, "%tensor --lang zh")[1]).splitlines()
    assert zh[0] == "命名空间中有 3,021 个张量或数组"
    assert zh[-1] == "…… 另有 2,971 个未列出，分属 21 个内存组；用 %tensor 变量名 查看其中一个"


# --- auto mode and the explanation's line limit -------------------------------------------------------------


def test_auto_off_keeps_the_users_printer_and_restores_the_one_before(shell: InteractiveShell) -> None:
    plain = shell.display_formatter.formatters["text/plain"]
    shell.run_cell("t = torch.arange(3)")
    t = shell.user_ns["t"]
    before = lambda obj, printer, cycle: printer.text("mine before")  # noqa: E731
    plain.for_type(np.ndarray, before)
    try:
        run(shell, "%tensor --auto on")
        later = lambda obj, printer, cycle: printer.text("mine later")  # noqa: E731
        plain.for_type(torch.Tensor, later)  # registered by the user while auto mode is on
        run(shell, "%tensor --auto off")
        assert plain.type_printers[torch.Tensor] is later
        assert shell.display_formatter.format(t)[0]["text/plain"] == "mine later"
        assert plain.type_printers[np.ndarray] is before  # restored exactly
        run(shell, "%tensor --auto on")
        run(shell, "%tensor --auto off")
        assert plain.type_printers[torch.Tensor] is later and plain.type_printers[np.ndarray] is before
    finally:
        plain.type_printers.pop(torch.Tensor, None)
        plain.type_printers.pop(np.ndarray, None)


@pytest.mark.parametrize("value", ["1", "-5", "0", "4", "ten"])
def test_max_lines_option_follows_the_config_rule(shell: InteractiveShell, value: str) -> None:
    from IPython.core.error import UsageError

    _, _, error = run(shell, f"%%explain --max-lines {value}\nx = torch.ones(2)\n")
    assert isinstance(error, UsageError) and "max_lines must be" in str(error) and "at least 5" in str(error)
    assert run(shell, "%%explain --max-lines 5\nx = torch.ones(2)\n")[2] is None


def test_max_lines_config_and_option_share_one_rule() -> None:
    from traitlets import TraitError

    from tensormagic.config import MAX_LINES_MIN, TensorMagic, check_max_lines

    assert check_max_lines("5") == MAX_LINES_MIN == 5
    with pytest.raises(TraitError, match="TensorMagic.max_lines must be at least 5, not 4"):
        TensorMagic(max_lines=4)
    with pytest.raises(ValueError, match="max_lines must be at least 5, not 4"):
        check_max_lines("4")


def test_counts_agree_with_their_numbers_in_english_and_chinese(shell: InteractiveShell) -> None:
    """One element, one chunk, one non-finite value, one tensor: singular forms, no "(s)"; Chinese keeps its
    full-width colon in the expanded-view label."""
    shell.run_cell("one = torch.tensor([5.0]); two = torch.tensor([1.0, float('inf'), 2.0])")
    one = plain_text(run(shell, "%tensor one")[1])
    assert "exact, over the one element in 1 chunk of at most" in one
    two = plain_text(run(shell, "%tensor two")[1])
    assert "exact, over all 3 elements in 1 chunk of at most" in two and "ignore the one non-finite value\n" in two
    assert "(s)" not in one + two
    zh = plain_text(run(shell, "%tensor --lang zh one")[1])
    assert "精确计算：唯一一个元素，分 1 块处理" in zh
    shell.run_cell("wide = torch.ones(3).expand(2, 3)")
    assert "步长为 0：同一个值" in plain_text(run(shell, "%tensor --lang zh wide")[1])
    shell.run_cell("del one, two, wide")
    shell.run_cell("pair = (torch.ones(1),)")
    assert "a tuple holding 1 tensor" in plain_text(run(shell, "%tensor pair")[1])
