"""Plain text for terminals: display widths, wrapping with hanging indents, and the width output goes to."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tensormagic
from tensormagic.render.text import (
    NOTEBOOK_WIDTH,
    display_width,
    keep_shapes,
    keep_together,
    output_width,
    wrap,
)

WORD = re.compile(r"[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+")


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("abc", 3), ("张量", 4), ("t1 与 n1", 8), ("（形状）", 8), ("↳ · →", 5), ("", 0),
        ("e\u0301", 1), ("x\u0304", 1),  # a combining mark takes no column of its own
        ("\uff76", 1),  # half-width katakana: one column (the old ord > 0x2E80 rule said two)
        ("😀", 2), ("👩\u200d💻", 2), ("🇨🇳", 2),  # an emoji is two columns however many code points build it
        ("a\x07b", 2),  # a control character takes no column
    ],
)
def test_display_width_counts_terminal_columns(text: str, columns: int) -> None:
    assert display_width(text) == columns


def test_wrap_breaks_at_spaces_with_a_hanging_indent() -> None:
    text = "rule: compare sizes from the right; each pair must be equal or one of them 1 (a missing axis counts as 1)"
    lines = wrap(text, 40, indent="  ↳ ", hang="    ")
    assert lines == [
        "  ↳ rule: compare sizes from the right;",
        "    each pair must be equal or one of",
        "    them 1 (a missing axis counts as 1)",
    ]


def test_wrap_breaks_chinese_between_characters_never_before_closing_punctuation() -> None:
    text = "规则：从最右边的维度开始比较，每一对大小必须相等或其中一个为 1（缺少的维度当作 1）；大小为 1 的维度会被拉伸"
    lines = wrap(text, 24, indent="", hang="  ")
    assert all(display_width(line) <= 24 for line in lines)
    assert "".join(line.strip().replace(" ", "") for line in lines) == text.replace(" ", "")
    assert not any(line.strip()[0] in "，。；：）" for line in lines[1:])  # no line starts with closing punctuation
    assert not any(line.rstrip().endswith("（") for line in lines)  # none ends with opening punctuation


def test_shapes_and_kept_parts_are_never_split() -> None:
    lines = wrap("the result is (1, 8, 26, 26) and " + keep_together("min", "2") + " more words here", 22)
    assert any("(1, 8, 26, 26)" in line for line in lines)
    assert any("min 2" in line for line in lines)
    assert "\u00a0" not in "".join(lines)  # kept spaces come out as ordinary spaces
    assert keep_shapes("(2, 3) @ (3, 4)") == "(2,\u00a03) @ (3,\u00a04)"


def test_a_word_longer_than_the_line_is_the_only_thing_cut() -> None:
    lines = wrap("short " + "x" * 30 + " end", 12, hang="  ")
    assert all(display_width(line) <= 12 for line in lines)
    assert "".join(line.strip() for line in lines) == "short" + "x" * 30 + "end"


def test_leading_spaces_are_kept_and_continue_under_themselves() -> None:
    assert wrap("        [   4,    5,    6]])", 20, hang="  ") == ["        [   4,    5,", "          6]])"]


def test_empty_and_blank_lines() -> None:
    assert wrap("", 20) == [""]
    assert wrap("", 20, indent="  │ ") == ["  │"]


@given(
    st.lists(
        st.one_of(
            st.text(alphabet="abcdefghij()[],.:;0123456789", min_size=1, max_size=14),
            st.text(alphabet="张量形状内存视图广播规则，。（）", min_size=1, max_size=6),
        ),
        min_size=1, max_size=30,
    ),
    st.integers(min_value=16, max_value=100),
)
def test_wrapped_lines_fit_and_keep_every_word(words: list[str], width: int) -> None:
    text = " ".join(words)
    lines = wrap(text, width, indent="  │ ", hang="  │     ")
    assert all(display_width(line) <= width for line in lines)
    pieces = [piece for line in lines for piece in WORD.findall(line.replace("│", " "))]
    for word in WORD.findall(text):
        if display_width(word) <= width - display_width("  │     "):
            assert word in pieces, (word, lines)


def test_output_width_in_plain_python_follows_the_terminal() -> None:
    script = "from tensormagic.render.text import output_width; print(output_width())"
    for columns in ("60", "132"):
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True,
            env={"COLUMNS": columns, "PATH": "/usr/bin:/bin"},
        )
        assert done.stdout.strip() == columns


@pytest.mark.wrapped
def test_output_width_in_a_non_terminal_shell_is_the_notebook_width(shell: object) -> None:
    assert output_width() == NOTEBOOK_WIDTH == 100


def test_nothing_hand_counts_wide_characters_any_more() -> None:
    """One display_width() rule: no module keeps its own ``ord(ch) > 0x2E80`` count or East-Asian width table."""
    root = Path(tensormagic.__file__).parent
    rules = ("0x2E80", "0x2e80", "east_asian_width", "unicodedata", "\\u2e80")
    hits = [
        (str(path), rule) for path in root.rglob("*.py") for rule in rules if rule in path.read_text(encoding="utf-8")
    ]
    assert hits == [], hits


def test_wrap_never_splits_a_grapheme() -> None:
    """A flag, a joined emoji and a letter with its combining mark stay whole, even when cut as too long a word."""
    for text in ("🇨🇳" * 12, "👩\u200d💻" * 12, "x\u0304" * 30):
        lines = wrap(text, 9)
        assert all(display_width(line) <= 9 for line in lines)
        assert "".join(lines) == text
        assert not any(line.startswith(("\u200d", "\u0304", "💻")) or line.endswith("\u200d") for line in lines)
    flags = wrap("🇨🇳" * 12, 9)
    assert all(len(line) % 2 == 0 for line in flags)  # regional indicators in pairs: no half flag


def test_the_svg_module_moved_to_render() -> None:
    from tensormagic.render import svg

    assert svg.bars([1.0, 2.0]).startswith("<svg")
    with pytest.raises(ModuleNotFoundError):
        __import__("tensormagic.widgets.svg")


def test_text_matrix_aligns_chinese_labels() -> None:
    from tensormagic.render.svg import text_matrix

    lines = text_matrix([[1.0, 2.0], [3.0, 4.0]], ["第一行", "row"], ["列一", "b"])
    assert len({display_width(line) for line in lines}) == 1, lines



def test_a_wide_table_folds_into_blocks_of_columns_repeating_its_labels() -> None:
    from tensormagic.render.text import fold_columns

    rows = ["      a     b     c", "x  1.00  2.00  3.00", "yy 4.00  5.00  6.00"]
    assert fold_columns(rows, 100) == rows  # fits: unchanged
    folded = fold_columns(rows, 14)
    assert folded == ["      a     b", "x  1.00  2.00", "yy 4.00  5.00", "", "      c", "x  3.00", "yy 6.00"]
    assert fold_columns(["a drawing, not a table"], 5) == ["a drawing, not a table"]


def test_a_wide_table_with_chinese_and_emoji_folds_by_display_columns() -> None:
    from tensormagic.render.text import fold_columns, pad, rjust

    labels, columns = ["", "张量", "x\u0304", "层😀"], ["第一列", "b", "第三列"]
    cells = [columns, ["1.00", "2.00", "3.00"], ["4.00", "5.00", "6.00"], ["7.00", "8.00", "9.00"]]
    rows = [pad(label, 5) + "".join(rjust(c, 8) for c in row) for label, row in zip(labels, cells, strict=True)]
    assert len({display_width(row) for row in rows}) == 1  # an aligned table, 29 columns
    folded = fold_columns(rows, 21)
    assert all(display_width(line) <= 21 for line in folded)
    blank = folded.index("")
    first, second = folded[:blank], folded[blank + 1 :]
    assert [line[:5].rstrip() for line in first[1:]] == [line[:5].rstrip() for line in second[1:]]  # labels again
    assert second[0].strip() == "第三列" and second[1].endswith("3.00") and first[0].strip().startswith("第一列")
    # every block's columns still line up: each number ends where its heading ends
    for block in (first, second):
        assert len({display_width(line) for line in block}) == 1, block


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_card_as_text_fits_80_columns_and_keeps_every_word(language: str) -> None:
    from tensormagic.cards import TopicList

    for topic, _, _ in TopicList(language).rows():
        card = tensormagic.card(topic, language)
        text, unwrapped = card.text(80), card.text(10**6)
        assert all(display_width(line) <= 80 for line in text.splitlines()), (topic, text)
        assert not Counter(WORD.findall(unwrapped)) - Counter(WORD.findall(text)), topic
