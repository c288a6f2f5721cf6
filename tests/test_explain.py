"""``%%explain`` in a real ``InteractiveShell``: transparency (stdout, displayed value, namespace, exceptions,
tracebacks, random numbers, memory), robustness (our faults become one warning line), bounded output,
loops, shape errors, HTML, unloading, and the ``tensormagic.explain`` API."""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
import textwrap
import warnings
from typing import Any

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import tensormagic as tm
from tensormagic.explanation import Explanation

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def clear(ip: InteractiveShell) -> None:
    for name in [n for n in ip.user_ns if not n.startswith("_") and n not in ip.user_ns_hidden]:
        if name not in ("torch", "np"):
            del ip.user_ns[name]


def user_vars(ip: InteractiveShell) -> dict[str, Any]:
    return {
        n: v
        for n, v in ip.user_ns.items()
        if not n.startswith("_") and n not in ip.user_ns_hidden and n not in ("torch", "np", "In", "Out")
    }


def run(ip: InteractiveShell, source: str) -> tuple[str, str, list[dict], Any]:
    with capture_output() as captured:
        result = ip.run_cell(source, store_history=False)
    return captured.stdout, captured.stderr, [o.data for o in captured.outputs], result


def last(ip: InteractiveShell) -> Explanation:
    return ip.magics_manager.registry["TensorMagics"].last_explanation  # type: ignore[no-any-return]


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if callable(a):
        return type(a) is type(b)
    return bool(a == b)


def compare(ip: InteractiveShell, cell: str, seed: int = 0) -> tuple[tuple, tuple]:
    """Run ``cell`` plainly and under ``%%explain`` from the same state; return both observations."""
    observed = []
    for source in (cell, "%%explain\n" + cell):
        clear(ip)
        torch.manual_seed(seed)
        np.random.seed(seed)
        stdout, stderr, bundles, result = run(ip, source)
        error = result.error_in_exec
        observed.append(
            (
                ANSI.sub("", stdout),
                [b for b in bundles if "tensormagic-explanation" not in b.get("text/html", "")],
                user_vars(ip),
                (type(error), str(error)) if error is not None else None,
                torch.get_rng_state(),
            )
        )
    return observed[0], observed[1]


CELL = """\
import math
n1 = np.array([[1, 2, 3], [4, 5, 6]])
t1 = torch.from_numpy(n1)
t1[0][0] = 8888
t2 = torch.IntTensor([[1.1, 2, 3.7], [4, 5, 6]])
x = torch.rand(5, 4)
k = torch.randint(0, 10, (2, 3))
d = torch.nn.functional.dropout(torch.ones(8), p=0.5)
s = x.sum(dim=0)
print("sum:", s)
def helper(a):
    return (a @ a.T).mean()
m = helper(x).item()
print(f"m={m:.4f}", math.pi)
t1 * 2
"""


def test_transparent_stdout_value_namespace_rng(shell: InteractiveShell) -> None:
    plain, explained = compare(shell, CELL, seed=3)
    assert explained[0] == plain[0]  # stdout, including the displayed Out[] value
    assert "sum: tensor(" in plain[0] and "tensor([[17776," in plain[0]
    assert explained[1] == plain[1]  # other displayed bundles (none here)
    assert plain[2].keys() == explained[2].keys()
    for name, value in plain[2].items():
        assert same_value(value, explained[2][name]), name
    assert explained[3] is None and plain[3] is None
    assert torch.equal(plain[4], explained[4])  # the random stream continues identically
    codes = last(shell).codes()
    assert {"shares-memory", "in-place", "dtype-change", "rng", "reduce-dim", "matmul-shape", "item"} <= codes


def test_transparent_exception_and_traceback(shell: InteractiveShell) -> None:
    cell = "a = torch.ones(2, 3)\nprint('before')\nb = a @ a\nprint('never')\n"
    plain, explained = compare(shell, cell)
    assert plain[3] is not None and plain[3][0] is RuntimeError
    assert explained[3] == plain[3]  # the outer cell fails too, with the same exception
    assert explained[0] == plain[0]  # identical traceback text: no tensormagic frames
    assert "tensormagic" not in explained[0] and "record" not in explained[0]
    assert "b = a @ a" in explained[0] and "\nnever" not in explained[0]
    e = last(shell)
    assert e.error is not None and e.error.startswith("RuntimeError")
    (matmul,) = e.find("Tensor.__matmul__")
    note = next(n for n in matmul.notes if n.code == "shape-error")
    assert (note.params["a"], note.params["b"], note.params["k1"], note.params["k2"]) == ("(2, 3)", "(2, 3)", 3, 2)
    assert shell.last_execution_succeeded is False


@pytest.mark.parametrize(
    ("cell", "error_type"),
    [
        ("x = torch.ones(3)\nx.undefined_method()", AttributeError),
        ("raise KeyError('boom')", KeyError),
        ("torch.tensor([1, 2]).item()", RuntimeError),
        ("torch.cat([torch.ones(2, 3), torch.ones(2, 4)], dim=0)", RuntimeError),
        ("torch.arange(6).view(4)", RuntimeError),
        ("torch.ones(2, 3) * torch.ones(4)", RuntimeError),
        ("def f(t):\n    return t.T.view(6)\nf(torch.ones(2, 3))", RuntimeError),
        ("10 - torch.ones(2, 3) @ torch.ones(2)", RuntimeError),
    ],
)
def test_errors_keep_type_message_and_traceback(shell: InteractiveShell, cell: str, error_type: type) -> None:
    plain, explained = compare(shell, cell)
    assert plain[3] is not None and plain[3][0] is error_type
    assert explained[3] == plain[3]
    assert explained[0] == plain[0]


def test_shape_errors_are_explained(shell: InteractiveShell) -> None:
    checks = {
        "torch.ones(2, 3) * torch.ones(4)": ("Tensor.__mul__", "note.error.broadcast", {"x": 3, "y": 4, "axis": -1}),
        "torch.cat([torch.ones(2, 3), torch.ones(2, 4)], dim=0)": (
            "torch.cat",
            "note.error.cat",
            {"axis": 1, "sizes": "3 vs 4", "shapes": "(2, 3), (2, 4)"},
        ),
        "torch.arange(6).view(4)": ("Tensor.view", "note.error.view", {"need": 4, "have": 6, "shape": "(6,)"}),
        "torch.ones(2, 3).T.view(6)": ("Tensor.view", "note.error.view_layout", {}),
        "torch.tensor([1, 2]).item()": ("Tensor.item", "note.item.error", {"count": 2, "shape": "(2,)"}),
    }
    for cell, (name, key, params) in checks.items():
        _, _, bundles, result = run(shell, "%%explain\n" + cell)
        assert result.error_in_exec is not None
        (found,) = last(shell).find(name)
        note = next(n for n in found.notes if n.key == key)
        assert note.code in ("shape-error", "item")
        assert {k: note.params[k] for k in params} == params, (cell, note.params)
        assert any("tensormagic-explanation" in b.get("text/html", "") for b in bundles)


def test_bang_lines_and_magics_still_work(shell: InteractiveShell) -> None:
    stdout, _, _, result = run(shell, "%%explain\nt = torch.ones(2)\n!echo from-the-shell\n%time u = t + 1\nprint(u)")
    assert result.error_in_exec is None
    assert "from-the-shell" in stdout and "Wall time" in stdout and "tensor([2., 2.])" in stdout
    assert torch.equal(shell.user_ns["u"], torch.full((2,), 2.0))
    assert last(shell).find("torch.ones")


def test_displayed_value_once_and_history(shell: InteractiveShell) -> None:
    with capture_output() as plain:
        shell.run_cell("torch.arange(3)", store_history=True)
    with capture_output() as explained:
        shell.run_cell("%%explain\ntorch.arange(3)", store_history=True)
    count = shell.execution_count
    assert explained.stdout.count("tensor([0, 1, 2])") == 1  # shown once, not twice
    assert f"Out[{count - 1}]" in explained.stdout and "Out[" in plain.stdout
    assert torch.equal(shell.user_ns["_"], torch.arange(3))
    assert torch.equal(shell.user_ns["Out"][count - 1], torch.arange(3))


def test_keeps_no_reference_to_user_tensors(shell: InteractiveShell) -> None:
    _, _, _, result = run(
        shell,
        "%%explain\nimport weakref\nbig = torch.ones(1000)\nview = big[2:]\nring = weakref.ref(big)\n"
        "n = big.numpy()\nbig.add_(1)\ndel big, view, n",
    )
    assert result.error_in_exec is None
    gc.collect()
    assert shell.user_ns["ring"]() is None  # nothing in tensormagic kept the tensor alive
    e = last(shell)
    for call in e.calls:  # results are facts, not tensors
        assert call.result is None or not isinstance(call.result, torch.Tensor)


PEAK_SCRIPT = textwrap.dedent(
    """
    import json, sys, threading, time
    import psutil, torch
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    shell.run_cell("%load_ext tensormagic")
    shell.run_cell("import torch")
    shell.run_cell("%%explain\\nw = torch.ones(4) * 2")  # warm up both paths before measuring
    cell = "for i in range(6):\\n    a = torch.ones(25_000_000)\\n    b = a * 2\\n    c = b.sum()\\n    del a, b\\n"
    process = psutil.Process()
    before = process.memory_info().rss
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], process.memory_info().rss)
            time.sleep(0.0005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    shell.run_cell(("%%explain\\n" if sys.argv[1] == "explain" else "") + cell)
    done.set()
    sampler.join()
    print(json.dumps({"grew": peak[0] - before}))
    """
)


def test_peak_memory_same_with_and_without_explain() -> None:
    grew = {}
    for mode in ("plain", "explain"):
        out = subprocess.run(
            [sys.executable, "-c", PEAK_SCRIPT, mode], capture_output=True, text=True, check=True, timeout=300
        )
        grew[mode] = json.loads(out.stdout.strip().splitlines()[-1])["grew"]
    mb = 1 << 20
    # Each iteration holds 200 MB (a and b); keeping references would grow to 6 x 200 MB.
    assert grew["plain"] > 150 * mb
    assert grew["explain"] <= grew["plain"] * 1.15 + 30 * mb, {k: v // mb for k, v in grew.items()}


def test_loop_is_one_step_with_count_and_shapes(shell: InteractiveShell) -> None:
    run(shell, "%%explain\nfor i in range(10_000):\n    y = torch.zeros(i % 7 + 1)\n")
    e = last(shell)
    (zeros,) = e.find("torch.zeros")
    assert zeros.count == 10_000 and zeros.first_shape == (1,) and zeros.last_shape == (9_999 % 7 + 1,)
    assert len(e.steps) == 1 and "×10,000" in str(e)


def test_calls_in_functions_from_elsewhere_map_to_the_calling_line(shell: InteractiveShell) -> None:
    shell.run_cell("def make(n):\n    return torch.arange(n).view(1, n)\n")  # defined in another cell
    run(shell, "%%explain\nfirst = 1\ngrid = make(4)\n")
    e = last(shell)
    assert [step.line for step in e.steps] == [2]
    assert {c.name for c in e.steps[0].calls} == {"torch.arange", "Tensor.view"}


def test_output_is_bounded(shell: InteractiveShell) -> None:
    cell = "\n".join(f"v{i} = torch.arange({i + 1}).float().sum(dim=0)" for i in range(40))
    stdout, _, bundles, _ = run(shell, "%%explain --max-lines 12\n" + cell)
    e = last(shell)
    text = str(e).splitlines()
    assert len(text) <= 12
    assert "more lines not shown" in text[-1]
    html = next(b["text/html"] for b in bundles if "tensormagic-explanation" in b.get("text/html", ""))
    assert "more lines not shown" in html


def test_fault_inside_tensormagic_is_one_warning_line(shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch) -> None:
    import tensormagic.notes.build as build
    import tensormagic.record.recorder as recorder
    from tensormagic.notes import Rule

    def broken_rule(ctx: Any) -> list:
        raise ValueError("rule exploded")

    monkeypatch.setattr(build, "rules_for", lambda op, raised: (Rule(broken_rule, 0, None, ()),))
    stdout, stderr, bundles, result = run(shell, "%%explain\nt = torch.ones(3)\nprint(t.sum())")
    assert result.error_in_exec is None and "tensor(3.)" in stdout
    e = last(shell)
    assert len(e.warnings) == 1 and "explanation incomplete" in e.warnings[0] and "rule exploded" in e.warnings[0]
    monkeypatch.undo()

    def broken_summary(value: Any, depth: int = 0) -> Any:
        raise RuntimeError("summary exploded")

    monkeypatch.setattr(recorder, "summarize", broken_summary)
    stdout, stderr, bundles, result = run(shell, "%%explain\nt = torch.ones(3) * 2\nprint(t)")
    assert result.error_in_exec is None and "tensor([2., 2., 2.])" in stdout
    assert torch.equal(shell.user_ns["t"], torch.full((3,), 2.0))
    assert any("explanation incomplete" in w for w in last(shell).warnings)


def test_html_escapes_source_and_shows_badges(shell: InteractiveShell) -> None:
    run(shell, "%%explain\nlabel = '<b>x</b>'; t = torch.arange(0, 10, 2)")
    bundle = last(shell)._repr_mimebundle_()
    assert "<b>x</b>" not in bundle["text/html"] and "&lt;b&gt;x&lt;/b&gt;" in bundle["text/html"]
    assert ">half-open</span>" in bundle["text/html"]
    assert "arange" in bundle["text/plain"]


def test_chinese_and_english_from_one_run(shell: InteractiveShell) -> None:
    run(shell, "%%explain --lang zh\nt = torch.tensor([1.5, 2.5]).int()")
    e = last(shell)
    assert e.language == "zh" and "截断" in str(e)
    assert "truncated toward zero" in str(e.in_language("en"))


def test_unload_removes_the_magic_and_hooks(shell: InteractiveShell) -> None:
    before = {event: list(callbacks) for event, callbacks in shell.events.callbacks.items()}
    run(shell, "%%explain\nt = torch.ones(1)")
    run(shell, "%%explain\nraise ValueError('fails')")
    # no event hook of ours outlives the cell that needed it
    assert {event: list(callbacks) for event, callbacks in shell.events.callbacks.items()} == before
    shell.run_line_magic("unload_ext", "tensormagic")
    assert "explain" not in shell.magics_manager.magics["cell"]
    shell.run_line_magic("load_ext", "tensormagic")  # the fixture unloads again


def test_api_returns_explanation_and_reraises() -> None:
    namespace: dict[str, Any] = {"torch": torch}
    e = tm.explain("a = torch.ones(2, 2)\nb = a @ torch.ones(2, 3)", namespace)
    assert isinstance(e, Explanation) and namespace["b"].shape == (2, 3)
    (matmul,) = e.find("Tensor.__matmul__")
    assert matmul.notes[0].params["result"] == "(2, 3)"
    with pytest.raises(RuntimeError, match="shapes cannot be multiplied") as caught:
        tm.explain("a = torch.ones(2, 3)\nb = a @ a", namespace)
    explanation = caught.value.tensormagic_explanation  # type: ignore[attr-defined]
    assert explanation.error.startswith("RuntimeError") and explanation.find("torch.ones")
    frames = [f.filename for f in __import__("traceback").extract_tb(caught.value.__traceback__)]
    assert not any("tensormagic/record/" in f for f in frames)


def test_in_place_through_a_view_names_the_base(shell: InteractiveShell) -> None:
    run(shell, "%%explain\na = torch.zeros(4)\nb = a[1:]\nb.add_(1)\nb += 1")
    e = last(shell)
    (add,) = e.find("Tensor.add_")
    shared = next(n for n in add.notes if n.key == "note.inplace.shared")
    assert shared.params["names"] == "a"
    (iadd,) = e.find("Tensor.__iadd__")
    assert any(n.code == "in-place" for n in iadd.notes)
    assert torch.equal(shell.user_ns["a"], torch.tensor([0.0, 2.0, 2.0, 2.0]))


def test_catalog_en_zh_complete_and_every_used_key_exists() -> None:
    import string
    from pathlib import Path

    from tensormagic.i18n import explain as catalog

    assert catalog.EN.keys() == catalog.ZH.keys()
    for key in catalog.EN:
        fields = {f for _, f, _, _ in string.Formatter().parse(catalog.EN[key]) if f}
        zh_fields = {f for _, f, _, _ in string.Formatter().parse(catalog.ZH[key]) if f}
        assert fields == zh_fields, key
    package = Path(tm.__file__).parent
    sources = [*(package / "notes").glob("*.py"), package / "render" / "explanation.py"]
    used = set()
    for path in sources:
        used |= set(re.findall(r'"((?:note|explain)\.[a-z0-9_.]+)"', path.read_text()))
    missing = sorted(key for key in used if key not in catalog.EN)
    assert not missing, missing


def test_leading_blank_lines_keep_line_numbers_right(shell: InteractiveShell) -> None:
    run(shell, "%%explain\n\n\nx = torch.ones(2)\ny = x * 3\n")
    e = last(shell)
    assert [(s.line, s.source) for s in e.steps] == [(1, "x = torch.ones(2)"), (2, "y = x * 3")]


def test_silent_failing_run_does_not_fail_the_next_cell(shell: InteractiveShell) -> None:
    with capture_output():
        shell.run_cell("%%explain\nraise ValueError('quiet')", silent=True)
        after = shell.run_cell("x = torch.ones(1)")
    assert after.error_in_exec is None and after.success


def test_in_place_inside_a_function_keeps_no_local_alive(shell: InteractiveShell) -> None:
    """Reading a function frame's f_locals would snapshot its locals: a deleted tensor would stay alive."""
    cell = (
        "import weakref\n"
        "def f():\n"
        "    n = np.zeros(4)\n"
        "    a = torch.from_numpy(n)\n"
        "    a.add_(1)\n"
        "    ring = weakref.ref(a)\n"
        "    del a\n"
        "    return ring() is None\n"
        "freed = f()\n"
    )
    plain, explained = compare(shell, cell)
    assert plain[2]["freed"] is True and explained[2]["freed"] is True
    (add,) = last(shell).find("Tensor.add_")
    shared = next(n for n in add.notes if n.key == "note.inplace.shared")
    assert shared.params["names"] == "n"  # still named, from the recorder's registry


WARNING_CELLS = [
    # C++ TORCH_WARN (stacklevel 1: the running Python frame)
    'import warnings\nwarnings.simplefilter("always")\nx = torch.tensor(torch.ones(2))\n',
    # Python warnings.warn(stacklevel=2) inside torch's Python code (a Tensor method and nn.functional)
    'import warnings\nwarnings.simplefilter("always")\nq = torch.ones(4)\nr = q.resize(2, 2)\n'
    "s = torch.nn.functional.dropout2d(torch.ones(2, 2), training=False)\n",
    # a kernel's warning under the dispatch mode (the cell mentions from_numpy)
    'import warnings\nwarnings.simplefilter("always")\nn = torch.from_numpy(np.ones(3))\n'
    "r = torch.add(n, n, out=torch.empty(1, dtype=torch.float64))\n",
    # the "default" filter warns once per location: a loop warns once, as without the magic
    'import warnings\nwarnings.simplefilter("default")\nfor _ in range(3):\n    x = torch.tensor(torch.ones(2))\n',
    # the op called from a user function defined in another cell: the warning names the function's line
    'import warnings\nwarnings.simplefilter("always")\ny = make_copy(torch.ones(2))\n',
]


@pytest.mark.parametrize("cell", WARNING_CELLS, ids=["cpp", "python", "dispatch", "default-filter", "user-function"])
def test_warnings_name_the_same_location(shell: InteractiveShell, cell: str) -> None:
    shell.run_cell("def make_copy(t):\n    return torch.tensor(t)\n", store_history=False)
    shell.user_ns_hidden["make_copy"] = shell.user_ns["make_copy"]
    stderrs = []

    def to_stderr(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
        # What Python prints by default (pytest's own warning capture would otherwise swallow it).
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    with warnings.catch_warnings():
        warnings.showwarning = to_stderr
        for source in (cell, "%%explain\n" + cell):
            _, stderr, _, result = run(shell, source)
            assert result.error_in_exec is None
            stderrs.append(stderr)
    assert "Warning" in stderrs[0] and "tensormagic/record" not in stderrs[1]
    assert stderrs[1] == stderrs[0]
    if "range(3)" in cell:
        assert stderrs[0].count("UserWarning: ") == 1


def test_recorded_warnings_same_filename_line_category_message(shell: InteractiveShell) -> None:
    cell = (
        "import warnings\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        '    warnings.simplefilter("always")\n'
        "    x = torch.tensor(torch.ones(2))\n"
        "    r = torch.ones(4).resize(2, 2)\n"
        "seen = [(w.filename, w.lineno, w.category.__name__, str(w.message)) for w in caught]\n"
        "mods = sorted(k for k in globals() if k == '__warningregistry__')\n"
    )
    plain, explained = compare(shell, cell)
    assert len(plain[2]["seen"]) == 2 and plain[2]["seen"][0][1] == 4 and plain[2]["seen"][1][1] == 5
    assert explained[2]["seen"] == plain[2]["seen"]
    assert explained[2]["mods"] == plain[2]["mods"] == ["__warningregistry__"]  # the registry is the cell's


@pytest.mark.parametrize("renderer", ["to_html", "to_text"])
def test_render_fault_is_one_warning_line(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch, renderer: str
) -> None:
    import tensormagic.render.explanation as render

    def broken(*args: Any) -> Any:
        raise RuntimeError("render exploded")

    monkeypatch.setattr(render, renderer, broken)
    for cell, error_type in (
        ("t = torch.arange(0, 10, 2)\nprint('hello')\nt * 2\n", None),
        ("a = torch.ones(2, 3)\nprint('before')\nb = a @ a\n", RuntimeError),
    ):
        clear(shell)
        plain_out, plain_err, plain_bundles, plain_result = run(shell, cell)
        clear(shell)
        stdout, stderr, bundles, result = run(shell, "%%explain\n" + cell)
        assert ANSI.sub("", stdout) == ANSI.sub("", plain_out)  # the printed text, Out[] value or traceback
        assert bundles == plain_bundles  # nothing half-rendered
        lines = stderr[len(plain_err) :].splitlines() if stderr.startswith(plain_err) else stderr.splitlines()
        assert len(lines) == 1 and "explanation incomplete" in lines[0] and "render exploded" in lines[0]
        assert "Traceback" not in stderr and "render exploded" not in stdout
        assert type(result.error_in_exec) is type(plain_result.error_in_exec)
        assert (error_type is None) == (result.error_in_exec is None)
