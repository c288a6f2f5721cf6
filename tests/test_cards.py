"""Concept cards: every card builds from real torch computation in both languages, within its budget."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from IPython.core.error import UsageError
from torch import nn

import tensormagic as tm
from tensormagic.cards import TopicList, UnknownTopicError, card, names, resolve, topics
from tensormagic.cards.cnn import output_size
from tensormagic.i18n import cards as catalog
from tensormagic.i18n import message
from tensormagic.render.common import escape

ALL_TOPICS = [t.name for t in topics()]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_every_card_builds_with_widget_text_and_html(topic: str, language: str) -> None:
    shown = card(topic, language)
    bundle = shown._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and bundle[WIDGET_VIEW]["model_id"]
    assert bundle["text/plain"].startswith(shown.title)
    assert shown.title in bundle["text/html"]
    assert shown.lines, "a card without measured content"
    # The text fallback carries the same sentences the widget shows.
    for line in shown.lines:
        if line.strip():
            assert line in bundle["text/plain"]


def test_cards_never_move_the_global_random_stream() -> None:
    torch.manual_seed(1234)
    expected = torch.rand(3)
    torch.manual_seed(1234)
    for topic in ALL_TOPICS:
        card(topic)
    card("numpy").controls["code"].value = "x = torch.rand(2)"  # student code drawing random numbers
    assert torch.equal(torch.rand(3), expected)


def test_cards_restore_the_thread_count() -> None:
    before = torch.get_num_threads()
    card("deep-learning")
    assert torch.get_num_threads() == before


def test_aliases_in_both_languages_resolve() -> None:
    assert resolve("CNN") == "cnn"
    assert resolve("卷积神经网络") == "cnn"
    assert resolve("conv") == "cnn"
    assert resolve("自编码器") == "autoencoder"
    assert resolve("deep learning") == "deep-learning"
    assert all(match.topic in ALL_TOPICS for match in names().values())


def test_unknown_topic_lists_closest_matches() -> None:
    with pytest.raises(UnknownTopicError) as caught:
        card("cnnn")
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, ValueError)
    assert "cnn" in caught.value.suggestions
    assert "Did you mean" in str(caught.value) and "cnn" in str(caught.value)


def test_public_api_exports_card() -> None:
    assert tm.card is card
    assert "card" in tm.__all__ and "inspect" in tm.__all__


def test_catalog_languages_have_identical_keys_and_placeholders() -> None:
    assert catalog.EN.keys() == catalog.ZH.keys()
    assert all(k.startswith(("card.", "inspector.")) for k in catalog.EN)
    formatter = string.Formatter()
    for key, english in catalog.EN.items():
        fields = {f for _, f, _, _ in formatter.parse(english) if f}
        assert fields == {f for _, f, _, _ in formatter.parse(catalog.ZH[key]) if f}, key


# -- cnn --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("size", "kernel", "stride", "padding"), [(28, 3, 1, 0), (32, 5, 2, 2), (9, 4, 3, 1)])
def test_conv_formula_matches_nn_conv2d(size: int, kernel: int, stride: int, padding: int) -> None:
    shown = card("cnn")
    for key, value in dict(size=size, kernel=kernel, stride=stride, padding=padding).items():
        shown.controls[key].value = value
    conv = nn.Conv2d(3, 8, kernel, stride=stride, padding=padding)
    real = conv(torch.zeros(1, 3, size, size)).shape
    assert shown.numbers["output_shape"] == tuple(real)
    assert shown.numbers["formula_side"] == output_size(size, kernel, stride, padding) == real[-1]
    assert shown.numbers["conv_params"] == sum(p.numel() for p in conv.parameters())
    dense = 3 * size * size * real.numel() + real.numel()
    assert shown.numbers["dense_params"] == dense


def test_cnn_slider_change_updates_output_text() -> None:
    shown = card("cnn")
    before = shown.output.value
    assert "Output shape: (1, 8, 26, 26)" in shown.text()
    shown.controls["kernel"].value = 5
    assert "Output shape: (1, 8, 24, 24)" in shown.text()
    assert shown.output.value != before and "(1, 8, 24, 24)" in shown.output.value


def test_cnn_kernel_larger_than_input_is_explained() -> None:
    shown = card("cnn")
    shown.controls["size"].value = 4
    shown.controls["kernel"].value = 9
    assert shown.numbers["output_shape"] is None
    assert "larger than the padded input" in shown.text()


def test_cnn_edge_feature_map_and_pooling() -> None:
    shown = card("cnn")
    assert shown.feature_numbers["feature_shape"] == (14, 14)
    assert shown.feature_numbers["pooled_shape"] == (7, 7)
    assert shown.feature_numbers["peak"] == 4.0


# -- perceptron ---------------------------------------------------------------------------------------
def test_perceptron_solves_and_or_but_not_xor_while_mlp_solves_xor() -> None:
    shown = card("perceptron")
    for data in ("AND", "OR"):
        shown.controls["data"].value = data
        assert shown.numbers["perceptron_accuracy"] == 1.0
        assert shown.numbers["perceptron_converged"] is not None
    shown.controls["data"].value = "XOR"
    assert shown.numbers["perceptron_accuracy"] < 1.0
    assert shown.numbers["perceptron_converged"] is None
    assert shown.numbers["mlp_accuracy"] == 1.0
    assert "never converges" in shown.text()


# -- rnn ----------------------------------------------------------------------------------------------------
def test_rnn_gradient_to_first_step_decreases_with_length() -> None:
    shown = card("rnn")
    norms = shown.numbers["gradient_norms"]
    checkpoints = [norms[n - 1] for n in (1, 5, 10, 20, 40)]
    assert checkpoints == sorted(checkpoints, reverse=True)
    assert checkpoints[-1] < checkpoints[0] * 1e-6
    shown.controls["length"].value = 25
    assert shown.numbers["output_shape"] == (25, 1, 16)
    assert shown.numbers["hidden_shape"] == (1, 1, 16)
    assert "h25 (1, 16)" in shown.text()


# -- transformer ------------------------------------------------------------------------------------------
def test_transformer_attention_is_one_parallel_step() -> None:
    shown = card("transformer")
    shown.controls["length"].value = 7
    assert shown.numbers["weights_shape"] == (1, 2, 7, 7)
    assert shown.numbers["rnn_steps"] == 7 and shown.numbers["attention_calls"] == 1
    assert all(abs(s - 1) < 1e-5 for s in shown.numbers["row_sums"])
    shown.controls["head"].value = 1
    assert "7×7" in shown.text()


# -- autoencoder ----------------------------------------------------------------------------------------
def test_autoencoder_error_falls_until_the_true_factor_count() -> None:
    shown = card("autoencoder")
    errors = shown.numbers["errors"]
    assert errors[1] > errors[3] * 5
    shown.controls["bottleneck"].value = 4
    assert shown.numbers["bottleneck"] == 4 and 4 in shown.numbers["errors"]


# -- deep learning --------------------------------------------------------------------------------------
def test_deep_network_beats_linear_on_rings() -> None:
    shown = card("deep-learning")
    assert shown.numbers["deep_accuracy"] > 0.95
    assert shown.numbers["linear_accuracy"] < 0.8
    assert shown.numbers["layer_shapes"] == [(2,), (8,), (8,), (8,), (8,), (2,)]
    before = shown.text()
    shown.controls["sample"].value = 10
    assert shown.text() != before


# -- autograd -------------------------------------------------------------------------------------------
def test_autograd_slider_and_requires_grad_toggle_update_the_card() -> None:
    shown = card("autograd")
    before = shown.output.value
    assert shown.numbers["grads"] == {"w": 6.0, "b": 4.0, "x": None}  # x = 1.5: z = 2, y = 4
    shown.controls["x"].value = 2.0  # z = 3: ∂y/∂w = 2·3·2, ∂y/∂b = 2·3
    assert shown.numbers["grads"] == {"w": 12.0, "b": 6.0, "x": None}
    assert shown.output.value != before and "w.grad = 12" in shown.output.value
    shown.controls["x_requires_grad"].value = True  # ∂y/∂x = 2·3·w
    assert shown.numbers["grads"]["x"] == 12.0 and "x.grad = 12" in shown.text()
    assert [kind for kind, *_ in shown.numbers["nodes"]].count("AccumulateGrad") == 3
    assert "--x 2 --x_requires_grad True" in shown.command()


def test_explain_autograd_takes_a_float_x(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_line_magic("explain", "autograd --x 2.0")
    out = capsys.readouterr().out
    assert "x = torch.tensor(2.0)" in out and "w.grad = ∂y/∂w = 2·(w·x + b)·x = 2 · 3 · 2 = 12" in out
    with pytest.raises(UsageError, match="x takes a number from -3 to 3, not 7"):
        shell.run_line_magic("explain", "autograd --x 7")
    with pytest.raises(UsageError, match="x takes a number from -3 to 3, not 'two'"):
        shell.run_line_magic("explain", "autograd --x two")
    with pytest.raises(UsageError, match="x takes a number from -3 to 3, not nan"):
        shell.run_line_magic("explain", "autograd --x nan")


# -- training loop --------------------------------------------------------------------------------------
def test_training_loop_learning_rate_changes_the_outcome() -> None:
    shown = card("training-loop")
    assert shown.numbers["verdict"] == "converged" and shown.numbers["lr"] == 0.1
    before = shown.output.value
    shown.controls["lr"].value = 1.0
    assert shown.numbers["verdict"] == "diverges" and shown.numbers["first_bad_step"] is not None
    assert shown.output.value != before and "diverges" in shown.output.value
    shown.controls["lr"].value = 0.001
    assert shown.numbers["verdict"] == "crawls"
    shown.controls["steps"].value = 3
    assert len(shown.numbers["losses"]) == 4  # before training and after each of the 3 steps


def test_explain_training_loop_options(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_line_magic("explain", "training-loop --lr 0.5 --steps 50")
    out = capsys.readouterr().out
    assert "lr=0.5" in out and "lr = 0.5 diverges" in out
    shell.run_line_magic("explain", "学习率 --lr 0.2 --lang zh")
    assert "学习率" in capsys.readouterr().out
    with pytest.raises(UsageError, match="lr takes a number from 0.001 to 1, not 5"):
        shell.run_line_magic("explain", "training-loop --lr 5")
    with pytest.raises(UsageError, match="steps takes a whole number from 1 to 200, not 0"):
        shell.run_line_magic("explain", "training-loop --steps 0")


# -- live tensor examples --------------------------------------------------------------------------------
def test_live_example_reruns_edited_code() -> None:
    shown = card("broadcasting")
    assert shown.numbers["shapes"]["c"] == (3, 4)
    shown.controls["code"].value = "a = torch.ones(2, 1, 5)\nb = torch.ones(3, 1)\nc = a * b"
    assert shown.numbers["shapes"]["c"] == (2, 3, 5)
    assert "broadcast together → (2, 3, 5)" in shown.text()


def test_live_example_errors_are_one_line_not_exceptions() -> None:
    shown = card("matmul")
    shown.controls["code"].value = "C = torch.ones(2, 3) @ torch.ones(2, 3)"
    assert "Error: RuntimeError" in shown.text()
    shown.controls["code"].value = "import os"
    assert "not allowed" in shown.text()
    shown.controls["code"].value = "x = ().__class__"
    assert "not allowed" in shown.text()


def test_numpy_sharing_card_measures_sharing() -> None:
    shown = card("numpy-sharing")
    text = shown.text()
    assert "n↔t" in text and "c↔" not in text
    assert "tensor([100.,   2.,   3.], dtype=torch.float64)" in text


def test_live_examples_do_not_touch_user_namespace() -> None:
    shown = card("reductions")
    shown.controls["code"].value = "t = torch.ones(2, 3)\nk = t.sum(dim=1, keepdim=True)"
    assert shown.numbers["shapes"]["k"] == (2, 1)
    assert "k" not in globals()


# -- %explain line magic body ---------------------------------------------------------------------------
def test_explain_line_lists_topics(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_line_magic("explain", "")
    listing = capsys.readouterr().out
    assert str(TopicList("en")) in listing and "cnn" in listing
    shell.run_line_magic("explain", "卷积神经网络 --lang zh")
    assert capsys.readouterr().out.startswith(card("cnn", "zh").title)


def test_explain_line_unknown_topic_prints_hint(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_line_magic("explain", "transfromer")
    out = capsys.readouterr().out
    assert "No card named 'transfromer'" in out and "transformer" in out


def test_explain_line_takes_the_language_and_topic_words_in_any_order(
    shell: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    shell.run_line_magic("explain", "--lang zh cnn")
    assert capsys.readouterr().out.startswith("CNN —— 卷积神经网络")
    shell.run_line_magic("explain", "deep learning -l en")
    assert capsys.readouterr().out.startswith("What is deep learning?")


def test_cards_stay_on_the_cpu_whatever_the_default_device() -> None:
    import importlib
    import sys

    torch.set_default_device("meta")  # a stand-in for "cuda" that exists on every machine
    try:
        for name in {t.card_class.__module__ for t in topics()}:
            importlib.reload(sys.modules[name])  # module-level tensors are made at import time
        for topic in ("perceptron", "cnn", "rnn", "transformer", "autoencoder", "deep-learning", "matmul", "autograd",
                      "training-loop"):
            shown = card(topic)
            assert shown.lines and "Error" not in shown.text()
        assert torch.get_default_device().type == "meta"
    finally:
        torch.set_default_device(None)


def test_text_fallback_carries_the_figures() -> None:
    perceptron = card("perceptron").text()
    assert "Decision regions" in perceptron and "####" in perceptron
    transformer = card("transformer")
    assert transformer.text().count("0.") >= 36  # the 6×6 attention matrix, written out
    feature = card("cnn").text().split("feature map, left to right")[-1]
    assert "++" in feature and "--" in feature


# -- the registry: a card is one module ---------------------------------------------------------------
EXTRA_CARD = '''
from tensormagic.cards.base import Card
from tensormagic.cards.settings import Aliases, IntSetting


class ExtraCard(Card):
    topic = "zz-extra"
    order = 10_000
    group = "tensors"
    aliases = Aliases(en=("extra",), zh=("额外卡片",))
    settings = (IntSetting("count", 2, 1, 5),)

    def refresh(self) -> None:
        self.lines = [self.message("line", count=self.controls["count"].value)]
'''


@pytest.fixture
def extra_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new card written as one module (outside the source tree) plus its texts, and nothing else."""
    import sys

    import tensormagic.cards as package
    from tensormagic import i18n

    (tmp_path / "zz_extra.py").write_text(EXTRA_CARD, encoding="utf-8")
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    texts = {
        "en": {"card.zz-extra.title": "An extra card", "card.zz-extra.points": "One point.",
               "card.zz-extra.control.count": "count", "card.zz-extra.line": "count is {count}"},
        "zh": {"card.zz-extra.title": "额外的卡片", "card.zz-extra.points": "一个要点。",
               "card.zz-extra.control.count": "个数", "card.zz-extra.line": "个数是 {count}"},
    }
    for language, table in texts.items():
        for key, text in table.items():
            monkeypatch.setitem(i18n.catalogs()[language], key, text)
    topics.cache_clear()
    names.cache_clear()
    try:
        yield "zz-extra"
    finally:
        sys.modules.pop("tensormagic.cards.zz_extra", None)
        topics.cache_clear()
        names.cache_clear()


def test_a_new_card_module_is_found_listed_documented_toured_and_opened(
    extra_card: str, shell: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from card_topics import reference
    from notebooks import load_builder

    assert topics()[-1].name == extra_card and resolve("额外卡片") == extra_card
    assert "zz-extra" in str(TopicList("en")) and "--count" in str(TopicList("en"))
    assert "| `zz-extra` | An extra card / 额外的卡片 |" in reference()
    assert ("code", "tm.card('zz-extra')", {"tensormagic": {"card": "zz-extra"}}) in load_builder().tour_cells()
    shell.run_line_magic("explain", "额外卡片 --count 3 --lang zh")
    assert "个数是 3" in capsys.readouterr().out
    with pytest.raises(UsageError, match="count takes a whole number from 1 to 5, not 9"):
        shell.run_line_magic("explain", "zz-extra --count 9")


def test_every_card_module_defines_exactly_one_card_and_the_rest_is_plumbing() -> None:
    import importlib
    import pkgutil

    import tensormagic.cards as package

    modules = [info.name for info in pkgutil.iter_modules(package.__path__)]
    with_cards = {}
    for name in modules:
        module = importlib.import_module(f"tensormagic.cards.{name}")
        own = [v for v in vars(module).values()
               if isinstance(v, type) and issubclass(v, tm.cards.Card) and v.__module__ == module.__name__ and v.topic]
        assert len(own) <= 1, name
        if own:
            with_cards[own[0].topic] = name
    order = {t.name: t.order for t in topics()}
    assert [t.name for t in topics()] == sorted(with_cards, key=order.__getitem__)
    assert set(modules) - set(with_cards.values()) == {"base", "live", "settings"}
    orders = [t.order for t in topics()]
    assert len(set(orders)) == len(orders), "two cards claim the same place in the list"
    for t in topics():
        assert t.group in ("models", "tensors", "training") and t.settings, t.name
        assert f"card.common.group.{t.group}" in catalog.EN, t.name  # the group has a heading
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in alias) for alias in t.chinese_aliases), t.name


def test_the_readme_topic_table_matches_the_registry() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    tool = root / "tools" / "card_topics.py"
    result = subprocess.run([sys.executable, str(tool), "--check", str(root / "README.md")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    readme = (root / "README.md").read_text(encoding="utf-8")
    for t in topics():
        assert f"| `{t.name}` |" in readme


def test_the_card_tour_is_built_from_the_registry() -> None:
    from notebooks import load_builder

    builder = load_builder()
    assert builder.DEMOS / "cards_tour.ipynb" not in builder.stale(), "run `python demos/build_notebooks.py`"


# -- settings from the keyboard: %explain TOPIC --SETTING VALUE ----------------------------------------------
def test_explain_options_start_the_card_at_those_settings(shell: Any, capsys: pytest.CaptureFixture[str]) -> None:
    for line in ("cnn --kernel 5 --stride 2", "--kernel=5 --stride=2 cnn", "conv --stride 2 --kernel 5"):
        shell.run_line_magic("explain", line)
        out = capsys.readouterr().out
        assert "kernel_size=5, stride=2" in out and "Output shape: (1, 8, 12, 12)" in out, line
    shell.run_line_magic("explain", "perceptron --data and")
    assert "Data set AND:" in capsys.readouterr().out
    shell.run_line_magic("explain", "broadcasting --code 'a = torch.ones(2, 1); b = torch.ones(3); c = a * b'")
    assert "broadcast together → (2, 3)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("cnn --kernal 5", "unrecognized arguments: --kernal 5"),
        ("cnn --kernel 50", "argument --kernel: kernel takes a whole number from 1 to 11, not 50"),
        ("cnn --kernel five", "argument --kernel: kernel takes a whole number from 1 to 11, not 'five'"),
        ("cnn --padding -1", "padding takes a whole number from 0 to 5, not -1"),
        ("cnn --kernel", "argument --kernel: expected one argument"),
        ("perceptron --data nand", "data takes one of AND, OR, XOR, not 'nand'"),
        ("transformer --head 3", "head takes one of average, 1, 2, not '3'"),
        ("--kernel 5", "unrecognized arguments: --kernel 5 (no topic given)"),
        ("cnn --lang fr", "unknown language 'fr'"),
        ("cnn --code 'x = (", None),
    ],
)
def test_bad_options_are_usage_errors_like_ipythons(shell: Any, line: str, error: str | None) -> None:
    if error is None:  # an unbalanced quote in the line itself
        with pytest.raises(UsageError, match="No closing quotation"):
            shell.run_line_magic("explain", line)
        return
    with pytest.raises(UsageError, match=re.escape(error)):
        shell.run_line_magic("explain", line)


def test_card_settings_are_checked_in_python_too() -> None:
    from tensormagic.cards.settings import SettingError

    with pytest.raises(SettingError, match="the cnn card has no setting 'kernal'"):
        card("cnn", kernal=5)
    with pytest.raises(SettingError, match="kernel takes a whole number from 1 to 11, not 50"):
        card("cnn", kernel=50)
    assert card("perceptron", data="xor").numbers["data"] == "XOR"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_explain_help_lists_each_setting_with_what_it_accepts(
    shell: Any, capsys: pytest.CaptureFixture[str], language: str
) -> None:
    for topic in topics():
        shell.run_line_magic("explain", f"{topic.name} --help --lang {language}")
        out = capsys.readouterr().out
        assert out.startswith(f"usage: %explain {topic.name}") and card(topic.name, language).title in out
        for setting in topic.settings:
            assert f"--{setting.name} {setting.accepted().replace(' ', '')}" in out, (topic.name, setting)


SLIDER_WORDS = ("slider", "widget view", "drawing", "Move the", "Pick a", "滑块", "控件视图", "拖动")


def _other_values(topic: Any) -> dict[str, Any]:
    """A value other than the default for every setting of a card."""
    from tensormagic.cards.settings import ChoiceSetting, FloatSetting, IntSetting

    values: dict[str, Any] = {}
    for setting in topic.settings:
        if isinstance(setting, IntSetting | FloatSetting):
            values[setting.name] = setting.low if setting.default != setting.low else setting.high
        elif isinstance(setting, ChoiceSetting):
            values[setting.name] = setting.choices[-1][1] if setting.default != setting.choices[-1][1] else \
                setting.choices[0][1]
        else:
            values[setting.name] = "x = torch.ones(2, 1)\ny = x.T"
    return values


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_the_text_card_says_how_to_change_it_from_the_keyboard_and_that_line_works(
    shell: Any, capsys: pytest.CaptureFixture[str], topic: str, language: str
) -> None:
    registered = next(t for t in topics() if t.name == topic)
    shown = card(topic, language, **_other_values(registered))
    text = shown.text()
    assert not any(word in text for word in SLIDER_WORDS), text
    assert message("card.common.keyboard", language) in text and shown.command() in text
    for setting in registered.settings:
        assert f"--{setting.name}" in text
    # The line the card prints opens this very card.
    shell.run_line_magic("explain", shown.command().removeprefix("%explain ") + f" --lang {language}")
    assert capsys.readouterr().out.strip() == text.strip()
    # The widget speaks of its controls; the static HTML (no widget manager) of the keyboard.
    assert message("card.common.widget_hint", language) in shown.widget.children[0].value
    assert escape(shown.command()) in shown.html()


CHINESE_TOPIC_PROBE = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

config = Config()
if sys.argv[1] == "config-file":
    config.TensorMagic.language = "en"  # as c.TensorMagic.language = "en" in ipython_config.py
shell = InteractiveShell.instance(config=config)
shell.run_line_magic("load_ext", "tensormagic")
seen = {}
for label, line in [("chinese", "卷积神经网络"), ("chinese --lang en", "卷积神经网络 --lang en"), ("english", "cnn")]:
    result = shell.run_cell(f"%explain {line}")
    seen[label] = result.success
    print(json.dumps(label))
if sys.argv[1] == "%config":
    shell.run_line_magic("config", 'TensorMagic.language = "en"')
    shell.run_cell("%explain 卷积神经网络")
    print(json.dumps("after %config"))
"""


def _titles(mode: str) -> list[str]:
    import subprocess
    import sys

    env = {**__import__("os").environ, "LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8"}
    env.pop("LANGUAGE", None)
    done = subprocess.run([sys.executable, "-c", CHINESE_TOPIC_PROBE, mode], capture_output=True, text=True,
                          timeout=300, check=True, env=env)
    return [line for line in done.stdout.splitlines() if line.startswith(("CNN —", '"'))]


def test_a_chinese_topic_name_opens_the_chinese_card_unless_a_language_was_chosen() -> None:
    """In fresh real shells (the locale says English): the Chinese name decides only when nothing else did."""
    assert _titles("none") == [
        "CNN —— 卷积神经网络", '"chinese"', "CNN — convolutional neural network", '"chinese --lang en"',
        "CNN — convolutional neural network", '"english"',
    ]
    # %config TensorMagic.language = "en": the user chose English, so the Chinese name opens the English card.
    assert _titles("%config")[-2:] == ["CNN — convolutional neural network", '"after %config"']
    # The same choice made in a configuration file.
    assert _titles("config-file")[:2] == ["CNN — convolutional neural network", '"chinese"']


def test_building_a_card_leaves_other_threads_their_thread_count() -> None:
    """The card's one-thread setting is its own thread's: a user's thread running torch meanwhile keeps its count."""
    import threading

    from tensormagic.cards.base import small_work

    before = torch.get_num_threads()
    seen: list[int] = []
    with small_work():
        worker = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
        worker.start()
        worker.join()
    assert seen == [before] and torch.get_num_threads() == before
