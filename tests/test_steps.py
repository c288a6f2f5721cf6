"""``tensormagic.steps`` and ``%%explain --steps``: the reference examples step by step, loops kept small, no
references kept, every form (text, image, standalone page, widget), both languages, and the magic's transparency in
a real ``InteractiveShell``."""

from __future__ import annotations

import gc
import re
import sys
import weakref
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import tensormagic as tm
from tensormagic.timeline import FIRST_KEPT, LAST_KEPT, Frame, Timeline

SECTION_4 = """\
n1 = np.array([[1, 2, 3], [4, 5, 6]])
t1 = torch.from_numpy(n1)
t1[0][0] = 8888
t2 = torch.tensor(n1)
"""

TRANSPOSE_VIEW = """\
a = torch.arange(6).view(2, 3)
b = a.T
try:
    c = b.view(6)
except RuntimeError as error:
    reason = str(error)
c = b.reshape(6)
"""

CLONE = """\
x = torch.arange(4.0)
y = x.clone()
y[0] = 100.0
"""

DETACH = """\
w = torch.ones(3, requires_grad=True)
d = w.detach()
d[1] = 5.0
"""

REBIND = """\
x = torch.zeros(2)
y = x
x = x + 1
"""


def fresh() -> dict[str, Any]:
    return {"np": np, "torch": torch}


def step(timeline: Timeline, number: int) -> Frame:
    frame = timeline.frame_at(number)
    assert frame is not None, f"step {number} was not kept"
    return frame


def test_section_4_walk_shares_one_box_then_copies() -> None:
    timeline = tm.steps(SECTION_4, fresh())
    assert [f.line for f in timeline.frames] == [1, 2, 3, 4]
    assert timeline.steps_total == 4 and not timeline.skipped and not timeline.warnings
    first = step(timeline, 1)
    n1 = first.block("n1")
    assert n1 is not None and n1.kind == "ndarray" and n1.new and n1.values == [[1, 2, 3], [4, 5, 6]]
    assert first.storages[n1.storage].new and first.storages[n1.storage].values == (1, 2, 3, 4, 5, 6)  # type: ignore[index]

    second = step(timeline, 2)
    t1, n1 = second.block("t1"), second.block("n1")
    assert t1 is not None and n1 is not None
    assert t1.storage == n1.storage and not t1.new  # from_numpy: no new memory, the array's boxes
    assert t1.covered == n1.covered == (0, 1, 2, 3, 4, 5)
    assert second.shares("t1", "n1")

    third = step(timeline, 3)
    t1, n1 = third.block("t1"), third.block("n1")
    assert t1 is not None and n1 is not None and t1.storage == n1.storage
    memory = third.storages[t1.storage]  # type: ignore[index]
    assert memory.values is not None and memory.values[0] == 8888 and memory.written == (0,)
    assert t1.values == n1.values == [[8888, 2, 3], [4, 5, 6]]
    assert t1.written and n1.written
    assert third.changed_via == {"n1": ("t1",)}  # n1 is not on the line: it changed through the memory it shares

    fourth = step(timeline, 4)
    t2, t1 = fourth.block("t2"), fourth.block("t1")
    assert t2 is not None and t1 is not None
    assert t2.storage != t1.storage and t2.new and fourth.storages[t2.storage].new  # type: ignore[index]
    assert t2.values == [[8888, 2, 3], [4, 5, 6]] and not fourth.shares("t2", "t1")
    assert not any(b.written for b in fourth.blocks.values())


def test_transpose_then_view_error_then_reshape_copy() -> None:
    timeline = tm.steps(TRANSPOSE_VIEW, fresh())
    transposed = step(timeline, 2)
    a, b = transposed.block("a"), transposed.block("b")
    assert a is not None and b is not None
    assert b.storage == a.storage and b.shape == (3, 2) and b.strides == (1, 3) and not b.contiguous
    assert b.covered == (0, 1, 2, 3, 4, 5)
    assert b.order == (0, 2, 4, 1, 3, 5)  # box 1 holds b's third element (b[1, 0]): the transpose walks memory
    assert b.values == [[0, 3], [1, 4], [2, 5]]
    failed = next(f for f in timeline.frames if f.source.strip() == "c = b.view(6)")
    assert failed.error is not None and failed.error.startswith("RuntimeError: view size is not compatible")
    assert "c" not in failed.names
    reshaped = timeline.frames[-1]
    c = reshaped.block("c")
    assert c is not None and c.new and c.storage != a.storage and c.values == [0, 3, 1, 4, 2, 5]


def test_clone_owns_its_memory() -> None:
    timeline = tm.steps(CLONE, fresh())
    cloned = step(timeline, 2)
    x, y = cloned.block("x"), cloned.block("y")
    assert x is not None and y is not None and y.new and y.storage != x.storage
    written = step(timeline, 3)
    x, y = written.block("x"), written.block("y")
    assert x is not None and y is not None
    assert y.written and not x.written and x.values == [0.0, 1.0, 2.0, 3.0] and y.values == [100.0, 1.0, 2.0, 3.0]
    assert written.changed_via == {}


def test_detach_shares_memory_without_grad() -> None:
    timeline = tm.steps(DETACH, fresh())
    detached = step(timeline, 2)
    w, d = detached.block("w"), detached.block("d")
    assert w is not None and d is not None
    assert w.requires_grad and not d.requires_grad and d.storage == w.storage and not d.new
    written = step(timeline, 3)
    assert written.block("w").values == [1.0, 5.0, 1.0]  # type: ignore[union-attr]
    assert written.changed_via == {"w": ("d",)}


def test_rebinding_moves_the_arrow_not_the_memory() -> None:
    timeline = tm.steps(REBIND, fresh())
    alias = step(timeline, 2)
    assert alias.names["x"] == alias.names["y"]
    rebound = step(timeline, 3)
    assert rebound.names["x"] != rebound.names["y"]
    assert rebound.names["y"] == alias.names["y"]  # y still refers to the first tensor
    x, y = rebound.block("x"), rebound.block("y")
    assert x is not None and y is not None and x.new and not y.new and x.storage != y.storage
    assert x.values == [1.0, 1.0] and y.values == [0.0, 0.0]


def test_in_place_through_an_alias_says_it_is_the_same_object() -> None:
    timeline = tm.steps("x = torch.zeros(3)\ny = x\nx.add_(1)\n", fresh())
    frame = timeline.frames[-1]
    assert frame.changed_via == {"y": ("x",)}
    assert "another name for x" in timeline.text()


def test_loop_keeps_first_and_last_runs_and_counts_the_rest() -> None:
    source = "x = torch.zeros(4)\ntotal = torch.zeros(4)\nfor i in range(2000):\n    x = x * 0.5 + 1\n    total += x\n"
    namespace = fresh()
    timeline = tm.steps(source, namespace)
    assert timeline.steps_total == 2 + 2001 + 2000 + 2000
    assert timeline.executions == {1: 1, 2: 1, 3: 2001, 4: 2000, 5: 2000}
    kept = FIRST_KEPT + LAST_KEPT
    assert len(timeline.frames) == 2 + 3 * kept  # bounded, whatever the number of iterations
    assert timeline.skipped == {3: 2001 - kept, 4: 2000 - kept, 5: 2000 - kept}
    assert [f.execution for f in timeline.frames if f.line == 4] == [1, 2, 3, 1999, 2000]
    last = timeline.frames[-1]
    assert last.step == timeline.steps_total and last.line == 3  # the loop's header, finding the range exhausted
    total = last.block("total")
    assert total is not None and total.values == pytest.approx(namespace["total"].tolist())
    body = [f for f in timeline.frames if f.line == 5]
    assert all(f.block("total").written for f in body)  # type: ignore[union-attr]
    assert "1,996 runs of line 3 not kept" in timeline.text()


def test_multi_line_statements_are_one_step() -> None:
    source = "x = torch.tensor(\n    [1, 2,\n     3]\n)\ny = (x\n     + 1)\n"
    timeline = tm.steps(source, fresh())
    assert [(f.step, f.line) for f in timeline.frames] == [(1, 1), (2, 5)]
    assert timeline.frames[0].source.startswith("x = torch.tensor(")


def test_keeps_no_reference_to_user_tensors() -> None:
    namespace = fresh()
    source = SECTION_4 + TRANSPOSE_VIEW + DETACH + "big = torch.ones(1000)\nv = big[::10]\nbig.add_(1)\n"
    timeline = tm.steps(source, namespace)
    refs = [
        weakref.ref(value) for value in namespace.values() if isinstance(value, torch.Tensor | np.ndarray)
    ]
    storages = [weakref.ref(v.untyped_storage()) for v in namespace.values() if isinstance(v, torch.Tensor)]
    assert len(refs) >= 9
    namespace.clear()
    gc.collect()
    assert all(r() is None for r in refs + storages)
    assert len(timeline.frames) > 10  # the timeline lives on, with copies of small values only


def test_exception_propagates_unchanged_with_the_timeline_attached() -> None:
    namespace = fresh()
    with pytest.raises(RuntimeError, match="view size is not compatible") as raised:
        tm.steps("a = torch.arange(6).view(2, 3)\nb = a.T.view(6)\n", namespace)
    timeline = raised.value.tensormagic_timeline  # type: ignore[attr-defined]
    assert timeline.error.startswith("RuntimeError")
    assert timeline.frames[-1].error.startswith("RuntimeError")
    frames = []
    tb = raised.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    # The caller, our one frame (``steps`` re-raising), then straight the user's code, as under exec().
    assert frames[1].endswith("run.py") and frames[2].startswith("<tensormagic-steps-") and len(frames) == 3
    assert "a" in namespace and "b" not in namespace
    with pytest.raises(SyntaxError):
        tm.steps("x = (", fresh())


def test_same_results_and_random_state_as_exec() -> None:
    source = "torch.manual_seed(3)\nr = torch.rand(3)\nn = np.random.default_rng(0).standard_normal(2)\ns = r * 2\n"
    plain, stepped = fresh(), fresh()
    exec(compile(source, "<plain>", "exec"), plain)
    after_plain = torch.get_rng_state()
    tm.steps(source, stepped)
    assert torch.equal(torch.get_rng_state(), after_plain)
    for name in ("r", "n", "s"):
        assert np.array_equal(np.asarray(plain[name]), np.asarray(stepped[name]))


def test_an_existing_tracer_keeps_running_and_is_restored() -> None:
    seen: list[tuple[str, int]] = []

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename.startswith("<tensormagic-steps-"):
            seen.append((event, frame.f_lineno))
            return tracer
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        timeline = tm.steps("x = torch.ones(2)\nx.add_(1)\n", fresh())
    finally:
        restored = sys.gettrace()
        sys.settrace(previous)
    assert restored is tracer
    assert ("line", 1) in seen and ("line", 2) in seen
    assert [f.line for f in timeline.frames] == [1, 2]


def test_odd_tensors_and_arrays_are_drawn_or_said() -> None:
    source = (
        "meta = torch.ones(1000, 1000, device='meta')\n"
        "empty = torch.empty(0)\n"
        "sparse = torch.eye(3).to_sparse()\n"
        "nested = torch.nested.nested_tensor([torch.ones(2), torch.ones(3)])\n"
        "half = torch.tensor([1.5, -2.0], dtype=torch.bfloat16)\n"
        "conj = torch.tensor([1 + 2j, 3 - 1j]).conj()\n"
        "flags = torch.tensor([True, False])\n"
        "scalar = torch.tensor(7)\n"
        "wide = torch.arange(3.0).expand(4, 3)\n"
        "back = np.arange(5)[::-1]\n"
        "big = torch.zeros(2000)\n"
        "with torch.inference_mode():\n"
        "    inf = torch.ones(2)\n"
    )
    timeline = tm.steps(source, fresh())
    frame = timeline.frames[-1]
    assert frame.block("meta").layout == "meta" and frame.block("meta").storage is None  # type: ignore[union-attr]
    assert frame.block("empty").storage is None and frame.block("empty").numel == 0  # type: ignore[union-attr]
    assert frame.block("sparse").layout == "sparse"  # type: ignore[union-attr]
    assert frame.block("nested").layout == "nested"  # type: ignore[union-attr]
    assert frame.block("half").values == [1.5, -2.0]  # type: ignore[union-attr]
    assert frame.block("conj").values == [1 - 2j, 3 + 1j]  # type: ignore[union-attr]  # the view's values
    assert frame.block("flags").values == [True, False]  # type: ignore[union-attr]
    assert frame.block("scalar").values == 7 and frame.block("scalar").shape == ()  # type: ignore[union-attr]
    wide = frame.block("wide")
    assert wide is not None and wide.strides == (0, 1) and wide.covered == (0, 1, 2) and wide.numel == 12
    assert wide.values == [[0.0, 1.0, 2.0]] * 4
    back = frame.block("back")
    assert back is not None and back.strides == (-1,) and back.values == [4, 3, 2, 1, 0]
    big = frame.block("big")
    assert big is not None and big.values is None and big.span == (0, 1999)
    assert frame.block("inf").values == [1.0, 1.0]  # type: ignore[union-attr]
    text = timeline.text()
    assert "meta tensor: shape and dtype only, no memory" in text
    assert "more than 64 elements: values not shown" in text
    assert not timeline.warnings
    for index in range(len(timeline.frames)):
        assert timeline.svg(index).startswith("<svg")


def test_writes_to_large_memory_are_seen_through_any_name() -> None:
    source = "n = np.zeros(500)\nt = torch.from_numpy(n)\nn[7] = 1.0\nv = t[100:110]\nt[105] = 2.0\n"
    timeline = tm.steps(source, fresh())
    numpy_write = step(timeline, 3)
    assert numpy_write.block("n").written and numpy_write.block("t").written  # type: ignore[union-attr]
    assert numpy_write.changed_via == {"t": ("n",)}
    view_write = step(timeline, 5)
    assert view_write.block("v").written and view_write.block("v").values[5] == 2.0  # type: ignore[union-attr,index]
    assert view_write.changed_via == {"n": ("t",), "v": ("t",)}


def test_memory_too_large_to_read_is_followed_by_version_counters() -> None:
    source = "huge = torch.zeros(5_000_000)\nalias = huge[:10]\nhuge.add_(1)\nn = huge.numpy()\nn[0] = 5\n"
    timeline = tm.steps(source, fresh())
    torch_write = step(timeline, 3)
    huge, alias = torch_write.block("huge"), torch_write.block("alias")
    assert huge is not None and alias is not None
    assert huge.written and not huge.exact and huge.values is None  # 20 MB: not read, the version counter moved
    assert alias.written and alias.exact and alias.values == [1.0] * 10  # small: its own elements are read
    numpy_write = step(timeline, 5)
    assert not numpy_write.block("huge").written  # type: ignore[union-attr]  # NumPy moves no torch counter...
    assert numpy_write.block("alias").written  # type: ignore[union-attr]  # ...but alias's ten elements are read
    assert "writes seen through torch's version counter only" in timeline.text()


def test_text_lists_every_kept_step_as_a_table() -> None:
    text = tm.steps(SECTION_4, fresh()).text()
    assert text.splitlines()[0] == "%%explain --steps · 4 steps on 4 lines"
    assert "── step 3 of 4 · line 3 ──  t1[0][0] = 8888" in text
    assert "memory s1 · 6 elements of int64 · 48 B:  [8888] 2 3 4 5 6" in text
    assert "changed at this step without being named on this line: it shares memory with t1" in text


def test_chinese_timeline() -> None:
    timeline = tm.steps(SECTION_4, fresh(), language="zh")
    text = timeline.text()
    assert text.splitlines()[0] == "%%explain --steps · 共 4 步，涉及 4 行"
    assert "第 3 步（共 4 步）" in text
    assert "这一行没有提到它，但它的值在这一步变了：它与 t1 共享内存" in text
    assert "NumPy 数组" in text
    assert "这一步第一次出现" in timeline.svg(0) or "新" in timeline.svg(0)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links.extend(value or "" for key, value in attrs if key in ("src", "href", "xlink:href", "action"))


def test_standalone_page_needs_no_network(tmp_path: Path) -> None:
    timeline = tm.steps(SECTION_4 + "t1 += 1\n", fresh())
    path = timeline.save_html(tmp_path / "steps.html")
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", page, re.IGNORECASE)  # no external URL at all
    parser = _Links()
    parser.feed(page)
    assert all(link.startswith(("#", "data:")) for link in parser.links), parser.links
    assert "link" not in parser.tags and parser.tags.count("script") == 2  # the data and the inline script
    assert page.count('"svg": "<svg') == len(timeline.frames) == 5
    assert 'type="range"' in page and 'max="4"' in page


def test_static_bundle_survives_sanitizing() -> None:
    bundle = tm.steps(SECTION_4, fresh())._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "image/svg+xml"}
    assert bundle["image/svg+xml"].startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert '<img src="data:image/svg+xml;base64,' in bundle["text/html"]
    assert "<script" not in bundle["text/html"] and "<style" not in bundle["text/html"]
    assert "<svg" not in bundle["text/html"]  # stripped from untrusted notebooks: the drawing is an image instead


def test_svg_marks_written_boxes_and_escapes_names() -> None:
    timeline = tm.steps(SECTION_4, fresh())
    drawing = timeline.svg(2, standalone=False)
    assert drawing.count('class="tm-steps-box tm-steps-written"') == 1
    assert 'data-box="0"' in drawing and ">8888<" in drawing
    assert 'class="tm-steps-name tm-steps-via" data-name="n1"' in drawing
    assert 'class="tm-steps-name tm-steps-written" data-name="t1"' in drawing
    odd = tm.steps("a_b = torch.ones(2)\n", fresh())
    assert "<script" not in odd.svg(0)


def test_i18n_steps_catalog_counts_agree() -> None:
    from tensormagic.i18n import message

    assert message("steps.title", "en", steps=1, lines=1) == "%%explain --steps · 1 step on 1 line"
    assert message("steps.title", "en", steps=12000, lines=3) == "%%explain --steps · 12,000 steps on 3 lines"
    assert message("steps.skipped", "en", count=1, line=3, first=3, last=2).startswith("… 1 run of line 3")
    assert message("steps.memory_size", "en", count=1, dtype="int64", size="8 B") == "1 element of int64 · 8 B"
    assert message("steps.written_boxes", "zh", count=2) == "这一步写入了 2 个格子"


# -- the magic ------------------------------------------------------------------------------------------------------
def _run(ip: InteractiveShell, source: str) -> tuple[str, str, list[dict[str, Any]], Any]:
    with capture_output() as captured:
        result = ip.run_cell(source, store_history=True)
    return captured.stdout, captured.stderr, [o.data for o in captured.outputs], result


def test_magic_shows_the_timeline_widget_with_fallbacks(shell: InteractiveShell) -> None:
    stdout, stderr, outputs, result = _run(shell, "%%explain --steps\n" + SECTION_4 + "t2")
    assert result.success and stderr == ""
    assert "Out[" in stdout and "8888" in stdout  # the cell's own value, displayed once, as without the magic
    assert len(outputs) == 1
    bundle = outputs[0]
    assert {"application/vnd.jupyter.widget-view+json", "text/plain", "text/html", "image/svg+xml"} <= set(bundle)
    assert bundle["text/plain"].startswith("%%explain --steps · 5 steps on 5 lines")
    timeline = shell.magics_manager.registry["TensorMagics"].last_timeline  # type: ignore[attr-defined]
    assert step(timeline, 3).block("n1").values[0][0] == 8888  # type: ignore[index,union-attr]


def test_magic_is_transparent(shell: InteractiveShell) -> None:
    source = "torch.manual_seed(0)\nx = torch.rand(3)\ny = x.clone()\nprint('sum', round(float(x.sum()), 4))\ny;"
    plain_out, plain_err, _, _ = _run(shell, source)
    plain_x, plain_state = shell.user_ns["x"].clone(), torch.get_rng_state()
    steps_out, steps_err, outputs, result = _run(shell, "%%explain --steps\n" + source)
    assert steps_out == plain_out and steps_err == plain_err == ""
    assert torch.equal(shell.user_ns["x"], plain_x) and torch.equal(torch.get_rng_state(), plain_state)
    assert len(outputs) == 1 and result.success


def test_magic_failing_cell_fails_and_shows_steps_up_to_the_error(shell: InteractiveShell) -> None:
    count = shell.execution_count
    stdout, _, outputs, result = _run(shell, "%%explain --steps\na = torch.arange(6).view(2, 3)\na.T.view(6)")
    assert not result.success and isinstance(result.error_in_exec, RuntimeError)
    assert f"In[{count}]" in stdout and "view size is not compatible" in stdout
    timeline = shell.magics_manager.registry["TensorMagics"].last_timeline  # type: ignore[attr-defined]
    assert timeline.frames[-1].error.startswith("RuntimeError")
    assert outputs and "this line raised RuntimeError" in outputs[0]["text/plain"]


def test_magic_keeps_no_reference(shell: InteractiveShell) -> None:
    _run(shell, "%%explain --steps\n" + SECTION_4 + "v = t1[0]\nbig = torch.ones(10000)")
    refs = [weakref.ref(shell.user_ns[n]) for n in ("n1", "t1", "t2", "v", "big")]
    for name in ("n1", "t1", "t2", "v", "big"):
        del shell.user_ns[name]
    shell.history_manager.output_hist.clear()
    gc.collect()
    assert all(r() is None for r in refs)


def test_magic_in_chinese_and_unknown_option(shell: InteractiveShell) -> None:
    _, _, outputs, _ = _run(shell, "%%explain --steps --lang zh\n" + SECTION_4)
    assert outputs[0]["text/plain"].startswith("%%explain --steps · 共 4 步")
    _, stderr, _, _ = _run(shell, "%%explain --stepz\nx = 1")
    assert "UsageError" in stderr or "unrecognized" in stderr


def test_magic_syntax_error_shows_only_the_error(shell: InteractiveShell) -> None:
    stdout, stderr, outputs, result = _run(shell, "%%explain --steps\nx = (")
    plain_out, plain_err, _, _ = _run(shell, "x = (")
    assert not result.success and isinstance(result.error_in_exec or result.error_before_exec, SyntaxError)
    assert outputs == [] and stderr == plain_err
    assert re.sub(r"In\[\d+\]|line \d+", "", stdout) == re.sub(r"In\[\d+\]|line \d+", "", plain_out)


def test_a_cell_that_sets_its_own_tracer_is_said(shell: InteractiveShell) -> None:
    _, stderr, outputs, result = _run(shell, "%%explain --steps\nimport sys\nx = torch.ones(1)\nsys.settrace(None)\n"
                                              "y = x + 1")
    assert result.success and torch.equal(shell.user_ns["y"], torch.tensor([2.0]))
    assert "the cell replaced the line tracer" in outputs[0]["text/plain"]
    assert sys.gettrace() is None


def test_our_fault_is_one_warning_line(shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch) -> None:
    from tensormagic.timeline import recorder

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("simulated fault")

    monkeypatch.setattr(recorder.StepRecorder, "_record", broken)
    stdout, stderr, outputs, result = _run(shell, "%%explain --steps\nx = torch.ones(2)\nx + 1")
    assert result.success and "Out[" in stdout and "tensor([2., 2.])" in stdout
    assert stderr.count("\n") == 1 and "timeline is incomplete (ValueError: simulated fault)" in stderr
    assert torch.equal(shell.user_ns["x"], torch.ones(2))
