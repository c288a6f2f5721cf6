"""``%%explain`` on nn.Module forward passes (the layers' calls on the calling line, construction silent), real
numbers for float -> int conversions, and several calls of one name on one line."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from torch import nn

import tensormagic as tm
from tensormagic.explanation import Call, Explanation

LANGUAGES = ("en", "zh")


def explain(source: str, language: str = "en", **names: Any) -> Explanation:
    return tm.explain(source, {"torch": torch, "nn": nn, "np": np, **names}, language, max_lines=400)


def calls_by_line(e: Explanation) -> dict[int, list[str]]:
    return {step.line: [call.name for call in step.calls] for step in e.steps}


def params(call: Call, key: str) -> dict[str, Any]:
    found = [note for note in call.notes if note.key == key]
    assert found, (key, [note.key for note in call.notes])
    return found[0].params


def last(ip: InteractiveShell) -> Explanation:
    return ip.magics_manager.registry["TensorMagics"].last_explanation  # type: ignore[no-any-return]


# -- nn.Module forward passes -----------------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_linear_forward_shows_on_the_calling_line_construction_is_silent(language: str) -> None:
    e = explain(
        "layer = nn.Linear(4, 2)\n"  # 1: construction (torch.empty, init.kaiming_uniform_): silent
        "x = torch.ones(3, 4)\n"  # 2
        "y = layer(x)\n"  # 3
        "ps = list(layer.parameters())\n"  # 4: silent
        "sd = layer.state_dict()\n"  # 5: silent
        "layer2 = layer.to(torch.float64)\n"  # 6: silent
        "v = layer(torch.ones(4, dtype=torch.float64))\n"  # 7: 1-D input
        "f = layer.forward(torch.ones(4, dtype=torch.float64))\n",  # 8: forward called directly: a forward pass
        language,
    )
    assert calls_by_line(e) == {
        2: ["torch.ones"],
        3: ["torch.nn.functional.linear"],
        7: ["torch.ones", "torch.nn.functional.linear"],
        8: ["torch.ones", "torch.nn.functional.linear"],
    }
    (linear,) = e.find("torch.nn.functional.linear", line=3)
    assert linear.codes == ["layer", "matmul-shape"]
    assert linear.result is not None and linear.result.shape == (3, 2)
    assert params(linear, "note.linear.rows") == {
        "x": "x",
        "shape_x": "(3, 4)",
        "w": "W",
        "shape_wt": "(4, 2)",
        "bias": " + b (2,)",
        "result": "(3, 2)",
        "n_in": 4,
        "n_out": 2,
        "rows": 3,
    }
    text = next(note.text for note in linear.notes if note.code == "matmul-shape")
    if language == "en":
        assert text == "x (3, 4) @ W.T (4, 2) + b (2,) -> (3, 2): each of the 3 rows' 4 inputs become 2 outputs"
    else:
        assert text.startswith("x (3, 4) @ W.T (4, 2) + b (2,) -> (3, 2)：3 行") and "4 个输入变成 2 个输出" in text
    (single,) = e.find("torch.nn.functional.linear", line=7)
    assert params(single, "note.linear.single")["n_out"] == 2


def test_functional_linear_written_in_the_cell_uses_the_source_texts() -> None:
    e = explain("x = torch.ones(5, 3)\nW = torch.ones(2, 3)\ny = torch.nn.functional.linear(x, W)\n")
    (linear,) = e.find("torch.nn.functional.linear")
    assert params(linear, "note.linear.rows") == {
        "x": "x",
        "shape_x": "(5, 3)",
        "w": "W",
        "shape_wt": "(3, 2)",
        "bias": "",
        "result": "(5, 2)",
        "n_in": 3,
        "n_out": 2,
        "rows": 5,
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_conv2d_and_pooling_say_the_size_formula_with_the_real_numbers(language: str) -> None:
    e = explain(
        "conv = nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)\n"  # 1
        "img = torch.zeros(1, 3, 32, 32)\n"  # 2
        "c = conv(img)\n"  # 3
        "p = nn.MaxPool2d(2)(c)\n"  # 4
        "a = nn.AvgPool2d(kernel_size=3, stride=2, ceil_mode=True)(c)\n"  # 5
        "s = nn.Conv2d(3, 4, kernel_size=(3, 5), padding='same')(img)\n"  # 6
        "d = nn.Conv1d(2, 4, kernel_size=3, dilation=2)(torch.zeros(2, 10))\n",  # 7: unbatched, dilated
        language,
    )
    assert calls_by_line(e)[3] == ["torch.conv2d"] and 1 not in calls_by_line(e)
    (conv,) = e.find("torch.conv2d", line=3)
    assert conv.codes == ["layer", "conv-shape", "conv-shape"]
    assert params(conv, "note.conv.filters") == {
        "x": "x",
        "shape_in": "(1, 3, 32, 32)",
        "result": "(1, 16, 16, 16)",
        "filters": 16,
        "kernel": "3×3",
        "channels": 3,
    }
    assert params(conv, "note.conv.size") == {"sides": "H, W: ⌊(32 + 2·1 − 3) / 2⌋ + 1 = 16"}
    conv_notes = [note for note in conv.notes if note.code == "conv-shape"]
    assert "⌊(32 + 2·1 − 3) / 2⌋ + 1 = 16" in conv_notes[1].text
    (pool,) = e.find("torch.nn.functional.max_pool2d")
    assert params(pool, "note.pool.max")["result"] == "(1, 16, 8, 8)"
    assert params(pool, "note.conv.size") == {"sides": "H, W: ⌊(16 + 2·0 − 2) / 2⌋ + 1 = 8"}
    (avg,) = e.find("torch.nn.functional.avg_pool2d")
    assert params(avg, "note.conv.size_ceil") == {"sides": "H, W: ⌈(16 + 2·0 − 3) / 2⌉ + 1 = 8"}
    (same,) = e.find("torch.conv2d", line=6)
    assert params(same, "note.conv.same") == {"sizes": "(32, 32)"}
    (dilated,) = e.find("torch.conv1d")
    assert params(dilated, "note.conv.size_dilated") == {"sides": "L: ⌊(10 + 2·0 − 2·(3 − 1) − 1) / 1⌋ + 1 = 6"}
    if language == "zh":
        shape_notes = [note.text for note in conv.notes if note.code == "conv-shape"]
        assert "卷积核" in shape_notes[0] and "每条边的输出大小" in shape_notes[1]


def test_sequential_layers_are_separate_calls_with_their_own_numbers() -> None:
    e = explain(
        "model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2), nn.Softmax(dim=1))\n"
        "for _ in range(3):\n"
        "    out = model(torch.ones(5, 4))\n"
    )
    assert calls_by_line(e) == {
        3: [
            "torch.ones",
            "torch.nn.functional.linear",
            "torch.nn.functional.relu",
            "torch.nn.functional.linear",
            "torch.nn.functional.softmax",
        ]
    }
    first, second = e.find("torch.nn.functional.linear")
    assert (first.count, second.count) == (3, 3)
    assert params(first, "note.linear.rows")["n_out"] == 8
    assert params(second, "note.linear.rows")["n_in"] == 8 and params(second, "note.linear.rows")["n_out"] == 2
    assert all(not call.expression for call in e.calls if call.name != "torch.ones")  # not direct calls


def test_a_new_layer_every_iteration_does_not_grow_the_sites() -> None:
    from tensormagic.record import Recorder

    source = "for i in range(60):\n    y = nn.Linear(4, 2)(x)\n"
    ns = {"torch": torch, "nn": nn, "x": torch.ones(3, 4)}
    recorder = Recorder({"<layers>"}, source)
    with recorder:
        exec(compile(source, "<layers>", "exec"), ns)
    assert len(recorder.sites) <= 17
    e = explain(source, x=torch.ones(3, 4))
    (linear,) = e.find("torch.nn.functional.linear")
    assert linear.count == 60


def test_user_defined_module_from_another_cell_rnn_attention_and_internals(shell: InteractiveShell) -> None:
    shell.run_cell(
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(4, 3)\n"
        "        self.bn = nn.BatchNorm1d(3)\n"
        "    def forward(self, x):\n"
        "        return torch.relu(self.bn(self.fc(x)))\n"
    )
    cell = (
        "net = Net()\n"  # 1: silent
        "x = torch.ones(6, 4)\n"  # 2
        "y = net(x)\n"  # 3
        "rnn = nn.RNN(4, 5, batch_first=True)\n"  # 4: silent
        "out, h = rnn(torch.ones(2, 7, 4))\n"  # 5
        "mha = nn.MultiheadAttention(8, 2, batch_first=True)\n"  # 6: silent
        "q = torch.ones(2, 5, 8)\n"  # 7
        "att, w = mha(q, q, q)\n"  # 8
        "net.zero_grad()\n"  # 9: no gradient to clear yet, said so
    )
    with capture_output() as captured:
        shell.run_cell("%%explain\n" + cell, store_history=False)
    assert "Traceback" not in captured.stdout + captured.stderr
    e = last(shell)
    assert calls_by_line(e) == {
        2: ["torch.ones"],
        3: ["torch.nn.functional.linear", "torch.nn.functional.batch_norm", "torch.relu"],
        5: ["torch.ones", "torch.rnn_tanh"],
        7: ["torch.ones"],
        8: ["torch.nn.functional.multi_head_attention_forward"],
        9: ["Net.zero_grad"],
    }
    assert not e.warnings
    assert shell.user_ns["y"].shape == (6, 3) and shell.user_ns["att"].shape == (2, 5, 8)


@pytest.mark.parametrize("language", LANGUAGES)
def test_layer_shape_errors_name_the_mismatch(language: str) -> None:
    names = {"layer": nn.Linear(4, 2), "conv": nn.Conv2d(3, 8, 3)}
    with pytest.raises(RuntimeError, match="cannot be multiplied") as raised:
        explain("x = torch.ones(3, 5)\ny = layer(x)\n", language, **names)
    e = raised.value.tensormagic_explanation  # type: ignore[attr-defined]
    (linear,) = e.find("torch.nn.functional.linear")
    assert linear.codes == ["shape-error"]
    assert params(linear, "note.error.linear") == {
        "x": "x",
        "shape_x": "(3, 5)",
        "have": 5,
        "w": "W",
        "shape_w": "(2, 4)",
        "need": 4,
        "out": 2,
    }
    with pytest.raises(RuntimeError, match="channels") as raised:
        explain("img = torch.ones(1, 1, 28, 28)\nout = conv(img)\n", language, **names)
    e = raised.value.tensormagic_explanation  # type: ignore[attr-defined]
    (conv,) = e.find("torch.conv2d")
    assert conv.codes == ["shape-error"]
    assert params(conv, "note.error.conv") == {
        "x": "x",
        "shape_in": "(1, 1, 28, 28)",
        "have": 1,
        "axis": 1,
        "shape_w": "(8, 3, 3, 3)",
        "need": 3,
    }
    assert ("in_channels" in conv.notes[0].text) and (language == "en" or "通道" in conv.notes[0].text)


# -- real numbers for float -> int conversions -----------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_float_to_int_conversions_show_the_real_values(language: str) -> None:
    e = explain(
        "t = torch.tensor([1.7, -2.5, 3.2])\n"  # 1
        "u = t.int()\n"  # 2
        "v = t.type(torch.int64)\n"  # 3
        "w = t.to(torch.int16)\n"  # 4
        "x = t.long()\n"  # 5
        "y = t.type(torch.ShortTensor)\n"  # 6
        "z = torch.tensor(2.9).short()\n",  # 7
        language,
    )
    examples = "1.7 → 1, -2.5 → -2, 3.2 → 3"
    for line, name, dst in ((2, "Tensor.int", "int32"), (3, "Tensor.type", "int64"), (4, "Tensor.to", "int16")):
        (call,) = e.find(name, line=line)
        assert params(call, "note.dtype.truncate_seen") == {"src": "float32", "dst": dst, "examples": examples}
    (long_call,) = e.find("Tensor.long")
    text = next(n.text for n in long_call.notes if n.key == "note.dtype.truncate_seen")
    if language == "en":
        assert text.startswith("float32 → int64: 1.7 → 1, -2.5 → -2, 3.2 → 3 (") and "truncated toward zero" in text
    else:
        assert text.startswith("float32 → int64：1.7 → 1, -2.5 → -2, 3.2 → 3（") and "向零截断" in text
    (typed,) = e.find("Tensor.type", line=6)
    assert params(typed, "note.dtype.truncate_seen")["dst"] == "int16"
    (short,) = e.find("Tensor.short")
    assert params(short, "note.dtype.truncate_seen")["examples"] == "2.9 → 2"


def test_conversions_fall_back_to_the_general_sentence() -> None:
    e = explain(
        "big = torch.linspace(0, 1, 20).int()\n"  # more than 8 elements: values are not read
        "nan = torch.tensor([float('nan'), 1.5]).int()\n"  # NaN -> int is not a truncation
        "wrap = torch.tensor([-1.5, 2.5]).byte()\n"  # uint8 wraps negative values
        "meta = torch.ones(3, device='meta').int()\n"  # never read values off the CPU
    )
    for line in (1, 2, 3, 4):
        (call,) = [c for c in e.steps[line - 1].calls if c.name.startswith("Tensor.")]
        keys = [n.key for n in call.notes]
        assert "note.dtype.truncate_seen" not in keys
        if line != 4:
            assert "note.dtype.truncate" in keys


def test_half_shows_a_value_that_rounding_changed() -> None:
    e = explain("h = torch.tensor([0.1, 1.0, 70000.0]).half()\nk = torch.tensor([0.5, 2.0]).half()\n")
    first, second = e.find("Tensor.half")
    assert params(first, "note.dtype.half_rounded") == {"examples": "0.1 → 0.0999756, 70000.0 → inf"}
    assert [n.key for n in second.notes] == ["note.dtype.half"]  # 0.5 and 2.0 are exact in float16


def test_conversion_keeps_no_tensor_and_reads_no_values_of_large_tensors() -> None:
    import gc
    import weakref

    ns: dict[str, Any] = {"torch": torch}
    exec("t = torch.tensor([1.7, 2.5])", ns)
    ref = weakref.ref(ns["t"])
    e = tm.explain("u = t.int()\ndel t\n", ns)
    gc.collect()
    assert ref() is None
    (call,) = e.find("Tensor.int")
    assert params(call, "note.dtype.truncate_seen")["examples"] == "1.7 → 1, 2.5 → 2"


# -- several calls of one name on one line ----------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_two_tensor_calls_on_one_line_keep_their_own_notes(language: str) -> None:
    e = explain("s = torch.tensor([1.5]) + torch.tensor([1, 2])\n", language)
    tensors = e.find("torch.tensor")
    assert [c.count for c in tensors] == [1, 1]
    assert [[n.key for n in c.notes if n.code == "default-dtype"] for c in tensors] == [
        ["note.default.float"],
        ["note.default.int"],
    ]
    assert [c.result.dtype for c in tensors if c.result is not None] == ["torch.float32", "torch.int64"]
    assert [c.expression for c in tensors] == ["torch.tensor([1.5])", "torch.tensor([1, 2])"]
    assert e.find("Tensor.__add__")  # still there, after both


def test_same_notes_stay_one_call_and_many_different_ones_merge_into_the_union() -> None:
    e = explain("a = torch.tensor([1, 2]) + torch.tensor([3, 4])\n")
    (merged,) = e.find("torch.tensor")
    assert merged.count == 2 and merged.codes.count("default-dtype") == 1
    e = explain("r = torch.rand(3) + torch.rand(3)\n")
    (rand,) = e.find("torch.rand")
    assert rand.count == 2
    assert [n.params["count"] for n in rand.notes if n.key == "note.rng.draw"] == [6]
    many = "x = [torch.tensor([1.5]), torch.tensor([1]), torch.tensor([True]), torch.tensor(np.ones(2))]\n"
    e = explain(many)
    (merged,) = e.find("torch.tensor")
    assert merged.count == 4
    keys = [n.key for n in merged.notes if n.code == "default-dtype"]
    assert keys == ["note.default.float", "note.default.int", "note.default.bool", "note.default.numpy_float64"]
