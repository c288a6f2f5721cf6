"""Message catalogs.

Each area of tensormagic keeps its own catalog module here (``core``, ``explain``, ``cards`` …), each
defining two dicts, ``EN`` and ``ZH``, with the same keys. Templates use ``str.format`` placeholders.
Keeping areas in separate modules lets each grow without touching the others; :func:`message`
looks a key up across all of them.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from functools import cache

LANGUAGES = ("en", "zh")


@cache
def catalogs() -> dict[str, dict[str, str]]:
    """All catalogs merged per language, loaded once."""
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for module_info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for lang in LANGUAGES:
            table = getattr(module, lang.upper(), None)
            if table is None:
                continue
            clash = merged[lang].keys() & table.keys()
            if clash:
                raise RuntimeError(f"duplicate message keys in {module_info.name}: {sorted(clash)}")
            merged[lang].update(table)
    return merged


def normalize_language(language: str | None) -> str:
    """Map user spellings (``zh_CN``, ``Chinese``, ``中文``, ``en-US``) to a catalog language."""
    if not language:
        return default_language()
    lowered = language.strip().lower().replace("-", "_")
    if lowered.startswith("zh") or lowered in ("chinese", "中文", "cn"):
        return "zh"
    if lowered.startswith("en") or lowered == "english":
        return "en"
    raise ValueError(f"unknown language {language!r}: choose one of {', '.join(LANGUAGES)}")


def default_language() -> str:
    """Chinese when the user's locale says so, English otherwise.

    The locale of messages is decided as POSIX does: the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is
    set wins (``LC_ALL=en_US.UTF-8`` with ``LANG=zh_CN.UTF-8`` is English).
    """
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def message(key: str, language: str = "en", /, **values: object) -> str:
    """The message ``key`` in ``language``, formatted with ``values``.

    A key missing from one language falls back to English rather than failing: a missing translation
    must never break a user's cell (the catalog tests keep both languages complete).
    """
    tables = catalogs()
    template = tables.get(language, tables["en"]).get(key)
    if template is None:
        template = tables["en"][key]
    return template.format(**values) if values else template
