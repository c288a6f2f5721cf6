"""``%tensor?`` and ``%explain?`` follow ``TensorMagic.language`` in a real shell; the README's reference (built
from ``__doc__``) stays English; the Chinese help is complete and its English twin is the magics' own help."""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from IPython.utils.capture import capture_output

from tensormagic.i18n import catalogs
from tensormagic.magics import TensorMagics
from tensormagic.magics.help import display_width, localized_help, wrap

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff]")
MAGICS = ("tensor", "explain")


def parser_of(name: str) -> Any:
    return getattr(TensorMagics, name).parser


def pinfo(shell: Any, name: str) -> str:
    with capture_output() as captured:
        shell.run_cell(f"{name}?")
    return captured.stdout


@pytest.mark.parametrize("name", ["%tensor", "%explain", "%%explain"])
def test_help_follows_the_language_in_a_real_shell(shell: Any, name: str) -> None:
    magic = name.lstrip("%")
    english = pinfo(shell, name)
    assert catalogs()["en"][f"help.{magic}.description"].splitlines()[0] in english
    assert not CJK.search(english)

    shell.run_line_magic("config", 'TensorMagic.language = "zh"')
    chinese = pinfo(shell, name)
    zh = catalogs()["zh"]
    assert zh[f"help.{magic}.description"].splitlines()[0] in chinese
    assert zh["help.options"] + "：" in chinese
    for action in parser_of(magic)._actions:
        # every option's Chinese help, as argparse formats it (%% -> %), wrapped: compare without the wrapping
        expected = zh[f"help.{magic}.{action.dest}"].replace("%%", "%")
        assert expected.replace(" ", "") in re.sub(r"\s+", "", chinese)
        for option in action.option_strings:
            assert option in chinese
    # The inspector (Jupyter's Shift+Tab) gives the same text
    assert zh[f"help.{magic}.description"].splitlines()[0] in shell.object_inspect_text(name)

    shell.run_line_magic("config", 'TensorMagic.language = "en"')
    assert pinfo(shell, name) == english


def test_the_docstrings_and_the_readme_reference_stay_english(shell: Any) -> None:
    shell.run_line_magic("config", 'TensorMagic.language = "zh"')
    for name in MAGICS:
        assert not CJK.search(getattr(TensorMagics, name).__doc__)
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import magic_reference
    finally:
        sys.path.remove(str(ROOT / "tools"))
    assert not CJK.search(magic_reference.reference())


def test_without_the_extension_loaded_the_help_is_english() -> None:
    # No shell has tensormagic loaded: getdoc() declines and IPython shows __doc__ as it always did
    assert TensorMagics.tensor.getdoc() is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", MAGICS)
def test_the_english_catalog_is_the_magics_own_help(name: str) -> None:
    """A changed English help must change the catalog too, and with it the Chinese (both languages always)."""
    parser = parser_of(name)
    en = catalogs()["en"]
    assert en[f"help.{name}.description"] == inspect.cleandoc(parser.description)
    for action in parser._actions:
        assert en[f"help.{name}.{action.dest}"] == action.help, action.dest
        assert f"help.{name}.{action.dest}" in catalogs()["zh"]


def test_chinese_help_lines_fit_the_width_in_columns() -> None:
    text = localized_help(TensorMagics.tensor, "zh")
    assert CJK.search(text)
    help_lines = [line for line in text.splitlines() if line.startswith(" " * 24) and CJK.search(line)]
    assert help_lines
    width = max(display_width(line) for line in help_lines)
    assert width <= 80


def test_wrap_breaks_between_chinese_characters_and_keeps_punctuation_attached() -> None:
    lines = wrap("不计算统计量（最小值、最大值、平均值、标准差、NaN/Inf/零的个数）。", 20)
    assert all(display_width(line) <= 20 for line in lines)
    assert "".join(lines) == "不计算统计量（最小值、最大值、平均值、标准差、NaN/Inf/零的个数）。"
    assert not any(line[0] in "，。、）" for line in lines)
    assert wrap("EXPR or NAME = EXPR", 9) == ["EXPR or", "NAME =", "EXPR"]
