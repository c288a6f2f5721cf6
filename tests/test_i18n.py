"""Every message exists in English and Chinese, with the same placeholders."""

from __future__ import annotations

import importlib
import pkgutil
import re
import string

import pytest

import tensormagic.i18n as i18n


def _modules() -> list[str]:
    """The catalog modules: those that define messages (``forms`` only defines how numbers agree)."""
    names = [info.name for info in pkgutil.iter_modules(i18n.__path__)]
    return [name for name in names if hasattr(importlib.import_module(f"tensormagic.i18n.{name}"), "EN")]


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


_IDEOGRAPH = "\u4e00-\u9fff"
#: ASCII punctuation next to a placeholder inside Chinese prose ("{dtype},PyTorch", "大小({inner})相同",
#: "行未显示(%config … {limit})"); placeholders are replaced by \x00 first. Code keeps its ASCII:
#: "Linear({need}, {out})", "(1, {inner})", "t.sum(dim={dim})".
_PLACEHOLDER_PUNCTUATION = re.compile(
    "|".join(
        (
            r"\x00[,:;!?][^\s]",  # "{dtype},PyTorch", "{type_name}:{value}"
            rf"[{_IDEOGRAPH}][,:;!?(]\x00",  # "不同({sizes}"
            rf"\x00\)[{_IDEOGRAPH}]",  # "({inner})相同"
            rf"[{_IDEOGRAPH}]\([^()]*\x00",  # "未显示(%config … {limit})": a parenthesis of prose
        )
    )
)


def _zh_offenders(table: dict[str, str]) -> list[str]:
    return [text for text in table.values() if _PLACEHOLDER_PUNCTUATION.search(re.sub(r"\{[^{}]*\}", "\x00", text))]


def test_chinese_has_no_ascii_punctuation_between_a_placeholder_and_chinese_text() -> None:
    offenders = _zh_offenders(i18n.catalogs()["zh"])
    assert not offenders, offenders[:5]
    # The check itself catches what it is meant to
    assert _zh_offenders({"a": "{dtype},PyTorch 默认", "b": "内侧大小({inner})相同", "c": "未显示(%config {limit})"})
    assert (
        len(_zh_offenders({"a": "{dtype}，PyTorch", "b": "Linear({need}, {out}) 层", "c": "一行 (1, {inner})，"})) == 0
    )


_PLURAL_NOUNS = "calls|lines|tensors|products|rows|inputs|outputs|filters|channels|elements|columns|values|numbers"


_NOT_NUMBERS = frozenset({"src", "dst", "dtype", "default", "type_name", "ctor", "axes"})


@pytest.mark.parametrize("language", ["en", "zh"])
def test_counted_messages_agree_with_their_numbers(language: str) -> None:
    from tensormagic.i18n import explain as catalog
    from tensormagic.i18n.forms import Count

    for key, template in (catalog.EN if language == "en" else catalog.ZH).items():
        fields = _fields(template)
        if not fields:
            continue
        # Every field a number, except those that never are (element types: "adding up int32 values")
        words: dict[str, object] = {f: "int32" for f in fields & _NOT_NUMBERS}
        if "axes" in fields:
            words["axes"] = (0, 2)  # a list of axes, joined in the message's language
        one = template.format(**{**dict.fromkeys(fields, Count(1)), **words})
        many = template.format(**{**dict.fromkeys(fields, Count(12000)), **words})
        assert fields <= _NOT_NUMBERS or "12,000" in many or "12000" in many, key
        if language == "en":
            # "1 outputs", "1 more lines": a number 1 followed by a plural noun (up to two words later)
            wrong = re.search(rf"\b1 (?:[a-z]+ ){{0,2}}(?:{_PLURAL_NOUNS})\b", one)
            assert wrong is None, (key, one)
            assert "(s)" not in template, key
        else:
            assert "全部 1 个" not in one and "1 行中" not in one, (key, one)


def test_counts_pick_singular_and_plural() -> None:
    assert i18n.message("note.linear.rows", "en", **_linear(rows=3, n_in=4, n_out=1)).endswith(
        "each of the 3 rows' 4 inputs become 1 output"
    )
    assert i18n.message("note.linear.rows", "en", **_linear(rows=1, n_in=1, n_out=2)).endswith(
        "the row's single input becomes 2 outputs"
    )
    assert i18n.message("note.linear.rows", "zh", **_linear(rows=1, n_in=4, n_out=1)).endswith(
        "\uff1a这一行的 4 个输入变成 1 个输出"
    )
    assert i18n.message("note.rng.draw", "en", **_counts(count=1, seed=7)).startswith("drew 1 random value from")
    assert i18n.message("note.rng.draw", "en", **_counts(count=12000, seed=7)).startswith("drew 12,000 random values")
    assert i18n.message("note.reduce.all", "zh", **_counts(op="sum", count=1, shape="(1,)")).startswith(
        "sum() 作用于 (1,) 的唯一一个元素"
    )


def _counts(**values: object) -> dict[str, object]:
    """Plain ints, as any caller of ``message()`` passes them (the catalog's templates make them Counts)."""
    return values


def _linear(**numbers: int) -> dict[str, object]:
    return _counts(x="x", shape_x="(3, 4)", w="W", shape_wt="(4, 1)", bias="", result="(3, 1)", **numbers)


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
    assert i18n.default_language() == "en"


def test_message_formats_values() -> None:
    assert i18n.message("share.view_of", "en", name="t") == "a view of t: same memory, nothing copied"
    assert i18n.message("share.view_of", "zh", name="t") == "是 t 的视图\uff1a内存相同\uff0c没有复制"
