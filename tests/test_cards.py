"""Concept cards: every card builds from real torch computation in both languages, within its budget."""

from __future__ import annotations

import string

import pytest
import torch
from torch import nn

import tensormagic as tm
from tensormagic.cards import ALIASES, TopicList, UnknownTopicError, card, resolve, topics
from tensormagic.cards.cnn import output_size
from tensormagic.i18n import cards as catalog
from tensormagic.magics.cards import explain_line, parse_explain_line

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
    assert all(target in ALL_TOPICS for target in ALIASES.values())


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
class _Settings:
    language = "en"


class _Magics:
    settings = _Settings()


def test_explain_line_lists_topics(capsys: pytest.CaptureFixture[str]) -> None:
    shown: list[object] = []
    import tensormagic.magics.cards as module

    original = module.display
    module.display = shown.append  # type: ignore[assignment]
    try:
        explain_line(_Magics(), "")
        explain_line(_Magics(), "卷积神经网络 --lang zh")
    finally:
        module.display = original  # type: ignore[assignment]
    assert isinstance(shown[0], TopicList) and "cnn" in str(shown[0])
    assert shown[1].topic == "cnn" and shown[1].language == "zh"  # type: ignore[attr-defined]


def test_explain_line_unknown_topic_prints_hint(capsys: pytest.CaptureFixture[str]) -> None:
    explain_line(_Magics(), "transfromer")
    out = capsys.readouterr().out
    assert "No card named 'transfromer'" in out and "transformer" in out


def test_parse_explain_line() -> None:
    assert parse_explain_line("--lang zh cnn") == ("zh", "cnn")
    assert parse_explain_line("deep learning -l en") == ("en", "deep learning")
    assert parse_explain_line("") == (None, "")


def test_cards_stay_on_the_cpu_whatever_the_default_device() -> None:
    import importlib
    import sys

    torch.set_default_device("meta")  # a stand-in for "cuda" that exists on every machine
    try:
        for name in [m for m in sys.modules if m.startswith("tensormagic.cards.") and m != "tensormagic.cards.base"]:
            importlib.reload(sys.modules[name])  # module-level tensors are made at import time
        for topic in ("perceptron", "cnn", "rnn", "transformer", "autoencoder", "deep-learning", "matmul"):
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
