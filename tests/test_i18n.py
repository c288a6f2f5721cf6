"""Every message exists in English and Chinese, with the same placeholders."""

from __future__ import annotations

import importlib
import pkgutil
import re
import string

import pytest

import tensormagic.i18n as i18n


def _modules() -> list[str]:
    return [info.name for info in pkgutil.iter_modules(i18n.__path__)]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("module_name", _modules())
def test_both_languages_have_the_same_keys_and_placeholders(module_name: str) -> None:
    module = importlib.import_module(f"tensormagic.i18n.{module_name}")
    assert set(module.EN) == set(module.ZH), f"keys differ in {module_name}"
    for key, english in module.EN.items():
        assert _fields(english) == _fields(module.ZH[key]), f"placeholders differ for {key}"
        assert module.ZH[key].strip(), f"empty Chinese text for {key}"


def test_chinese_is_actually_chinese() -> None:
    zh = i18n.catalogs()["zh"]
    sentences = [text for key, text in zh.items() if len(text) > 12]
    with_cjk = [text for text in sentences if any("\u4e00" <= ch <= "\u9fff" for ch in text)]
    assert len(with_cjk) >= 0.9 * len(sentences)


def test_chinese_uses_full_width_punctuation_in_sentences() -> None:
    # "内存相同,没有复制" reads as a typo to a Chinese reader; ASCII punctuation stays only inside code.
    mixed = re.compile(r"[\u4e00-\u9fff][,:;!?]|[,;!?][\u4e00-\u9fff]")
    offenders = [text for text in i18n.catalogs()["zh"].values() if mixed.search(text)]
    assert not offenders, offenders[:5]


@pytest.mark.parametrize(
    ("spelling", "language"),
    [("en", "en"), ("EN-us", "en"), ("English", "en"), ("zh", "zh"), ("zh_CN", "zh"), ("中文", "zh")],
)
def test_language_spellings(spelling: str, language: str) -> None:
    assert i18n.normalize_language(spelling) == language


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.normalize_language("fr")


def test_default_language_follows_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.default_language() == "zh"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.setattr(i18n.locale, "getlocale", lambda: ("de_DE", "UTF-8"))
    assert i18n.default_language() == "en"


def test_message_formats_values() -> None:
    assert i18n.message("share.view_of", "en", name="t") == "a view of t: same memory, nothing copied"
    assert i18n.message("share.view_of", "zh", name="t") == "是 t 的视图\uff1a内存相同\uff0c没有复制"
