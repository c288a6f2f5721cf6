"""Chinese text keeps code in ASCII and prose in full-width punctuation; English counts through the count rules.

Copied out of a card, ``torch.tensor（数组）`` or ``tensormagic.card（'主题'）`` is a SyntaxError: code inside Chinese
text keeps its ASCII brackets, commas and quotes. The prose around it is Chinese and takes full-width punctuation
(``float32: 内存`` and ``准确率 100%, 损失`` read as typos). And no English message says "(s)": a number chooses its
singular or plural form through the catalogs' count rules (``{count:# step|# steps}``).

These checks run over every catalog module in ``tensormagic/i18n/``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import tensormagic.i18n as i18n
from tensormagic.i18n.forms import Template

_CJK = "\u4e00-\u9fff"
#: What a formula's brackets hold besides words; brackets around words alone are prose.
_MATH = r"'\"+\-−·×/=<>^"

RULES: dict[str, re.Pattern[str]] = {
    # A dotted lowercase name is a call: torch.tensor（数组）, tensormagic.card（'主题'）.
    "code with a full-width bracket": re.compile(r"(?<![\w.])[a-z_]\w*(?:\.[a-z_]\w*)+（"),
    "full-width punctuation against a code quote": re.compile(r"[（，）]['\"]|['\"][（，）]"),
    "ASCII punctuation before Chinese": re.compile(rf"[,;:!?] *[{_CJK}]"),
    "ASCII punctuation after Chinese": re.compile(rf"[{_CJK}][,;:!?.]"),
    # Brackets right after a name are a call, torch.tensor(数组); around words alone they are prose.
    "ASCII brackets around Chinese prose": re.compile(
        rf"[{_CJK}]\(|\)[{_CJK}]|(?<![\w\]])\([^(){_MATH}]*[{_CJK}][^(){_MATH}]*\)"
    ),
    "an ASCII question or exclamation mark ending a sentence": re.compile(r"[!?]\s*$"),
}

#: Keys of catalogs other than cards.py that break these rules on this branch. Their owners fix them (reported to
#: the lead), who then empties these lists; no key may join them.
KNOWN_CHINESE: set[tuple[str, str]] = set()
KNOWN_PLURALS: set[tuple[str, str]] = set()
KNOWN_PLAIN_STRINGS: set[str] = set()


def offences(text: str) -> list[str]:
    """The rules a Chinese text breaks. Placeholders are values, not punctuation: they are blanked first."""
    plain = re.sub(r"\{[^{}]*\}", "\x00", text)
    return [name for name, rule in RULES.items() if rule.search(plain)]


def _catalogs() -> list[str]:
    return [info.name for info in pkgutil.iter_modules(i18n.__path__)]


def _table(module_name: str, language: str) -> dict[str, str]:
    table: dict[str, str] = getattr(importlib.import_module(f"tensormagic.i18n.{module_name}"), language, {})
    return table


@pytest.mark.parametrize("module_name", _catalogs())
def test_chinese_code_stays_ascii_and_chinese_prose_is_full_width(module_name: str) -> None:
    broken = {key: offences(text) for key, text in _table(module_name, "ZH").items() if offences(text)}
    unknown = {key: found for key, found in broken.items() if (module_name, key) not in KNOWN_CHINESE}
    assert not unknown, unknown


@pytest.mark.parametrize("module_name", _catalogs())
def test_english_counts_use_the_count_rules_never_s_in_brackets(module_name: str) -> None:
    table = _table(module_name, "EN")
    unknown = [key for key, text in table.items() if "(s)" in text and (module_name, key) not in KNOWN_PLURALS]
    assert not unknown, unknown
    if module_name not in KNOWN_PLAIN_STRINGS:
        for language in ("EN", "ZH"):
            assert all(isinstance(text, Template) for text in _table(module_name, language).values()), language


def test_the_rules_catch_what_they_are_meant_to() -> None:
    wrong = [
        "用 torch.tensor（数组） 创建",
        "用 %explain 主题 （或 tensormagic.card（'主题'）） 打开",
        "float32: 内存只有一半",
        "准确率 100%, 损失 0.1",
        "你是不是想找：{names}?",
        "形状(shape)列出",
        "输入 (批量，通道，高，宽)",
        "{x}, 实际在外圈",
    ]
    right = [
        "用 torch.tensor(数组) 创建",
        "用 %explain 主题（或 tensormagic.card('主题')）打开",
        "float32：内存只有一半",
        "准确率 100%，损失 0.1",
        "你是不是想找：{names}？",
        "形状（shape）列出",
        "输入 (1, 3, 28, 28)（批量，通道，高，宽）",
        "一个真实的 nn.RNN（未经训练）",
        "⌊(大小 + 2·padding − kernel) / stride⌋",
        "nn.Conv2d({channels}, {out})：",
    ]
    assert all(offences(text) for text in wrong), [text for text in wrong if not offences(text)]
    assert not any(offences(text) for text in right), {text: offences(text) for text in right if offences(text)}
