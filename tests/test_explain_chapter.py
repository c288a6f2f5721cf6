"""The whole course chapter (sections 3-6) under ``%%explain`` in a real shell: every call caught, named as
written, and explained with the right codes and numbers, in English and Chinese.

``CHAPTER_CELLS`` is the chapter's code rewritten as cells (the ``dmNN`` functions as the notes write
them, every function called, and the variants the notes leave commented out); the benchmark reuses it.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from tensormagic.explanation import Call, Explanation
from tensormagic.i18n import message

CHAPTER_CELLS: list[tuple[str, str]] = [
    (
        "3.2",
        """\
import torch
import numpy as np

def dm01():
    list1 = [[1., 2, 3], [4, 5, 6]]
    int1 = 10
    n1 = np.array([[1., 2., 3.], [4., 5., 6.]])
    t1 = torch.tensor(data=list1)
    t2 = torch.tensor(data=int1)
    t3 = torch.tensor(data=n1)
    print('t1的值->', t1)
    print('t1类型->', type(t1))
    print('t1元素类型->', t1.dtype)
    print('t2的值->', t2)
    print('t3的值->', t3)

def dm02():
    t1 = torch.Tensor(data=[[1.1, 1.2, 1.3], [2.2, 2.3, 2.4]])
    print('t1的值->', t1)
    t2 = torch.Tensor(size=(2, 3))
    print('t2类型->', type(t2))

def dm03():
    t1 = torch.IntTensor([[1.1, 2, 3.7], [4, 5, 6]])
    t2 = torch.FloatTensor([[1.1, 2, 3.7], [4, 5, 6]])
    print('t1的值->', t1)
    print('t1元素类型->', t1.dtype)
    print('t2的值->', t2)
    print('t2元素类型->', t2.dtype)

if __name__ == '__main__':
    dm01()
    dm02()
    dm03()
""",
    ),
    (
        "3.3",
        """\
def dm01():
    t1 = torch.arange(start=0, end=10, step=2)
    print('t1的值是->', t1)
    t2 = torch.linspace(start=0, end=9, steps=9)
    print('t2的值是->', t2)

def dm02():
    t1 = torch.rand(size=(5, 4))
    print('t1的值是->', t1)
    print('t1元素类型->', t1.dtype)
    print('t1随机种子数->', torch.initial_seed())
    torch.manual_seed(seed=66)
    t2 = torch.randint(low=0, high=10, size=(2, 3))
    print('t2的值是->', t2)
    print('t2元素类型->', t2.dtype)
    print('t2随机种子数->', torch.initial_seed())

if __name__ == '__main__':
    dm01()
    dm02()
""",
    ),
    (
        "3.4",
        """\
def dm01():
    t1 = torch.ones(size=(2, 3))
    print('t1的形状是->', t1.shape)
    t2 = torch.tensor(data=[1, 2, 3, 4, 5])
    t3 = torch.ones_like(input=t2)
    print('t3的值是->', t3)

def dm02():
    t1 = torch.zeros(size=(2, 3))
    t2 = torch.tensor(data=[1, 2, 3, 4, 5])
    t3 = torch.zeros_like(input=t2)
    print('t3的值是->', t3)

def dm03():
    t1 = torch.full(size=(2, 3, 4), fill_value=10)
    t2 = torch.tensor(data=[[1, 2], [3, 4]])
    t3 = torch.full_like(input=t2, fill_value=100)
    print('t1的形状是->', t1.shape)
    print('t3的值是->', t3)

if __name__ == '__main__':
    dm01()
    dm02()
    dm03()
""",
    ),
    (
        "3.5",
        """\
def dm01():
    t1 = torch.tensor(data=[[1., 2., 3.], [4., 5., 6.]], dtype=torch.float16)
    print('t1的元素类型->', t1.dtype)
    t2 = t1.type(dtype=torch.FloatTensor)
    t3 = t1.type(dtype=torch.int64)
    print('t2的元素类型->', t2.dtype)
    print('t3的元素类型->', t3.dtype)

def dm02():
    t1 = torch.tensor(data=[1, 2])
    t2 = t1.half()
    t2 = t1.int()
    print(t2)
    print('t2的元素类型->', t2.dtype)

if __name__ == '__main__':
    dm01()
    dm02()
""",
    ),
    (
        "4.1",
        """\
def dm01():
    t1 = torch.tensor([[1, 2, 3], [4, 5, 6]])
    n0 = t1.numpy()
    n1 = t1.numpy().copy()
    n1[0][0] = 100
    print('n1修改后->', n1)
    print('t1->', t1)

dm01()
""",
    ),
    (
        "4.2",
        """\
def dm02():
    n1 = np.array([[1, 2, 3], [4, 5, 6]])
    t1 = torch.from_numpy(n1)
    t2 = torch.from_numpy(n1.copy())
    t3 = torch.tensor(data=n1)
    print('t1类型->', type(t1))
    t1[0][0] = 8888
    print('t1修改后->', t1)
    print('n1->', n1)

dm02()
""",
    ),
    (
        "4.3",
        """\
def dm01():
    t1 = torch.tensor(data=10)
    t2 = torch.tensor(data=[10])
    t3 = torch.tensor(data=[[10]])
    print('t1形状->', t1.shape)
    print('t1.item()->', t1.item())
    print('t2.item()->', t2.item(), t3.item())

dm01()
""",
    ),
    (
        "5.1",
        """\
def dm01():
    t1 = torch.tensor(data=[1, 2, 3, 4])
    t2 = t1 + 10
    print('t2->', t2)
    t3 = t1 + t2
    print('t3->', t3)
    t1.add(other=100)
    t4 = torch.add(input=t1, other=100)
    print('t4->', t4)
    t5 = t1.neg_()
    print('t1->', t1)
    print('t5->', t5)

dm01()
""",
    ),
    (
        "5.2",
        """\
def dm01():
    t1 = torch.tensor(data=[1, 2])
    t2 = torch.tensor(data=[[5, 6], [7, 8]])
    t3 = t1 * t2
    print('t3->', t3)
    t4 = torch.mul(input=t1, other=t2)
    print('t4->', t4)

dm01()
""",
    ),
    (
        "5.3",
        """\
def dm01():
    t1 = torch.tensor(data=[[1, 2], [3, 4]])
    t2 = torch.tensor(data=[[5, 6, 7], [8, 9, 10]])
    t3 = t1 @ t2
    print('t3->', t3)
    t4 = torch.matmul(input=t1, other=t2)
    print('t4->', t4)

dm01()
""",
    ),
    (
        "6",
        """\
def dm01():
    t1 = torch.tensor(data=[[1., 2, 3, 4], [5, 6, 7, 8]])
    print('所有值平均值->', t1.mean())
    print('按列平均值->', t1.mean(dim=0))
    print('按行平均值->', t1.mean(dim=1))
    print('所有值求和->', t1.sum())
    print('按列求和->', t1.sum(dim=0))
    print('按行求和->', t1.sum(dim=1))
    print('所有值开方->', t1.sqrt())
    print('幂次方->', torch.pow(input=t1, exponent=2))
    print('指数->', torch.exp(input=t1))
    print('以e为底对数->', torch.log(input=t1))
    print('以2为底对数->', t1.log2())
    print('以10为底对数->', t1.log10())

dm01()
""",
    ),
]

SECTIONS = dict(CHAPTER_CELLS)


@pytest.fixture(scope="module")
def shell() -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "tensormagic")
    ip.user_ns.update(torch=torch, np=np)
    yield ip
    ip.run_line_magic("unload_ext", "tensormagic")


def explained(shell: InteractiveShell, section: str, language: str) -> tuple[Explanation, str, str]:
    """Run a chapter cell under ``%%explain``; return the explanation, its displayed text and stdout."""
    torch.manual_seed(1234)
    with capture_output() as captured:
        result = shell.run_cell(f"%%explain --lang {language}\n" + SECTIONS[section], store_history=True)
    assert result.error_in_exec is None, result.error_in_exec
    magics = shell.magics_manager.registry["TensorMagics"]
    explanation = magics.last_explanation
    shown = "\n".join(o.data.get("text/plain", "") for o in captured.outputs)
    assert explanation.warnings == [], explanation.warnings
    return explanation, shown, captured.stdout


def line_of(section: str, text: str) -> int:
    for number, line in enumerate(SECTIONS[section].splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in section {section}")


def call(explanation: Explanation, section: str, text: str, name: str) -> Call:
    found = explanation.find(name, line_of(section, text))
    recorded = [(s.line, [c.name for c in s.calls]) for s in explanation.steps]
    assert found, f"{name} not recorded on the line with {text!r}: {recorded}"
    return found[0]


def note(found: Call, code: str, key: str | None = None) -> dict:
    for item in found.notes:
        if item.code == code and (key is None or item.key == key):
            return item.params
    raise AssertionError(f"no {code} note ({key}) on {found.name}: {[(n.code, n.key) for n in found.notes]}")


LANGUAGES = ("en", "zh")


@pytest.mark.parametrize("language", LANGUAGES)
def test_3_2_basic_creation(shell: InteractiveShell, language: str) -> None:
    e, shown, stdout = explained(shell, "3.2", language)
    s = "3.2"
    t1 = call(e, s, "torch.tensor(data=list1)", "torch.tensor")
    assert t1.result is not None and t1.result.dtype == "torch.float32" and t1.result.shape == (2, 3)
    note(t1, "default-dtype", "note.default.mixed")
    t2 = call(e, s, "torch.tensor(data=int1)", "torch.tensor")
    assert t2.result is not None and t2.result.shape == () and t2.result.dtype == "torch.int64"
    note(t2, "default-dtype", "note.default.int")
    t3 = call(e, s, "torch.tensor(data=n1)", "torch.tensor")
    assert note(t3, "copy", "note.copy.from")["name"] == "n1"
    assert note(t3, "default-dtype", "note.default.numpy_float64")["dtype"] == "float64"
    legacy = call(e, s, "torch.Tensor(data=", "torch.Tensor")
    note(legacy, "default-dtype", "note.default.legacy")
    assert "uninitialized" not in legacy.codes
    empty = call(e, s, "torch.Tensor(size=", "torch.Tensor")
    assert empty.result is not None and empty.result.shape == (2, 3)
    note(empty, "uninitialized")
    ints = call(e, s, "torch.IntTensor", "torch.IntTensor")
    assert ints.result is not None and ints.result.dtype == "torch.int32"
    truncation = note(ints, "dtype-change", "note.dtype.truncate_values")
    assert truncation["examples"] == "1.1 → 1, 3.7 → 3"
    floats = call(e, s, "torch.FloatTensor", "torch.FloatTensor")
    assert note(floats, "default-dtype", "note.default.legacy_typed")["dtype"] == "float32"
    # descriptor reads (t1.dtype) and printing are not steps
    assert not [c for c in e.calls if c.name in ("Tensor.dtype", "Tensor.__format__", "Tensor.__repr__")]
    assert message("note.dtype.truncate_values", language, dst="int32", examples="1.1 → 1, 3.7 → 3") in shown
    assert "t1的值->" in stdout


@pytest.mark.parametrize("language", LANGUAGES)
def test_3_3_ranges_and_random(shell: InteractiveShell, language: str) -> None:
    e, shown, _ = explained(shell, "3.3", language)
    s = "3.3"
    arange = call(e, s, "torch.arange", "torch.arange")
    params = note(arange, "half-open", "note.halfopen.arange")
    assert (params["start"], params["end"], params["count"]) == ("0", "10", 5)
    assert arange.result is not None and arange.result.dtype == "torch.int64"
    linspace = call(e, s, "torch.linspace", "torch.linspace")
    params = note(linspace, "both-ends", "note.linspace.both_ends")
    assert params["step"] == "1.125" and params["steps"] == 9
    rand = call(e, s, "torch.rand(", "torch.rand")
    params = note(rand, "rng", "note.rng.draw")
    assert params["count"] == 20 and params["seed"] == 1234
    note(rand, "rng", "note.rng.unseeded")
    first_seed = call(e, s, "'t1随机种子数->'", "torch.initial_seed")
    assert note(first_seed, "rng", "note.rng.initial_seed")["seed"] == 1234
    seed = call(e, s, "torch.manual_seed", "torch.manual_seed")
    assert note(seed, "rng", "note.rng.manual_seed")["seed"] == 66
    randint = call(e, s, "torch.randint", "torch.randint")
    params = note(randint, "half-open", "note.halfopen.randint")
    assert (params["low"], params["last"], params["high"]) == (0, 9, 10)
    assert note(randint, "rng", "note.rng.draw")["seed"] == 66
    note(randint, "rng", "note.rng.seeded")
    later_seed = call(e, s, "'t2随机种子数->'", "torch.initial_seed")
    assert note(later_seed, "rng", "note.rng.initial_seed")["seed"] == 66
    assert message("note.linspace.both_ends", language, start="0", end="9", steps=9, step="1.125") in shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_3_4_filled_tensors(shell: InteractiveShell, language: str) -> None:
    e, _, _ = explained(shell, "3.4", language)
    s = "3.4"
    note(call(e, s, "torch.ones(size", "torch.ones"), "default-dtype", "note.default.factory_float")
    note(call(e, s, "torch.zeros(size", "torch.zeros"), "default-dtype", "note.default.factory_float")
    like = note(call(e, s, "torch.ones_like", "torch.ones_like"), "default-dtype", "note.default.like")
    assert (like["shape"], like["dtype"], like["name"]) == ("(5,)", "int64", "t2")
    note(call(e, s, "torch.zeros_like", "torch.zeros_like"), "default-dtype", "note.default.like")
    full = call(e, s, "torch.full(", "torch.full")
    assert full.result is not None and full.result.shape == (2, 3, 4)
    assert note(full, "default-dtype", "note.default.full")["dtype"] == "int64"
    full_like = note(call(e, s, "torch.full_like", "torch.full_like"), "default-dtype", "note.default.like")
    assert full_like["shape"] == "(2, 2)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_3_5_dtype_conversions(shell: InteractiveShell, language: str) -> None:
    e, _, _ = explained(shell, "3.5", language)
    s = "3.5"
    half = call(e, s, "dtype=torch.float16", "torch.tensor")
    assert note(half, "dtype-explicit")["dtype"] == "float16"
    to_float = call(e, s, "torch.FloatTensor", "Tensor.type")
    assert note(to_float, "dtype-change", "note.dtype.type_string")["dtype"] == "float32"
    assert note(to_float, "dtype-change", "note.dtype.convert") == {"src": "float16", "dst": "float32"}
    to_int = call(e, s, "torch.int64", "Tensor.type")
    assert note(to_int, "dtype-change", "note.dtype.truncate_seen") == {
        "src": "float16",
        "dst": "int64",
        "examples": "1.0 → 1, 2.0 → 2, 3.0 → 3, 4.0 → 4, …",  # the real values (6 elements, 4 shown)
    }
    assert note(call(e, s, "t1.half()", "Tensor.half"), "dtype-change", "note.dtype.half")["src"] == "int64"
    converted = note(call(e, s, "t1.int()", "Tensor.int"), "dtype-change", "note.dtype.convert")
    assert converted == {"src": "int64", "dst": "int32"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_4_1_numpy_shares_then_copy(shell: InteractiveShell, language: str) -> None:
    e, _, stdout = explained(shell, "4.1", language)
    s = "4.1"
    shared = call(e, s, "n0 = t1.numpy()", "Tensor.numpy")
    assert note(shared, "shares-memory", "note.shares.numpy")["name"] == "t1"
    assert "copy" not in shared.codes
    copied = call(e, s, "t1.numpy().copy()", "Tensor.numpy")
    assert note(copied, "shares-memory")["name"] == "t1"
    assert note(copied, "copy", "note.copy.then_copy")["name"] == "t1"
    assert "t1-> tensor([[1, 2, 3]" in stdout  # the copy protected t1


@pytest.mark.parametrize("language", LANGUAGES)
def test_4_2_from_numpy_and_in_place_write(shell: InteractiveShell, language: str) -> None:
    e, shown, stdout = explained(shell, "4.2", language)
    s = "4.2"
    shared = call(e, s, "t1 = torch.from_numpy(n1)", "torch.from_numpy")
    assert note(shared, "shares-memory", "note.shares.from_numpy")["name"] == "n1"
    assert note(shared, "default-dtype", "note.default.keeps")["dtype"] == "int64"
    of_copy = call(e, s, "torch.from_numpy(n1.copy())", "torch.from_numpy")
    params = note(of_copy, "copy", "note.shares.temporary")  # independent of n1: the copy is new memory
    assert (params["expression"], params["names"]) == ("n1.copy()", "n1")
    copied = call(e, s, "torch.tensor(data=n1)", "torch.tensor")
    assert note(copied, "copy", "note.copy.from")["name"] == "n1"
    row = call(e, s, "t1[0][0] = 8888", "Tensor.__getitem__")
    assert note(row, "view", "note.view.of")["name"] == "t1"
    write = call(e, s, "t1[0][0] = 8888", "Tensor.__setitem__")
    params = note(write, "in-place", "note.inplace.setitem")
    assert (params["value"], params["target"], params["index"]) == ("8888", "t1[0]", "0")
    others = note(write, "in-place", "note.inplace.shared")["names"].split(", ")
    assert set(others) == {"n1", "t1"}
    assert "n1-> [[8888" in stdout
    assert message("note.shares.from_numpy", language, name="n1") in shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_4_3_item(shell: InteractiveShell, language: str) -> None:
    e, _, _ = explained(shell, "4.3", language)
    s = "4.3"
    item = call(e, s, "t1.item()", "Tensor.item")
    params = note(item, "item", "note.item.value")
    assert (params["name"], params["type_name"], params["value"]) == ("t1", "int", "10")
    both = e.find("Tensor.item", line_of(s, "t2.item()"))
    # t2.item() and t3.item(): one step, two calls, each naming its own tensor
    assert [c.count for c in both] == [1, 1]
    assert [note(c, "item", "note.item.value")["name"] for c in both] == ["t2", "t3"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_5_1_arithmetic_and_in_place(shell: InteractiveShell, language: str) -> None:
    e, _, stdout = explained(shell, "5.1", language)
    s = "5.1"
    plus10 = call(e, s, "t2 = t1 + 10", "Tensor.__add__")
    assert note(plus10, "broadcast", "note.broadcast.scalar") == {"scalar": "10", "name": "t1", "shape": "(4,)"}
    plus = call(e, s, "t3 = t1 + t2", "Tensor.__add__")
    assert note(plus, "elementwise")["shape"] == "(4,)"
    unused = call(e, s, "t1.add(other=100)", "Tensor.add")
    assert note(unused, "not-in-place") == {"target": "t1", "method": "add"}
    add = call(e, s, "torch.add(input=t1", "torch.add")
    assert note(add, "broadcast", "note.broadcast.scalar")["scalar"] == "100"
    neg = call(e, s, "t5 = t1.neg_()", "Tensor.neg_")
    assert note(neg, "in-place", "note.inplace.method")["target"] == "t1"
    assert note(neg, "in-place", "note.inplace.returns_self") == {"result": "t5", "target": "t1"}
    assert "t1-> tensor([-1, -2, -3, -4])" in stdout


@pytest.mark.parametrize("language", LANGUAGES)
def test_5_2_broadcast_multiply(shell: InteractiveShell, language: str) -> None:
    e, shown, _ = explained(shell, "5.2", language)
    s = "5.2"
    for text, name in (("t1 * t2", "Tensor.__mul__"), ("torch.mul(input=t1", "torch.mul")):
        found = call(e, s, text, name)
        params = note(found, "broadcast", "note.broadcast.shapes")
        assert (params["a"], params["b"], params["aligned_a"], params["aligned_b"], params["result"]) == (
            "(2,)",
            "(2, 2)",
            "(1, 2)",
            "(2, 2)",
            "(2, 2)",
        )
        assert note(found, "broadcast", "note.broadcast.stretch") == {"name": "t1", "axes": "0", "count": 1}
        note(found, "broadcast", "note.broadcast.rule")
    assert message("note.broadcast.rule", language) in shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_5_3_matmul(shell: InteractiveShell, language: str) -> None:
    e, _, _ = explained(shell, "5.3", language)
    s = "5.3"
    for text, name in (("t1 @ t2", "Tensor.__matmul__"), ("torch.matmul", "torch.matmul")):
        params = note(call(e, s, text, name), "matmul-shape", "note.matmul.2d")
        assert (params["a"], params["b"], params["result"], params["inner"]) == ("(2, 2)", "(2, 3)", "(2, 3)", 2)
        assert (params["left"], params["right"]) == ("t1", "t2")


@pytest.mark.parametrize("language", LANGUAGES)
def test_6_reductions_and_math(shell: InteractiveShell, language: str) -> None:
    e, _, _ = explained(shell, "6", language)
    s = "6"
    for op in ("mean", "sum"):
        everything = note(call(e, s, f"t1.{op}())", f"Tensor.{op}"), "reduce-dim", "note.reduce.all")
        assert (everything["count"], everything["shape"]) == (8, "(2, 4)")
        columns = note(call(e, s, f"t1.{op}(dim=0)", f"Tensor.{op}"), "reduce-dim", "note.reduce.per_column")
        assert (columns["result"], columns["n"]) == ("(4,)", 4)
        rows = note(call(e, s, f"t1.{op}(dim=1)", f"Tensor.{op}"), "reduce-dim", "note.reduce.per_row")
        assert (rows["result"], rows["n"]) == ("(2,)", 2)
    note(call(e, s, "t1.sqrt()", "Tensor.sqrt"), "elementwise")
    assert note(call(e, s, "torch.pow", "torch.pow"), "broadcast", "note.broadcast.scalar")["scalar"] == "2"
    for text, name in (("torch.exp", "torch.exp"), ("torch.log(", "torch.log"), ("t1.log2", "Tensor.log2")):
        assert note(call(e, s, text, name), "elementwise")["shape"] == "(2, 4)"
    note(call(e, s, "t1.log10", "Tensor.log10"), "elementwise")


def test_every_chapter_call_is_caught(shell: InteractiveShell) -> None:
    """Each torch call the chapter writes appears, named as written, on its own line."""
    expected = {
        "3.2": ["torch.tensor", "torch.Tensor", "torch.IntTensor", "torch.FloatTensor"],
        "3.3": [
            "torch.arange",
            "torch.linspace",
            "torch.rand",
            "torch.initial_seed",
            "torch.manual_seed",
            "torch.randint",
        ],
        "3.4": [
            "torch.ones",
            "torch.tensor",
            "torch.ones_like",
            "torch.zeros",
            "torch.zeros_like",
            "torch.full",
            "torch.full_like",
        ],
        "3.5": ["torch.tensor", "Tensor.type", "Tensor.half", "Tensor.int"],
        "4.1": ["torch.tensor", "Tensor.numpy"],
        "4.2": ["torch.from_numpy", "torch.tensor", "Tensor.__getitem__", "Tensor.__setitem__"],
        "4.3": ["torch.tensor", "Tensor.item"],
        "5.1": ["torch.tensor", "Tensor.__add__", "Tensor.add", "torch.add", "Tensor.neg_"],
        "5.2": ["torch.tensor", "Tensor.__mul__", "torch.mul"],
        "5.3": ["torch.tensor", "Tensor.__matmul__", "torch.matmul"],
        "6": [
            "torch.tensor",
            "Tensor.mean",
            "Tensor.sum",
            "Tensor.sqrt",
            "torch.pow",
            "torch.exp",
            "torch.log",
            "Tensor.log2",
            "Tensor.log10",
        ],
    }
    for section, names in expected.items():
        e, _, _ = explained(shell, section, "en")
        recorded = {c.name for c in e.calls}
        assert set(names) <= recorded, (section, set(names) - recorded)
        assert recorded <= set(names), (section, recorded - set(names))  # nothing extra (no descriptor noise)
        for step in e.steps:
            assert step.source.strip() == SECTIONS[section].splitlines()[step.line - 1].strip()


def test_linspace_with_one_step_names_the_single_value() -> None:
    import torch

    import tensormagic as tm

    for language, expected in (("en", "steps=1 gives a single value, the start 3"), ("zh", "只得到一个值，即起点 3")):
        explanation = tm.explain("x = torch.linspace(3, 9, steps=1)", {"torch": torch}, language=language)
        notes = [note for step in explanation.steps for call in step.calls for note in call.notes]
        assert any(note.code == "both-ends" and expected in note.text for note in notes)
        assert not any("− 1)" in note.text for note in notes)
