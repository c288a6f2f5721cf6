"""A forward pass reads as one group: the cell's call (``model(x)``) and its model as a header, its layer calls
under it.

Text indents the calls under the header, HTML puts them in one ``<details>`` per pass, Markdown nests them; the
``max_lines`` cut counts the header as a row.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

import tensormagic as tm
from tensormagic.explanation import Explanation
from tensormagic.render.explanation import OPEN_GROUP_CALLS

LANGUAGES = ("en", "zh")
MLP = "model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))\n"


class Block(nn.Module):
    """A custom module whose forward calls its submodules and a torch function of its own."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Linear(6, 4)
        self.head = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.tanh(self.encoder(x)))


def explain(source: str, language: str = "en", max_lines: int = 400, **names: Any) -> Explanation:
    return tm.explain(source, {"torch": torch, "nn": nn, "np": np, **names}, language, max_lines=max_lines)


def step_lines(e: Explanation, line: int) -> list[str]:
    """The text lines of code line ``line``: its own line and what follows up to the next code line."""
    lines = e.lines()
    start = next(i for i, text in enumerate(lines) if re.match(rf"\s*{line} │ ", text))
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"\s*\d+ │ ", lines[i])), len(lines))
    return [text.split("│", 1)[1] for text in lines[start + 1:end]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_sequential_forward_pass_is_one_group_with_its_shapes(language: str) -> None:
    e = explain(MLP + "x = torch.randn(5, 4)\ny = model(x)", language)
    rows = step_lines(e, 3)
    header = {"en": "model(x): Sequential forward pass, 3 layer calls, (5, 4) → (5, 2)",
              "zh": "model(x)：Sequential 的前向传播，3 次层调用，(5, 4) → (5, 2)"}[language]
    assert rows[0] == "   " + header
    calls = [row for row in rows[1:] if "↳" not in row]
    assert [row.split()[0] for row in calls] == ["torch.nn.functional.linear", "torch.nn.functional.relu",
                                                  "torch.nn.functional.linear"]
    assert all(row.startswith("     torch") for row in calls)  # indented under the header
    assert all(row.startswith("       ↳") for row in rows[1:] if "↳" in row)
    html = e._repr_html_()
    assert html.count("<details") == 1 and html.count("</details>") == 1
    assert html.count("<summary>") == 1 and "<details class=\"tensormagic-forward\" open>" in html  # 3 calls: open
    assert re.search(r"<summary><b>model\(x\)", html)
    markdown = e.markdown()
    assert f"- **{header}**" in markdown.replace("\\", "")
    assert "\n  - torch.nn.functional.relu" in markdown
    # The shapes in the header are the calls' own: the first call's input and the last call's result.
    first, last = e.steps[-1].calls[0], e.steps[-1].calls[-1]
    assert first.inputs[0].shape == (5, 4) and last.result is not None and last.result.shape == (5, 2)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_custom_module_forward_is_one_group(language: str) -> None:
    e = explain("net = Block()\nx = torch.randn(2, 6)\nout = net(x)", language, Block=Block)
    rows = step_lines(e, 3)
    header = {"en": "net(x): Block forward pass, 3 layer calls, (2, 6) → (2, 3)",
              "zh": "net(x)：Block 的前向传播，3 次层调用，(2, 6) → (2, 3)"}[language]
    assert rows[0].strip() == header
    layers = [call.layer for call in e.steps[-1].calls]
    assert layers == ["net.encoder", "net", "net.head"]  # torch.tanh ran in Block.forward itself
    assert e._repr_html_().count("<details") == 1


def test_two_forward_passes_on_one_line_are_two_groups_each_labelled() -> None:
    e = explain(MLP + "a = torch.randn(5, 4)\nb = torch.randn(2, 4)\ny = model(a).sum() + model(b).sum()")
    rows = step_lines(e, 4)
    headers = [row.strip() for row in rows if "forward pass" in row]
    assert headers == ["model(a): Sequential forward pass, 3 layer calls, (5, 4) → (5, 2)",
                       "model(b): Sequential forward pass, 3 layer calls, (2, 4) → (2, 2)"]
    # Each pass names its own layers (the second is not left unlabelled as "said before").
    labels = [note.text.split()[0] for call in e.steps[-1].calls for note in call.notes if note.code == "layer"]
    assert labels == ["model[0]", "model[1]", "model[2]"] * 2
    # The sums are not inside a group: they sit at the calls' indent.
    assert [row for row in rows if "Tensor.sum" in row] == ["   " + row.strip() for row in rows if "Tensor.sum" in row]
    html = e._repr_html_()
    assert html.count("<details") == 2 and html.count("</details>") == 2
    assert html.index("</details>") < html.index("<summary><b>model(b)")  # one closes, then the next


def test_a_forward_pass_in_a_loop_is_one_group_with_its_counts() -> None:
    e = explain(MLP + "x = torch.randn(5, 4)\nfor _ in range(3):\n    y = model(x)")
    rows = step_lines(e, 4)
    assert rows[0].strip() == "model(x): Sequential forward pass, 3 layer calls, 9 runs in all, (5, 4) → (5, 2)"
    assert [call.count for call in e.steps[-1].calls] == [3, 3, 3]
    assert sum("×3" in row for row in rows) == 3
    zh = e.in_language("zh")
    assert step_lines(zh, 4)[0].strip() == "model(x)：Sequential 的前向传播，3 次层调用，共执行 9 次，(5, 4) → (5, 2)"


def test_one_layer_called_alone_needs_no_group() -> None:
    e = explain("layer = nn.Linear(4, 3)\ny = layer(torch.ones(2, 4))")
    assert "forward pass" not in e.text(200) and "<details" not in e._repr_html_()


def test_a_long_forward_pass_starts_closed_in_html() -> None:
    layers = "nn.Linear(4, 4), nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Linear(4, 2)"
    e = explain(f"model = nn.Sequential({layers})\ny = model(torch.ones(3, 4))")
    assert len(e.steps[-1].calls) - 1 == 5 > OPEN_GROUP_CALLS  # torch.ones, then the pass's five calls
    html = e._repr_html_()
    assert html.count('<details class="tensormagic-forward">') == 1 and " open>" not in html
    assert "Sequential forward pass, 5 layer calls, (3,\xa04) → (3,\xa02)</b></summary>" in html


class SharedActivation(nn.Module):
    """One ReLU module used after each of three layers (a user's module, defined outside the cell)."""

    def __init__(self) -> None:
        super().__init__()
        self.a, self.b, self.c = nn.Linear(4, 4), nn.Linear(4, 3), nn.Linear(3, 2)
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.c(self.act(self.b(self.act(self.a(x))))))


def test_shapes_are_left_out_when_the_listed_order_is_not_the_run_order() -> None:
    # The one ReLU module runs three times: one call (relu ×3), listed after model.a, so the last call listed is
    # not the last run and no shapes are claimed.
    e = explain("model = SharedActivation()\ny = model(torch.ones(2, 4))", SharedActivation=SharedActivation)
    header = step_lines(e, 2)[2].strip()
    assert header == "model(torch.ones(2, 4)): SharedActivation forward pass, 4 layer calls, 6 runs in all"


@pytest.mark.parametrize("max_lines", range(5, 14))
def test_the_cut_counts_the_group_header_and_closes_the_group(max_lines: int) -> None:
    e = explain(MLP + "x = torch.randn(5, 4)\ny = model(x)", max_lines=max_lines)
    full = explain(MLP + "x = torch.randn(5, 4)\ny = model(x)").lines()
    lines = e.lines()
    shown, more = lines[:-1], lines[-1]
    hidden = int(re.search(r"(\d+) more line", more).group(1))  # type: ignore[union-attr]
    assert len(lines) == max_lines  # title + rows + the "N more" line
    assert shown == full[: len(shown)]  # the same rows as uncut, header included, in the same order
    assert len(shown) - 1 + hidden == len(full) - 1  # every row shown or counted
    html = e._repr_html_()
    assert html.count("<details") == html.count("</details>") <= 1


def test_hostile_names_are_escaped_in_the_group() -> None:
    hostile = type("<img src=x onerror=alert(1)>", (Block,), {})
    e = explain("evil = Evil()\nout = evil(torch.ones(1, 6))", Evil=hostile)
    html = e._repr_html_()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt; forward pass" in html
    markdown = e.markdown()
    assert "\\<img" in markdown and "<img" not in markdown.replace("\\<img", "")


def test_brief_mode_keeps_the_group() -> None:
    e = explain(MLP + "x = torch.randn(5, 4)\ny = model(x)")
    e.detail = "brief"
    rows = step_lines(e, 3)
    assert rows[0].strip().startswith("model(x): Sequential forward pass, 3 layer calls")
    assert len(rows) == 4 and all(row.startswith("     torch.nn.functional.") for row in rows[1:])
    assert e._repr_html_().count("<details") == 1


def test_each_parameter_free_layer_is_its_own_call_with_its_own_path() -> None:
    """Three ReLUs of one Sequential are model[1], model[3] and model[5]: not one `relu ×3` labelled model[1]."""
    source = (
        "model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2), nn.ReLU())\n"
        "y = model(torch.ones(5, 4))\n"
        "for _ in range(3):\n"
        "    y = model(torch.ones(5, 4))"
    )
    e = explain(source)
    for line, runs in ((2, 1), (4, 3)):
        calls = [c for s in e.steps if s.line == line for c in s.calls if c.layer is not None]
        assert [c.layer for c in calls] == [f"model[{k}]" for k in range(6)]
        assert all(c.count == runs for c in calls)
        relus = [c for c in calls if c.name.endswith("relu")]
        assert [c.first_shape or c.result.shape for c in relus if c.result is not None]  # shapes recorded
        assert [tuple(c.result.shape) for c in relus if c.result is not None] == [(5, 3), (5, 3), (5, 2)]
