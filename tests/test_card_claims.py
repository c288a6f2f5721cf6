"""Every number and claim a card states, recomputed independently from torch, in English and Chinese.

Each test builds a card, then computes what the card's sentences say *without calling the card's code*: layer
shapes from fresh ``nn`` modules, convolutions as explicit window sums, attention by hand, the training runs with
``torch.optim.Adam`` and ``nn`` layers built here from the same seeds and recipes, the perceptron rule in plain
Python. The card's text is then checked against those numbers: a sentence whose number is wrong, or whose claim
does not hold for the real computation, fails here.

The recipes a test repeats (data seeds, initialisation) are the cards' data, not their code: a card that changed
its data would change its numbers, and these tests would recompute them the same way.
"""

from __future__ import annotations

import math
import re
import string
import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tensormagic.cards import card
from tensormagic.i18n import catalogs, message
from tensormagic.render.common import escape

LANGUAGES = ["en", "zh"]


def says(shown: Any, key: str, **values: object) -> str:
    """Assert the card's text holds its message ``key`` with exactly these (independently computed) values."""
    sentence = message(f"card.{shown.topic}.{key}", shown.language, **values)
    assert sentence in shown.text(), f"{shown.topic} ({shown.language}) does not say:\n{sentence}\n---\n{shown.text()}"
    return sentence


def as_float(printed: str) -> float:
    return float(printed.replace(",", "").replace("−", "-"))


def shows(printed: str, value: float, relative: float = 1e-3) -> bool:
    """Whether ``printed`` is ``value`` as printed: within half a unit of its last digit (plus ``relative`` slack,
    for a recomputation that differs from the card's in the last bits of float arithmetic)."""
    exponent = Decimal(printed.replace(",", "").replace("−", "-")).as_tuple().exponent
    assert isinstance(exponent, int)
    half_unit = 0.5 * 10.0**exponent
    return abs(as_float(printed) - value) <= half_unit + relative * abs(value)


NUMBER = r"[−-]?[\d,]*\.?\d+(?:e[−-]?\d+)?"


def _pattern(template: str) -> str:
    """A regex for a catalog template: literal text escaped, each placeholder a named group."""
    parts = []
    for literal, field, spec, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is None:
            continue
        name = field.split("!")[0]
        if spec and "|" in spec:  # a count: one of the two forms, '#' being the number
            forms = [re.escape(form).replace("\\#", "#").replace("#", f"(?P<{name}_{i}>{NUMBER})")
                     for i, form in enumerate(spec.split("|"))]
            parts.append("(?:" + "|".join(forms) + ")")
        elif f"(?P<{name}>" in "".join(parts):
            parts.append(f"(?P={name})")
        else:
            parts.append(f"(?P<{name}>.+?)")
    return "".join(parts)


def stated(shown: Any, key: str) -> dict[str, str]:
    """What the card's line for message ``key`` says in each placeholder (the printed text of each value)."""
    template = catalogs()[shown.language][f"card.{shown.topic}.{key}"]
    pattern = re.compile(_pattern(template) + "$")
    for line in shown.lines:
        found = pattern.match(line)
        if found:
            values = {k: v for k, v in found.groupdict().items() if v is not None}
            return {re.sub(r"_\d$", "", k): v for k, v in values.items()}
    raise AssertionError(f"no line of {shown.topic} ({shown.language}) reads like {key}:\n" + "\n".join(shown.lines))


def reads(shown: Any, key: str) -> bool:
    """Whether one of the card's lines is its message ``key`` (with any values)."""
    try:
        stated(shown, key)
    except AssertionError:
        return False
    return True


def glorot_(weight: torch.Tensor, gen: torch.Generator) -> None:
    """The cards' documented initialisation of a weight matrix: Glorot/Xavier uniform from their own generator."""
    fan_out, fan_in = weight.shape[0], weight[0].numel()
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        weight.uniform_(-bound, bound, generator=gen)


def linear(n_in: int, n_out: int, gen: torch.Generator) -> nn.Linear:
    layer = nn.Linear(n_in, n_out)
    glorot_(layer.weight, gen)
    with torch.no_grad():
        layer.bias.zero_()
    return layer


def adam(model: nn.Module, loss: Callable[[], torch.Tensor], steps: int, lr: float) -> float:
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        optimiser.zero_grad()
        loss().backward()
        optimiser.step()
    with torch.no_grad():
        return float(loss())


@pytest.fixture(autouse=True)
def one_thread() -> Any:
    """The cards compute on one thread; so do these recomputations, so float sums run in the same order."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# -- cnn --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("size", "channels", "kernel", "stride", "padding"),
    [(28, 3, 3, 1, 0), (32, 1, 5, 2, 2), (9, 16, 4, 3, 1), (4, 16, 4, 4, 0), (64, 3, 11, 4, 5)],
)
def test_cnn_layer_numbers(language: str, size: int, channels: int, kernel: int, stride: int, padding: int) -> None:
    shown = card("cnn", language, size=size, channels=channels, kernel=kernel, stride=stride, padding=padding)
    conv = nn.Conv2d(channels, 8, kernel, stride=stride, padding=padding)
    x = torch.zeros(1, channels, size, size)
    y = conv(x)
    side = y.shape[-1]
    says(shown, "input", shape=str(tuple(x.shape)), channels=channels, out=8, kernel=kernel, stride=stride,
         padding=padding)
    says(shown, "output", shape=str(tuple(y.shape)))
    says(shown, "formula_same", size=size, padding=padding, kernel=kernel, stride=stride, side=side)
    assert (size + 2 * padding - kernel) // stride + 1 == side  # the formula the sentence writes is the real one
    conv_params = sum(p.numel() for p in conv.parameters())
    assert conv_params == 8 * channels * kernel * kernel + 8
    says(shown, "conv_params", out=8, channels=channels, kernel=kernel, count=conv_params)
    dense = nn.Linear(x.numel(), y.numel(), device="meta")
    dense_params = sum(p.numel() for p in dense.parameters())
    ratio = dense_params / conv_params
    says(shown, "dense_params", inputs=x.numel(), outputs=y.numel(), count=dense_params,
         ratio=f"{ratio:,.0f}" if ratio >= 100 else f"{ratio:.1f}")
    says(shown, "sharing", positions=side * side)


@pytest.mark.parametrize("language", LANGUAGES)
def test_cnn_too_large_kernel_is_what_nn_conv2d_refuses(language: str) -> None:
    shown = card("cnn", language, size=4, kernel=9, padding=1)
    with pytest.raises(RuntimeError):
        nn.Conv2d(3, 8, 9, padding=1)(torch.zeros(1, 3, 4, 4))
    says(shown, "too_small", kernel=9, padded=6)


def test_cnn_points_weight_sharing_and_pooling() -> None:
    # "the number of parameters does not depend on the image size"
    small, large = card("cnn", size=8), card("cnn", size=64)
    assert small.numbers["conv_params"] == large.numbers["conv_params"]
    # "max pooling keeps the largest value of each window; average pooling keeps the mean"
    x = torch.arange(16.0).reshape(1, 1, 4, 4).flip(-1)
    windows = x.reshape(2, 2, 2, 2).permute(0, 2, 1, 3).reshape(2, 2, 4)
    assert torch.equal(F.max_pool2d(x, 2)[0, 0], windows.amax(-1))
    assert torch.equal(F.avg_pool2d(x, 2)[0, 0], windows.mean(-1))


def _picture_from_text(rows: list[str]) -> torch.Tensor:
    """The input picture as the card's text figure states it: two characters per pixel, @ = 1, + = 0.5, blank 0."""
    value = {"@": 1.0, "+": 0.5, " ": 0.0}
    return torch.tensor([[value[row[j]] for j in range(0, len(row), 2)] for row in rows])


def _window_sums(picture: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """A 3×3 convolution (cross-correlation, as nn.Conv2d) written out as sums over windows."""
    rows, columns = picture.shape[0] - 2, picture.shape[1] - 2
    out = torch.zeros(rows, columns)
    for i in range(rows):
        for j in range(columns):
            out[i, j] = (picture[i:i + 3, j:j + 3] * kernel).sum()
    return out


@pytest.mark.parametrize("language", LANGUAGES)
def test_cnn_edges_relu_and_max_pooling(language: str) -> None:
    shown = card("cnn", language)
    image_caption = message("card.cnn.fig.image_text", language)
    rows = next(rows for caption, rows in shown.text_figures if caption == image_caption)
    picture = _picture_from_text(rows)
    sobel = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    feature = _window_sums(picture, sobel)
    low, high, peak = feature.min().item(), feature.max().item(), feature.abs().max().item()

    def g(value: float) -> str:
        return f"{value:g}".replace("-", "−")

    says(shown, "feature", image=str(tuple(picture.shape)), feature=str(tuple(feature.shape)), low=g(low),
         high=g(high), peak=g(peak))
    # Negative where brightness rises from left to right inside the window, positive where it falls, 0 where every
    # row of the window is the same at its left and right column (flat areas, top and bottom edges).
    for i in range(feature.shape[0]):
        for j in range(feature.shape[1]):
            left, right = picture[i:i + 3, j], picture[i:i + 3, j + 2]
            if feature[i, j] < 0:
                assert (right > left).any() and not (right < left).any()
            elif feature[i, j] > 0:
                assert (right < left).any() and not (right > left).any()
            if torch.equal(left, right):
                assert feature[i, j] == 0
    # The strongest responses are the square's sides: every window reaching ±peak has the square (value 1) on one
    # side of it and not on the other.
    square = picture == 1
    for i, j in (feature.abs() == peak).nonzero().tolist():
        assert square[i:i + 3, j].any() != square[i:i + 3, j + 2].any()
    # ReLU: the negative responses become 0.
    negatives = int((feature < 0).sum())
    says(shown, "relu", negatives=negatives)
    rectified = feature.clamp(min=0)
    # Max pooling 2×2, written as the maximum of each window.
    h, w = rectified.shape
    pooled = rectified.reshape(h // 2, 2, w // 2, 2).amax(dim=(1, 3))
    assert torch.equal(pooled, F.max_pool2d(feature.relu()[None, None], 2)[0, 0])

    def side_peak(response: torch.Tensor, object_value: float) -> float:
        """Largest positive response of windows that overlap the object with this value, as it survives pooling."""
        kept = torch.zeros_like(response)
        for i in range(response.shape[0]):
            for j in range(response.shape[1]):
                if response[i, j] > 0 and (picture[i:i + 3, j:j + 3] == object_value).any():
                    kept[i, j] = response[i, j]
        peak_value = kept.max().item()
        assert peak_value in response.reshape(h // 2, 2, w // 2, 2).amax(dim=(1, 3))  # it survives the pooling
        return peak_value

    says(shown, "pool", feature=str(tuple(feature.shape)), pooled=str(tuple(pooled.shape)), before=feature.numel(),
         after=pooled.numel(), square=g(side_peak(rectified, 1.0)), bar=g(side_peak(rectified, 0.5)))
    # "What survives is the right sides only": every value left after ReLU is a bright→dark (right-side) response.
    assert all(feature[i, j] > 0 for i, j in rectified.nonzero().tolist())
    flipped = _window_sums(picture, -sobel).clamp(min=0)
    says(shown, "flipped", square=g(side_peak(flipped, 1.0)), bar=g(side_peak(flipped, 0.5)))
    assert all(feature[i, j] < 0 for i, j in flipped.nonzero().tolist())  # the flipped kernel keeps the left sides


# -- perceptron ---------------------------------------------------------------------------------------------
POINTS = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]
TARGETS = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}


def _rosenblatt(targets: list[int], epochs: int = 20) -> tuple[list[float], float, int | None, int]:
    """The perceptron learning rule in plain Python: (w, b, first epoch without a mistake, last epoch's mistakes)."""
    w, b = [0.0, 0.0], 0.0
    mistakes = 0
    for epoch in range(1, epochs + 1):
        mistakes = 0
        for (x1, x2), y in zip(POINTS, targets, strict=True):
            predicted = 1 if w[0] * x1 + w[1] * x2 + b > 0 else 0
            if predicted != y:
                mistakes += 1
                w = [w[0] + (y - predicted) * x1, w[1] + (y - predicted) * x2]
                b += y - predicted
        if mistakes == 0:
            return w, b, epoch, 0
    return w, b, None, mistakes


def _mlp(targets: list[int]) -> tuple[float, float, nn.Sequential]:
    gen = torch.Generator().manual_seed(7)  # the card's MLP seed
    hidden = linear(2, 4, gen)
    output = linear(4, 1, gen)
    with torch.no_grad():
        hidden.bias.uniform_(-0.5, 0.5, generator=gen)
    model = nn.Sequential(hidden, nn.Tanh(), output)
    inputs, wanted = torch.tensor(POINTS), torch.tensor(targets, dtype=torch.float32)
    loss = adam(model, lambda: F.binary_cross_entropy_with_logits(model(inputs).squeeze(1), wanted), 250, 0.1)
    with torch.no_grad():
        accuracy = ((model(inputs).squeeze(1) > 0).float() == wanted).float().mean().item()
    return accuracy, loss, model


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("data", ["AND", "OR", "XOR"])
def test_perceptron_and_mlp_numbers(language: str, data: str) -> None:
    shown = card("perceptron", language, data=data)
    targets = TARGETS[data]
    table = ", ".join(f"({int(x1)}, {int(x2)})→{t}" for (x1, x2), t in zip(POINTS, targets, strict=True))
    says(shown, "data", name=data, table=table)
    w, b, converged, last_mistakes = _rosenblatt(targets)
    accuracy = sum((1 if w[0] * x1 + w[1] * x2 + b > 0 else 0) == t for (x1, x2), t in zip(POINTS, targets,
                                                                                           strict=True)) / 4
    if converged is not None:
        says(shown, "perceptron_ok", epoch=converged, w1=f"{w[0]:g}", w2=f"{w[1]:g}", b=f"{b:g}",
             accuracy=f"{accuracy:.0%}")
    else:
        says(shown, "perceptron_fail", epochs=20, mistakes=last_mistakes, accuracy=f"{accuracy:.0%}")
    assert (converged is None) == (data == "XOR")  # AND and OR are linearly separable, XOR is not
    mlp_accuracy, loss, model = _mlp(targets)
    said = stated(shown, "mlp")
    assert said["hidden"] == "4" and said["steps"] == "250" and said["accuracy"] == f"{mlp_accuracy:.0%}"
    assert shows(said["loss"], loss)
    if mlp_accuracy == 1.0:
        says(shown, "why")
        # "the output layer is linear, and in the hidden layer's space one straight line separates the points"
        with torch.no_grad():
            features = torch.tanh(model[0](torch.tensor(POINTS)))
            side = features @ model[2].weight[0] + model[2].bias
        assert [int(s > 0) for s in side] == targets
    else:
        assert message("card.perceptron.why", language) not in shown.text()


# -- rnn --------------------------------------------------------------------------------------------------
def _by_hand(rnn: nn.RNN, sequence: torch.Tensor) -> torch.Tensor:
    """h_t = tanh(W_ih·x_t + b_ih + W_hh·h_(t−1) + b_hh) from h_0 = 0, for a batch of one: (length, hidden)."""
    h = torch.zeros(rnn.hidden_size)
    states = []
    for x in sequence[:, 0]:
        h = torch.tanh(rnn.weight_ih_l0 @ x + rnn.bias_ih_l0 + rnn.weight_hh_l0 @ h + rnn.bias_hh_l0)
        states.append(h)
    return torch.stack(states)


def _gradient_norm(rnn: nn.RNN, sequence: torch.Tensor, length: int) -> float:
    x = sequence[:length].clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(_by_hand(rnn, x)[-1].sum(), x)
    return gradient[0].norm().item()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("length", [1, 10, 25, 40])
def test_rnn_numbers(language: str, length: int) -> None:
    shown = card("rnn", language, length=length)
    rnn, sequence = shown.rnn, shown.sequence
    output, h_n = nn.RNN(3, 16)(torch.zeros(length, 1, 3))
    says(shown, "shapes", size=3, hidden=16, input=str((length, 1, 3)), output=str(tuple(output.shape)),
         last=str(tuple(h_n.shape)))
    with torch.no_grad():
        real, last = rnn(sequence[:length])
        # The points' formula is what nn.RNN computes, and h_n is the last step's hidden state.
        assert torch.allclose(_by_hand(rnn, sequence[:length]), real[:, 0], atol=1e-6)
        assert torch.equal(last[0], real[-1])
    # "PyTorch's default initialisation": U(-1/√hidden, 1/√hidden) for every parameter.
    bound = 1 / math.sqrt(16)
    assert all(p.abs().max() <= bound and p.std() > 0 for p in rnn.parameters())
    norms = {n: _gradient_norm(rnn, sequence, n) for n in sorted({1, 5, 10, 20, 40, length})}
    said = stated(shown, "gradient")
    assert said["length"] == str(length)
    assert shows(said["norm"], norms[length]) and shows(said["first"], norms[1])
    assert shows(said["ratio"], norms[length] / norms[1], relative=1e-2)
    table = dict(entry.split(": ") for entry in stated(shown, "table")["values"].split(", "))
    assert list(table) == ["1", "5", "10", "20", "40"]
    for n, printed in table.items():
        assert shows(printed, norms[int(n)], relative=1e-2), (n, printed)
    # "the first inputs of a long sequence barely change its last hidden state": the vanishing gradient, measured.
    checkpoints = [norms[n] for n in (1, 5, 10, 20, 40)]
    assert checkpoints == sorted(checkpoints, reverse=True) and norms[40] < 1e-6 * norms[1]


# -- transformer -------------------------------------------------------------------------------------------
def _positional(length: int, dim: int) -> list[list[float]]:
    """PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)), in plain Python."""
    return [[(math.sin if k % 2 == 0 else math.cos)(pos / 10000 ** ((k - k % 2) / dim)) for k in range(dim)]
            for pos in range(length)]


def _attention(layer: nn.MultiheadAttention, x: torch.Tensor, scale: bool = True) -> tuple[torch.Tensor, ...]:
    """nn.MultiheadAttention by hand for one sequence (length, embed): (weights per head, output)."""
    embed, heads = layer.embed_dim, layer.num_heads
    size = embed // heads
    w_q, w_k, w_v = layer.in_proj_weight.split(embed)
    b_q, b_k, b_v = layer.in_proj_bias.split(embed)
    outputs, weights = [], []
    for h in range(heads):
        part = slice(h * size, (h + 1) * size)
        q, k, v = (x @ w[part].T + b[part] for w, b in ((w_q, b_q), (w_k, b_k), (w_v, b_v)))
        scores = q @ k.T / (math.sqrt(size) if scale else 1.0)
        weight = torch.softmax(scores, dim=-1)
        weights.append(weight)
        outputs.append(weight @ v)
    return torch.stack(weights), torch.cat(outputs, dim=-1) @ layer.out_proj.weight.T + layer.out_proj.bias


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("length", "head"), [(10, "average"), (10, "2"), (5, "1"), (8, "average")])
def test_transformer_numbers(language: str, length: int, head: str) -> None:
    shown = card("transformer", language, length=length, head=head)
    sentence = message("card.transformer.sentence", language).split()
    assert len(sentence) == 10  # both toy sentences are whole: the length setting reaches their last word
    words = sentence[:length]
    labels = [f"{w}({i + 1})" if words.count(w) > 1 else w for i, w in enumerate(words)]
    layer = shown.attention
    codes = torch.tensor(_positional(10, 8))
    assert torch.allclose(shown.embedded - shown.words, codes, atol=1e-6)  # the codes really were added
    says(shown, "positions", dim=8)
    table = next(rows for caption, rows in shown.text_figures if caption == message(
        "card.transformer.fig.positions", language))
    for pos, row in enumerate(table[1:]):
        assert [float(v) for v in row.split()[1:]] == [round(v, 2) + 0.0 for v in codes[pos].tolist()]
    for word in set(words):
        rows = [i for i, w in enumerate(words) if w == word]
        assert all(torch.equal(shown.words[i], shown.words[rows[0]]) for i in rows)  # one embedding per word
    if len(set(words)) < len(words):
        repeated = next(w for w in words if words.count(w) > 1)
        first = words.index(repeated)
        says(shown, "duplicates", word=repeated, first=first + 1, second=words.index(repeated, first + 1) + 1)
    x = shown.embedded[:length]
    with torch.no_grad():
        weights, output = _attention(layer, x)
        unscaled, _ = _attention(layer, x, scale=False)
        real_output, real_weights = layer(x[None], x[None], x[None], need_weights=True, average_attn_weights=False)
        reverse = list(range(length - 1, -1, -1))
        plain = shown.words[:length]
        without = (_attention(layer, plain[reverse])[1] - _attention(layer, plain)[1][reverse]).abs().max().item()
        with_codes = (_attention(layer, plain[reverse] + codes[:length])[1]
                      - _attention(layer, x)[1][reverse]).abs().max().item()
    assert torch.allclose(weights, real_weights[0], atol=1e-6) and torch.allclose(output, real_output[0], atol=1e-5)
    said = stated(shown, "order")
    assert as_float(said["without"]) < 1e-5 and without < 1e-5  # without codes: the outputs are only reversed
    assert shows(said["with_"], with_codes, relative=1e-2) and with_codes > 0.1  # with codes: other outputs
    says(shown, "shapes", input=str((1, length, 8)), heads=2, embed=8, weights=str((1, 2, length, length)),
         output=str((1, length, 8)))
    said = stated(shown, "scaling")
    assert (said["embed"], said["heads"], said["dk"], said["root"]) == ("8", "2", "4", "2")
    assert as_float(said["diff"]) == pytest.approx((weights - real_weights[0]).abs().max().item(), abs=1e-6)
    assert shows(said["unscaled"], unscaled.max().item()) and shows(said["scaled"], weights.max().item())
    assert unscaled.max() > weights.max()  # "sharper without the division"
    says(shown, "parallel", length=length, heads=2, scores=2 * length * length)
    says(shown, "rnn", steps=length, distance=length - 1)
    matrix = weights.mean(0) if head == "average" else weights[int(head) - 1]
    sums = matrix.sum(dim=1)
    says(shown, "rows", low=f"{sums.min().item():.6f}", high=f"{sums.max().item():.6f}")
    assert torch.allclose(sums, torch.ones(length), atol=1e-6)
    separator = message("card.common.separator", language)
    pairs = separator.join(f"{labels[i]}→{labels[int(matrix[i].argmax())]}" for i in range(length))
    says(shown, "strongest", pairs=pairs)
    pronoun, referent = message("card.transformer.pronoun", language), message("card.transformer.referent", language)
    if pronoun in words and referent in words:
        row = matrix[words.index(pronoun)]
        top = int(row.argmax())
        said = stated(shown, "pronoun_line")
        assert (said["pronoun"], said["referent"], said["top"]) == (pronoun, referent, labels[top])
        assert shows(said["weight"], row[words.index(referent)].item(), relative=0)
        assert shows(said["top_weight"], row[top].item(), relative=0)
        assert said["weight"] != said["top_weight"] or words.index(referent) == top  # two weights read apart
    else:
        assert f"'{pronoun}'" not in shown.text() and f"“{pronoun}”" not in shown.text()


# -- autoencoder ---------------------------------------------------------------------------------------------
def _autoencoder_errors(data: torch.Tensor) -> dict[int, float]:
    """One nn.Sequential autoencoder per bottleneck k, trained alone with torch.optim.Adam from the card's seed.

    The card draws its initial weights for all six models at once, stacked, from seed 32 (36→16, 16→6, 6→16,
    16→36); model k uses the first k code units of the 6-wide layers.
    """
    gen = torch.Generator().manual_seed(32)

    def uniform(*shape: int) -> torch.Tensor:
        bound = math.sqrt(6.0 / (shape[-2] + shape[-1]))
        return (torch.rand(*shape, generator=gen) * 2 - 1) * bound

    stacked = [uniform(6, 36, 16), uniform(6, 16, 6), uniform(6, 6, 16), uniform(6, 16, 36)]
    errors = {}
    for index, k in enumerate(range(1, 7)):
        layers = [nn.Linear(36, 16), nn.Linear(16, k), nn.Linear(k, 16), nn.Linear(16, 36)]
        initial = [stacked[0][index], stacked[1][index][:, :k], stacked[2][index][:k, :], stacked[3][index]]
        with torch.no_grad():
            for layer, weight in zip(layers, initial, strict=True):
                layer.weight.copy_(weight.T)
                layer.bias.zero_()
        model = nn.Sequential(layers[0], nn.ReLU(), layers[1], layers[2], nn.ReLU(), layers[3])
        errors[k] = adam(model, lambda model=model: F.mse_loss(model(data), data), 150, 0.02)
    return errors


@pytest.fixture(scope="module")
def autoencoder_errors() -> Any:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield _autoencoder_errors(card("autoencoder").data)
    finally:
        torch.set_num_threads(threads)  # later test modules get the thread count they started with


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("k", [1, 2, 3, 6])
def test_autoencoder_numbers(language: str, k: int, autoencoder_errors: dict[int, float]) -> None:
    shown = card("autoencoder", language, bottleneck=k)
    data = shown.data
    # The data is what the card says: 200 pictures of 6×6, each a mix of a row, a column and a diagonal plus noise
    # of standard deviation 0.02 (least squares onto the three strokes leaves that noise).
    strokes = torch.zeros(3, 6, 6)
    strokes[0, 2, :], strokes[1, :, 4], strokes[2] = 1.0, 1.0, torch.eye(6)
    basis = strokes.reshape(3, 36).T.double()
    mix = torch.linalg.lstsq(basis, data.T.double()).solution
    residual = data.T.double() - basis @ mix
    assert data.shape == (200, 36) and 0.9 * 0.02 < residual.std().item() < 1.1 * 0.02
    assert mix.min() > -0.05 and mix.max() < 1.05  # "a random mix": weights in [0, 1) up to the noise
    says(shown, "data", count=200, side=6, pixels=36, factors=3, noise="0.02")
    says(shown, "model", pixels=36, hidden=16, k=k, steps=150, count=200)
    variance = float(np.var(data.numpy().astype(np.float64), ddof=1))
    said = stated(shown, "error")
    assert said["k"] == str(k) and shows(said["error"], autoencoder_errors[k]) and shows(said["variance"], variance)
    assert shows(said["percent"].rstrip("%"), 100 * autoencoder_errors[k] / variance, relative=1e-2)
    curve = dict(entry.split(": ") for entry in stated(shown, "curve")["curve"].split(", "))
    assert list(curve) == [f"k={size}" for size in range(1, 7)]
    for size in range(1, 7):
        assert shows(curve[f"k={size}"], autoencoder_errors[size]), (size, curve)
    # The "why": with k = 3 the error is about the noise variance 0.0004, far below k = 2's; wider gains little.
    at_three = autoencoder_errors[3]
    wider = {size: autoencoder_errors[size] for size in (4, 5, 6)}
    best = min(wider, key=wider.__getitem__)
    assert 0.75 * 0.0004 < at_three < 1.25 * 0.0004 and autoencoder_errors[2] > 10 * at_three
    assert wider[best] > 0.8 * at_three
    says(shown, "why", factors=3, at_factors=f"{at_three:.4f}", noise="0.02", noise_variance="0.0004", wider="4…6",
         best=best, beyond=f"{wider[best]:.4f}")


# -- deep learning -------------------------------------------------------------------------------------------
def _rings() -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(41)
    labels = torch.arange(200) % 2
    angle = torch.rand(200, generator=gen) * 2 * math.pi
    radius = 0.5 + 0.7 * labels + 0.1 * torch.randn(200, generator=gen)
    return torch.stack([radius * torch.cos(angle), radius * torch.sin(angle)], dim=1), labels


@pytest.fixture(scope="module")
def trained_rings() -> Any:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield _trained_rings()
    finally:
        torch.set_num_threads(threads)  # later test modules get the thread count they started with


def _trained_rings() -> dict[str, Any]:
    points, labels = _rings()
    gen = torch.Generator().manual_seed(42)
    deep = nn.Sequential(linear(2, 8, gen), nn.ReLU(), linear(8, 8, gen), nn.ReLU(), linear(8, 2, gen))
    flat = linear(2, 2, gen)
    for model in (deep, flat):
        adam(model, lambda model=model: F.cross_entropy(model(points), labels), 200, 0.03)
    with torch.no_grad():
        correct = {name: int((m(points).argmax(1) == labels).sum()) for name, m in (("deep", deep), ("flat", flat))}
    return {"points": points, "labels": labels, "deep": deep, "correct": correct}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("sample", [0, 1, 10, 199])
def test_deep_learning_numbers(language: str, sample: int, trained_rings: dict[str, Any]) -> None:
    shown = card("deep-learning", language, sample=sample)
    points, labels = trained_rings["points"], trained_rings["labels"]
    assert torch.equal(shown.points, points)
    # "two rings": class 0 near radius 0.5 (inner), class 1 near 1.2 (outer); the text names the true ring.
    radius = points.norm(dim=1)
    assert radius[labels == 0].max() < radius[labels == 1].min()
    x = points[sample]
    ring = message(f"card.deep-learning.class{int(radius[sample] > 0.85)}", language)
    says(shown, "sample", index=sample, x=f"{x[0].item():.2f}", y=f"{x[1].item():.2f}", label=ring)
    # Layer by layer, with the card's own trained weights, by explicit matrix products.
    model = shown.model
    values = [x]
    with torch.no_grad():
        for layer in model:
            previous = values[-1]
            values.append(previous.clamp(min=0) if isinstance(layer, nn.ReLU) else
                          layer.weight @ previous + layer.bias)
    rows = shown.lines[1:7]
    for position, (row, value) in enumerate(zip(rows, values, strict=True)):
        assert row.split("[")[1].split("]")[0] == ", ".join(f"{v:.2f}" for v in value.tolist()), row
        if "ReLU()" in row:  # "ReLU set N negative values to 0": N negatives in what the ReLU received
            received = values[position - 1]
            assert row.endswith(message("card.deep-learning.zeros", language, count=int((received < 0).sum())))
    says(shown, "prediction", label=message(f"card.deep-learning.class{int(values[-1].argmax())}", language))
    correct = trained_rings["correct"]
    says(shown, "accuracy", steps=200, count=200, deep=correct["deep"], linear=correct["flat"],
         deep_percent=f"{correct['deep'] / 200:.1%}", linear_percent=f"{correct['flat'] / 200:.1%}")
    assert correct["deep"] > correct["flat"]
    says(shown, "features", width=8)
    says(shown, "black_box", parameters=sum(p.numel() for p in trained_rings["deep"].parameters()))
    says(shown, "compute", steps=200, count=200, total=200 * 200)


def test_deep_learning_training_really_runs_full_batches_forward_and_backward() -> None:
    """ "each of the 200 steps used all 200 points at once": count the first layer's passes while the card trains."""
    forward: list[tuple[int, ...]] = []
    backward: list[int] = []

    def on_forward(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        if isinstance(module, nn.Linear) and module.out_features == 8 and module.in_features == 2 and \
                torch.is_grad_enabled():
            forward.append(tuple(inputs[0].shape))

    def on_backward(module: nn.Module, grad_input: Any, grad_output: Any) -> None:
        if isinstance(module, nn.Linear) and module.out_features == 8 and module.in_features == 2:
            backward.append(1)

    hooks = [nn.modules.module.register_module_forward_hook(on_forward),
             nn.modules.module.register_module_full_backward_hook(on_backward)]
    try:
        with warnings.catch_warnings():
            # The input points need no gradient, so torch notes the hook sees gradients of outputs only: fine here.
            warnings.filterwarnings("ignore", message="Full backward hook is firing", category=UserWarning)
            card("deep-learning")
    finally:
        for hook in hooks:
            hook.remove()
    assert forward == [(200, 2)] * 200  # 200 training steps, each over all 200 points (with gradients)
    assert len(backward) == 200


# -- live tensor examples --------------------------------------------------------------------------------------
def _variables(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"torch": torch, "np": np}
    exec(code, namespace)  # the example, run here directly (not through the card's sandbox)
    return {k: v for k, v in namespace.items() if k not in ("torch", "np", "__builtins__")}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("topic", ["tensor-creation", "dtypes", "numpy-sharing", "broadcasting", "matmul",
                                   "reductions"])
def test_live_examples_describe_what_torch_really_made(topic: str, language: str) -> None:
    shown = card(topic, language)
    code = shown.controls["code"].value
    for name, value in _variables(code).items():
        if isinstance(value, torch.Tensor | np.ndarray):
            kind = "tensor" if isinstance(value, torch.Tensor) else "ndarray"
            dtype = str(value.dtype).removeprefix("torch.")
            shape = "(" + ", ".join(map(str, value.shape)) + ("," if value.ndim == 1 else "") + ")"
            assert message("card.common.value_line", language, name=name, kind=kind, shape=shape,
                           dtype=dtype) in shown.text()


def test_tensor_creation_points() -> None:
    assert torch.tensor([1.5, 2]).dtype == torch.float32 and torch.tensor([1, 2]).dtype == torch.int64
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        assert torch.tensor([1.5]).dtype == torch.float64  # "the default float type … unless set_default_dtype"
    finally:
        torch.set_default_dtype(default)
    data = [1.0, 2.0]
    made = torch.tensor(data)
    data[0] = 9.0
    assert made[0] == 1.0  # "copies the data"
    assert torch.arange(0, 10, 2).tolist() == [0, 2, 4, 6, 8]  # end excluded
    spaced = torch.linspace(0, 9, 4)
    assert spaced.numel() == 4 and spaced[0] == 0 and spaced[-1] == 9
    assert torch.full((2,), 7).dtype == torch.int64 and torch.full((2,), 7.0).dtype == torch.float32
    base = torch.tensor([[1, 2], [3, 4]], dtype=torch.int32)
    for like in (torch.zeros_like(base), torch.ones_like(base), torch.full_like(base, 5)):
        assert like.shape == base.shape and like.dtype == base.dtype and like.device == base.device
        assert not torch.equal(like, base)


def test_dtypes_points() -> None:
    a = torch.tensor([1.9, -1.9])
    assert a.dtype == torch.float32 and a.element_size() == 4 and a.double().element_size() == 8
    assert a.int().tolist() == [1, -1]  # truncation toward zero
    for convert in (a.half, a.double, a.int, a.long, lambda: a.type(torch.float16)):
        converted = convert()
        assert converted.dtype != a.dtype and converted.data_ptr() != a.data_ptr() and a.dtype == torch.float32
    for same in (a.float, lambda: a.type(torch.float32)):
        assert same() is a  # "when the tensor already has that dtype they return the tensor itself"
    i = torch.tensor([1], dtype=torch.int32)
    assert i.int() is i and torch.tensor([1]).long().dtype == torch.int64
    array = np.array([1.5, 2.5])
    assert array.dtype == np.float64 and torch.tensor(array).dtype == torch.float64
    shown = card("dtypes")
    assert "→: True" in shown.text()  # the example's last line, a.float() is a


def test_numpy_sharing_points() -> None:
    array = np.array([1.0, 2.0, 3.0])
    shared, copied = torch.from_numpy(array), torch.tensor(array)
    array[0] = 100.0
    assert shared[0] == 100.0 and copied[0] == 1.0
    back = shared.numpy()
    back[1] = -1.0
    assert array[1] == -1.0
    assert not np.shares_memory(array.copy(), array) and shared.clone().data_ptr() != shared.data_ptr()
    for language in LANGUAGES:
        shown = card("numpy-sharing", language)
        found = _variables(shown.controls["code"].value)
        arrays = {k: (v.numpy() if isinstance(v, torch.Tensor) else v) for k, v in found.items()}
        names = list(arrays)
        pairs = [f"{a}↔{b}" for i, a in enumerate(names) for b in names[i + 1:]
                 if np.shares_memory(arrays[a], arrays[b])]
        says(shown, "pairs", pairs=", ".join(pairs))


def test_broadcasting_points() -> None:
    a, b = torch.arange(3).reshape(3, 1), torch.arange(4)
    c = a + b
    assert c.shape == (3, 4)
    assert all(c[i, j] == a[i, 0] + b[j] for i in range(3) for j in range(4))
    stretched = a.expand(3, 4)
    assert stretched.stride() == (1, 0) and stretched.data_ptr() == a.data_ptr()  # no copy: stride 0
    with pytest.raises(RuntimeError):
        torch.ones(3) + torch.ones(4)
    shown = card("broadcasting")
    says(shown, "together", shape=str(tuple(torch.broadcast_shapes((3, 1), (4,), (3, 4)))))


def test_matmul_points() -> None:
    assert (torch.ones(2, 3) @ torch.ones(3, 4)).shape == (2, 4)
    assert (torch.ones(5, 2, 3) @ torch.ones(3, 4)).shape == (5, 2, 4)
    assert (torch.ones(2, 1) * torch.ones(3)).shape == (2, 3)  # the broadcast shape, not either input's
    assert (torch.ones(2, 3) * torch.ones(2, 3)).shape == (2, 3)


def test_reductions_points() -> None:
    t = torch.arange(6.0).reshape(2, 3)
    assert t.sum(dim=0).shape == (3,) and t.sum(dim=1).shape == (2,)
    values, indices = t.max(dim=0)
    assert values.tolist() == [3.0, 4.0, 5.0] and indices.tolist() == [1, 1, 1]
    k = t.sum(dim=1, keepdim=True)
    assert k.shape == (2, 1) and (t - k).shape == t.shape


# -- autograd --------------------------------------------------------------------------------------------------
def _y(w: float, b: float, x: float) -> float:
    return (w * x + b) ** 2


def _finite_difference(w: float, b: float, x: float, which: int, h: float = 1e-6) -> float:
    """∂y/∂(w, b or x) by central differences in float64: no autograd involved."""
    plus, minus = [w, b, x], [w, b, x]
    plus[which] += h
    minus[which] -= h
    return (_y(*plus) - _y(*minus)) / (2 * h)


def _code_of(shown: Any) -> str:
    """The code the card lists (the indented lines after its title line)."""
    title = message("card.autograd.code_title", shown.language)
    start = shown.lines.index(title) + 1
    rows = []
    for line in shown.lines[start:]:
        if not line.startswith("    "):
            break
        rows.append(line.removeprefix("    "))
    return "\n".join(rows)


def _autograd_tree(root: Any, names: dict[int, str]) -> list[tuple[int, str, str | None]]:
    """(depth, class name, leaf name) of every node under ``root``, depth first: an independent walk."""
    out: list[tuple[int, str, str | None]] = []

    def visit(node: Any, depth: int) -> None:
        if node is None:
            out.append((depth, "None", None))
            return
        out.append((depth, type(node).__name__, names.get(id(getattr(node, "variable", None)))))
        for child, _ in node.next_functions:
            visit(child, depth + 1)

    visit(root, 0)
    return out


TREE_ROW = re.compile(r"^(?P<indent>[│├└─ ]*)(?P<name>\S+)  (?P<detail>.+)$")


def _bare(printed: str) -> str:
    return printed.strip("()")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("x", "track"), [(1.5, False), (1.5, True), (-0.5, True), (-2.3, False), (3.0, True),
                                          (0.1, False), (0.5, False), (0.5, True)])
def test_autograd_graph_and_gradients(language: str, x: float, track: bool) -> None:
    shown = card("autograd", language, x=x, x_requires_grad=track)
    w, b = 2.0, -1.0
    x32 = float(torch.tensor(x, dtype=torch.float32))  # the card computes in float32
    z = w * x32 + b
    exact = {"w": 2 * z * x32, "b": 2 * z, "x": 2 * z * w}  # derived by hand
    for which, name in enumerate(("w", "b", "x")):
        assert abs(_finite_difference(w, b, x32, which) - exact[name]) < 1e-5, name

    # The code the card lists is real: run it here, and it gives the card's numbers.
    namespace: dict[str, Any] = {"torch": torch}
    exec(_code_of(shown), namespace)  # noqa: S102 (the card's own listing, checked)
    assert namespace["w"].grad.item() == shown.numbers["grads"]["w"]
    assert namespace["b"].grad.item() == shown.numbers["grads"]["b"]
    assert (namespace["x"].grad is None) == (not track)
    assert namespace["x"].item() == x32

    said = stated(shown, "forward")
    assert (as_float(said["w"]), as_float(said["b"]), said["x_grad"]) == (w, b, str(track))
    assert shows(said["x"], x32) and shows(said["z"], z) and shows(said["y"], z * z)

    # The graph, walked here from a fresh y: the card's tree has the same nodes, depths and leaves.
    wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    xt = torch.tensor(x, requires_grad=track)
    zt = wt * xt + bt
    yt = zt**2
    walked = _autograd_tree(yt.grad_fn, {id(wt): "w", id(bt): "b", id(xt): "x"})
    mul = yt.grad_fn.next_functions[0][0].next_functions[0][0]
    assert type(mul).__name__ == "MulBackward0"
    assert (mul.next_functions[1][0] is None) == (not track)  # x's slot: None when x needs no gradient
    rows = next(rows for caption, rows in shown.text_figures
                if caption == message("card.autograd.fig.tree", language))
    assert rows[0] == "y.grad_fn"
    parsed = [TREE_ROW.match(row) for row in rows[1:]]
    assert all(parsed), rows
    assert [(len(m["indent"]) // 3, m["name"]) for m in parsed if m] == [(d, k) for d, k, _ in walked]
    leaves = [leaf for _, kind, leaf in walked if kind == "AccumulateGrad"]
    assert leaves == (["w", "x", "b"] if track else ["w", "b"])
    between = [kind for _, kind, _ in walked[1:] if kind not in ("None", "AccumulateGrad")]
    separator = message("card.common.separator", language)
    says(shown, "graph", root="PowBackward0", chain=separator.join(between), count=len(leaves),
         leaves=separator.join(leaves))
    # What each node receives in backward(): ∂y/∂y = 1, then ∂y/∂z = 2z through Add and Mul, the leaves' gradients.
    received = {"PowBackward0": 1.0, "AddBackward0": 2 * z, "MulBackward0": 2 * z}
    for match, (_, kind, leaf) in zip(parsed, walked, strict=True):
        assert match is not None
        detail = match["detail"]
        if kind == "None":
            assert detail == message("card.autograd.node.none", language, name="x")
        elif kind == "AccumulateGrad":
            assert leaf is not None and detail.startswith(f"{leaf}.grad = ")
            assert shows(detail.split(" = ")[1], exact[leaf])
        else:
            value = detail.removeprefix(message("card.autograd.node.receives", language, value=""))
            assert shows(value, received[kind]), (kind, detail)
    # The drawing shows the same nodes with the same labels as the text tree.
    drawing = shown.figures[0][1]
    assert drawing.count("<rect ") == len(walked)
    for match in parsed:
        assert match is not None
        assert f">{escape(match['name'])}</text>" in drawing and f">{escape(match['detail'])}</text>" in drawing
    said = stated(shown, "backward")
    assert said["root"] == "PowBackward0" and said["first"] == "1" and shows(said["dz"], 2 * z)

    # The gradients, as derived by hand (and by finite differences above).
    said = stated(shown, "grad_w")
    assert shows(_bare(said["z"]), z) and shows(_bare(said["x"]), x32) and shows(said["value"], exact["w"])
    said = stated(shown, "grad_b")
    assert shows(_bare(said["z"]), z) and shows(said["value"], exact["b"])
    yt.backward()
    if track:
        said = stated(shown, "grad_x")
        assert shows(_bare(said["w"]), w) and shows(said["value"], exact["x"])
        assert xt.grad is not None
    else:
        says(shown, "no_grad_x")
        assert xt.grad is None
    # "z is not a leaf: its .grad stays None unless z.retain_grad() was called before backward()".
    says(shown, "nonleaf")
    assert not zt.is_leaf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch warns when a non-leaf's .grad is read
        assert zt.grad is None
    kept = wt * xt + bt
    kept.retain_grad()
    (kept**2).backward()  # a second backward() into the same leaves: they now hold twice the gradient
    assert kept.grad is not None and abs(kept.grad.item() - 2 * z) <= 1e-5 * (1 + abs(z))
    assert wt.grad is not None and abs(wt.grad.item() - 2 * exact["w"]) <= 1e-5 * (1 + abs(exact["w"]))
    if z == 0:
        says(shown, "flat")
        assert all(abs(v) == 0 for v in exact.values())
    else:
        said = stated(shown, "accumulate")
        assert shows(said["twice"], wt.grad.item())


def test_autograd_points() -> None:
    w = torch.tensor(2.0, requires_grad=True)
    x = torch.tensor(1.5)
    # "Outside torch.no_grad(), every operation on a tensor that requires grad records a node (grad_fn)".
    assert (w * x).grad_fn is not None and type((w * x).grad_fn).__name__ == "MulBackward0"
    assert type((w + x).grad_fn).__name__ == "AddBackward0" and type((w**2).grad_fn).__name__ == "PowBackward0"
    with torch.no_grad():
        assert (w * x).grad_fn is None
    # "A leaf is a tensor you made yourself; its branch ends in AccumulateGrad, which adds into .grad".
    assert w.is_leaf and not (w * x).is_leaf and w.grad_fn is None
    node = (w * x).grad_fn.next_functions[0][0]
    assert type(node).__name__ == "AccumulateGrad" and node.variable is w
    (w * x).backward()
    (w * x).backward()
    assert w.grad is not None and w.grad.item() == 3.0  # 1.5 + 1.5: added, not replaced
    # "an input that does not require grad is a None in next_functions".
    assert (w * x).grad_fn.next_functions[1][0] is None


# -- training loop -------------------------------------------------------------------------------------------------
def _line_points() -> tuple[torch.Tensor, torch.Tensor]:
    """The card's data recipe: 20 points, x evenly over [0, 2], y = 2x − 1 + noise of standard deviation 0.3."""
    noise = torch.randn(20, 1, generator=torch.Generator().manual_seed(71))
    x = torch.linspace(0, 2, 20).reshape(20, 1)
    return x, 2 * x - 1 + 0.3 * noise


def _sgd_run(lr: float, steps: int) -> dict[str, Any]:
    """The five lines with torch.optim.SGD, from the card's initialisation recipe (Glorot uniform, seed 5, bias 0)."""
    x, y = _line_points()
    model = linear(1, 1, torch.Generator().manual_seed(5))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses: list[float] = []
    parameters: list[tuple[float, float]] = []
    first: dict[str, Any] = {}
    for step in range(steps):
        prediction = model(x)
        loss = F.mse_loss(prediction, y)
        losses.append(loss.item())
        parameters.append((model.weight.item(), model.bias.item()))
        optimizer.zero_grad()
        loss.backward()
        if step == 0:
            assert model.weight.grad is not None and model.bias.grad is not None
            first = {"gw": model.weight.grad.item(), "gb": model.bias.grad.item(), "prediction": prediction,
                     "loss": loss}
            address, version = model.weight.data_ptr(), model.weight._version
        optimizer.step()
        if step == 0:  # "in place": the same memory, one more version
            assert model.weight.data_ptr() == address and model.weight._version == version + 1
            optimizer.zero_grad()
            assert model.weight.grad is None and model.bias.grad is None  # "sets .grad to None"
    with torch.no_grad():
        losses.append(F.mse_loss(model(x), y).item())
    parameters.append((model.weight.item(), model.bias.item()))
    return {"losses": losses, "parameters": parameters, **first}


def _same(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(u == v or (math.isnan(u) and math.isnan(v)) for u, v in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def line_bowl() -> dict[str, Any]:
    """The least-squares line by NumPy in float64, and the loss's curvature from autograd's own Hessian."""
    x, y = _line_points()
    xs, ys = x.double().flatten(), y.double().flatten()
    w, b = np.polyfit(xs.numpy(), ys.numpy(), 1)
    lowest = float(np.mean((w * xs.numpy() + b - ys.numpy()) ** 2))

    def loss(parameters: torch.Tensor) -> torch.Tensor:
        return ((parameters[0] * xs + parameters[1] - ys) ** 2).mean()

    hessian = torch.autograd.functional.hessian(loss, torch.tensor([0.3, -2.0], dtype=torch.float64))
    elsewhere = torch.autograd.functional.hessian(loss, torch.tensor([5.0, 1.0], dtype=torch.float64))
    assert torch.allclose(hessian, elsewhere)  # the same curvature everywhere: a quadratic bowl
    values, vectors = torch.linalg.eigh(hessian)
    assert values.min() > 0  # curving up in every direction: a bowl with one lowest point
    return {"best": (float(w), float(b)), "lowest": lowest, "curvature": values.max().item(),
            "steepest": vectors[:, -1], "hessian": hessian}


def test_training_loop_limit_is_where_gradient_descent_stops_shrinking_the_error(line_bowl: dict[str, Any]) -> None:
    """Below 2/λ every error direction shrinks; above it the steepest one flips sign and grows at every step."""
    limit = 2 / line_bowl["curvature"]
    best = torch.tensor(line_bowl["best"], dtype=torch.float64)
    hessian, steepest = line_bowl["hessian"], line_bowl["steepest"]
    start = torch.tensor([1.1, 0.0], dtype=torch.float64)
    for lr, stable in ((0.97 * limit, True), (1.03 * limit, False)):
        error = start - best
        along = [float(error @ steepest)]
        for _ in range(30):
            error = error - lr * hessian @ error  # a gradient step on the quadratic loss, in error coordinates
            along.append(float(error @ steepest))
        if stable:
            assert all(abs(b) < abs(a) for a, b in zip(along, along[1:], strict=False))
        else:
            assert all(a * b < 0 and abs(b) > abs(a) for a, b in zip(along, along[1:], strict=False))


TRAINING_CASES = [(0.1, 100, "converged"), (0.001, 100, "crawls"), (0.5, 100, "diverges"), (1.0, 60, "diverges"),
                  (0.46, 20, "unstable"), (0.1, 20, "improving"), (0.1, 50, "improving"), (0.3, 1, "improving"),
                  (0.001, 1, "crawls")]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("lr", "steps", "verdict"), TRAINING_CASES)
def test_training_loop_numbers(language: str, lr: float, steps: int, verdict: str,
                               line_bowl: dict[str, Any]) -> None:
    shown = card("training-loop", language, lr=lr, steps=steps)
    x, y = _line_points()
    assert torch.equal(shown.x, x) and torch.equal(shown.y, y)
    run = _sgd_run(lr, steps)
    losses, parameters = run["losses"], run["parameters"]
    # The card's own loop gives torch.optim.SGD's numbers exactly, step by step.
    assert _same(shown.numbers["losses"], losses)
    assert shown.numbers["parameters"] == parameters or all(
        _same(list(a), list(b)) for a, b in zip(shown.numbers["parameters"], parameters, strict=True))
    w0, b0 = parameters[0]
    says(shown, "data", count=20, low="0", high="2", w0=f"{w0:.4g}", b0=f"{b0 + 0.0:.4g}")
    prediction, loss = run["prediction"], run["loss"]
    says(shown, "line.forward", count=20, shape_in="(20, 1)", shape_out=str(tuple(prediction.shape)),
         grad_fn=type(prediction.grad_fn).__name__)
    assert tuple(x.shape) == (20, 1)
    said = stated(shown, "line.loss")
    assert said["count"] == "20" and said["grad_fn"] == type(loss.grad_fn).__name__ and shows(said["loss"], losses[0])
    # MSE is the mean of the squared errors, written out.
    assert abs(((w0 * x + b0 - y) ** 2).mean().item() - losses[0]) < 1e-6
    says(shown, "line.zero_grad")
    assert inspect_default(torch.optim.Optimizer.zero_grad, "set_to_none") is True
    said = stated(shown, "line.backward")
    assert shows(said["gw"], run["gw"]) and shows(said["gb"], run["gb"])
    residual = (w0 * x.double() + b0 - y.double()).flatten()
    assert abs(float((2 * residual * x.double().flatten()).mean()) - run["gw"]) < 1e-5  # ∂L/∂w by hand
    assert abs(float((2 * residual).mean()) - run["gb"]) < 1e-5  # ∂L/∂b by hand
    said = stated(shown, "line.step")
    w1 = parameters[1][0]
    assert shows(said["w0"], w0) and shows(said["lr"], lr) and shows(said["gw"].strip("()"), run["gw"])
    assert shows(said["w1"], w1) and abs(w1 - (w0 - lr * run["gw"])) < 1e-6

    best, lowest = line_bowl["best"], line_bowl["lowest"]
    said = stated(shown, "lowest")
    assert shows(said["lowest"], lowest) and shows(said["w"], best[0]) and shows(said["b"], best[1])
    limit = 2 / line_bowl["curvature"]
    said = stated(shown, "limit")
    assert shows(said["curvature"], line_bowl["curvature"]) and shows(said["limit"], limit)

    first, final = losses[0], losses[-1]
    bad = next((k for k, value in enumerate(losses) if not math.isfinite(value)), None)
    grew = bad is not None or final > first
    assert (verdict == "diverges") == grew  # the case list itself is right
    # "diverges" is said only when the loss grew or stopped being finite.
    word = {"en": "diverges", "zh": "发散了"}[language]
    assert any(word in line for line in shown.lines) == grew
    assert reads(shown, "nonfinite") == (bad is not None) and reads(shown, "grew") == (grew and bad is None)
    if bad is not None:
        said = stated(shown, "nonfinite")
        assert int(said["bad_step"]) == bad and int(said["last_step"]) == bad - 1
        assert shows(said["first"], first) and shows(said["last"], losses[bad - 1])
        assert said["bad"] == ("inf" if math.isinf(losses[bad]) else "nan")
        assert all(not math.isfinite(value) for value in losses[bad:])  # "after that it stays inf or NaN"
        if math.isinf(losses[bad]):
            says(shown, "overflow")
            assert shows("3.4e38", torch.finfo(torch.float32).max)
            assert losses[bad - 1] < torch.finfo(torch.float32).max
        return
    if grew:
        said = stated(shown, "grew")
        assert said.get("steps", "1") == str(steps)
        assert shows(said["first"], first) and shows(said["final"], final) and final > first
        return
    progress = (first - final) / (first - lowest)
    said = stated(shown, "after")
    assert said.get("steps", "1") == str(steps)
    w, b = parameters[-1]
    assert shows(said["final"], final) and shows(said["w"], w) and shows(said["b"], b)
    assert shows(said["first"], first) and shows(said["lowest"], lowest)
    assert shows_share(said["percent"], 100 * progress)
    if verdict == "unstable":
        assert lr > limit
        says(shown, "verdict.unstable", limit=f"{limit:.3g}")
        longer = _sgd_run(lr, 2000)["losses"]  # "it will grow: train longer"
        assert any(not math.isfinite(v) or v > first for v in longer)
    elif verdict == "converged":
        assert progress >= 0.99 and lr < limit
        says(shown, "verdict.converged")
    elif verdict == "improving":
        assert 0.5 <= progress < 0.99 or (progress < 0.5 and 10 * lr >= limit)
        says(shown, "verdict.improving")
        assert _sgd_run(lr, steps + 20)["losses"][-1] < final  # "more steps would bring the loss lower"
    else:
        assert verdict == "crawls" and progress < 0.5 and 10 * lr < limit
        faster = _sgd_run(10 * lr, steps)["losses"][-1]
        said = stated(shown, "verdict.crawls")
        assert said.get("steps", "1") == str(steps) and shows(said["faster"], 10 * lr)  # "one step" has no digit
        assert shows_share(said["percent"], 100 * (first - faster) / (first - lowest))
        assert faster < final


def shows_share(printed: str, percent: float) -> bool:
    """A percentage as the card prints a share of the way: rounded down to 0.1% from 1% up (so "100.0%" only at the
    bottom), two significant digits below."""
    value = as_float(printed.removesuffix("%"))
    if percent >= 1:
        return percent - 0.1 - 1e-6 <= value <= percent + 1e-6
    return shows(printed.removesuffix("%"), percent, relative=1e-3)


def inspect_default(function: Callable[..., Any], name: str) -> Any:
    import inspect

    return inspect.signature(function).parameters[name].default


@pytest.mark.parametrize("language", LANGUAGES)
def test_training_loop_curve_and_its_text(language: str) -> None:
    shown = card("training-loop", language, lr=1.0, steps=60)
    losses = _sgd_run(1.0, 60)["losses"]
    caption, rows = shown.text_figures[0]
    assert caption.startswith(message("card.training-loop.fig.curve_text", language, lowest="").split("{")[0][:10])
    label = message("card.training-loop.step_label", language, step=0).split("0")[0]
    for row in rows:
        step_text, value = row.removeprefix(label).split("  ")
        step = int(step_text.split()[0])
        if math.isfinite(losses[step]):
            assert shows(value, losses[step]), row
        else:
            assert value == ("inf" if math.isinf(losses[step]) else "nan"), row
    # The drawing: one point per finite loss before the first one that is not, and the mark where that happened.
    drawing = shown.figures[0][1]
    points = re.search(r'<polyline points="([^"]*)"', drawing)
    assert points is not None
    first_bad = next(k for k, v in enumerate(losses) if not math.isfinite(v))
    assert len(points.group(1).split()) == first_bad
    assert "× inf" in drawing


def test_training_loop_points() -> None:
    # "nn.Linear(1, 1) computes w·x + b": one weight and one bias.
    layer = nn.Linear(1, 1)
    assert [tuple(p.shape) for p in layer.parameters()] == [(1, 1), (1,)]
    x = torch.tensor([[3.0]])
    assert torch.allclose(layer(x), layer.weight * 3.0 + layer.bias)
    assert card("training-loop").x.shape == (20, 1)  # "20 noisy points"
