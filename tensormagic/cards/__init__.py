"""Concept cards: ``card(topic, language)`` builds a live, interactive explanation of one idea.

Every card runs real torch code when it is built (and again when a control moves) and shows the
measured numbers; see :mod:`tensormagic.cards.base` for the protocol. Each card is one module of this
package that declares its topic, order, group, aliases (English and Chinese) and settings on its
``Card`` subclass; the registry below discovers those modules, so the topic list of ``%explain``, the
README and the card tour are all derived from the cards themselves. Modules without a card (``base``,
``live``, ``settings``) are the plumbing.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from .settings import Setting

if TYPE_CHECKING:  # the base module imports ipywidgets: only pay for it when the registry is first read
    from .base import Card


class UnknownTopicError(KeyError, ValueError):
    """No card has this name. ``suggestions`` are the closest known names."""

    def __init__(self, topic: str, suggestions: list[str]) -> None:
        super().__init__(topic)
        self.topic = topic
        self.suggestions = suggestions

    def __str__(self) -> str:
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"no card named {self.topic!r}.{hint} Topics: {', '.join(t.name for t in topics())}."


@dataclass(frozen=True)
class Topic:
    """One card as the registry knows it."""

    name: str
    aliases: tuple[str, ...]  # English then Chinese
    chinese_aliases: tuple[str, ...]
    group: str
    order: int
    settings: tuple[Setting, ...]
    card_class: type[Card]


@dataclass(frozen=True)
class Match:
    """What a typed name resolved to: the topic, and "zh" when the name was one of its Chinese aliases."""

    topic: str
    language: str | None


def _normalize(topic: str) -> str:
    return topic.strip().lower().replace("_", "-").replace(" ", "-")


def _card_in(module: Any) -> type[Card] | None:
    """The card a module defines (a ``Card`` subclass of its own with a topic), or None for plumbing."""
    from .base import Card

    found = [
        value for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Card) and value.__module__ == module.__name__ and value.topic
    ]
    if len(found) > 1:
        raise RuntimeError(f"{module.__name__} defines {len(found)} cards; a card module defines one")
    return found[0] if found else None


@cache
def topics() -> tuple[Topic, ...]:
    """Every card of this package, in course order (discovered once, then remembered)."""
    found: list[Topic] = []
    for info in pkgutil.iter_modules(__path__):
        card_class = _card_in(importlib.import_module(f"{__name__}.{info.name}"))
        if card_class is None:
            continue
        aliases = card_class.aliases
        found.append(Topic(card_class.topic, aliases.en + aliases.zh, aliases.zh, card_class.group,
                           card_class.order, card_class.settings, card_class))
    found.sort(key=lambda topic: (topic.order, topic.name))
    return tuple(found)


@cache
def names() -> dict[str, Match]:
    """Every name a student may type (normalised), topic names and aliases, to what it opens."""
    table: dict[str, Match] = {}
    for topic in topics():
        entries = [(topic.name, None)] + [(a, "zh" if a in topic.chinese_aliases else None) for a in topic.aliases]
        for name, language in entries:
            key = _normalize(name)
            if key in table and table[key].topic != topic.name:
                raise RuntimeError(f"{name!r} names two cards: {table[key].topic} and {topic.name}")
            table[key] = Match(topic.name, language)
    return table


def lookup(topic: str) -> Match:
    """The card ``topic`` names (a topic or an alias); :class:`UnknownTopicError` with suggestions otherwise."""
    key = _normalize(topic)
    table = names()
    if key in table:
        return table[key]
    close = difflib.get_close_matches(key, list(table), n=5, cutoff=0.5)
    suggestions = list(dict.fromkeys(table[name].topic if name in table else name for name in close))[:3]
    raise UnknownTopicError(topic, suggestions)


def resolve(topic: str) -> str:
    """The canonical topic name for ``topic`` or one of its aliases; :class:`UnknownTopicError` otherwise."""
    return lookup(topic).topic


def card_class(topic: str) -> type[Card]:
    wanted = resolve(topic)
    return next(t.card_class for t in topics() if t.name == wanted)


@dataclass(frozen=True)
class TopicList:
    """Every topic with its title, aliases and options, under its group's heading; what ``%explain`` alone shows."""

    language: str = "en"

    def groups(self) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
        """(group heading, [(topic, title, aliases, options)]) in course order."""
        from ..i18n import message

        grouped: dict[str, list[tuple[str, str, str, str]]] = {}
        for t in topics():
            options = " ".join(f"--{setting.name}" for setting in t.settings)
            row = (t.name, message(f"card.{t.name}.title", self.language), ", ".join(t.aliases), options)
            grouped.setdefault(t.group, []).append(row)
        return [(message(f"card.common.group.{group}", self.language), rows) for group, rows in grouped.items()]

    def rows(self) -> list[tuple[str, str, str]]:
        return [(name, title, aliases) for _, rows in self.groups() for name, title, aliases, _ in rows]

    def __str__(self) -> str:
        from ..i18n import message

        lines = [message("card.common.topics_title", self.language)]
        width = max(len(name) for name, _, _ in self.rows())
        for heading, rows in self.groups():
            lines.append(f"{heading}:" if self.language == "en" else f"{heading}：")
            for name, title, aliases, options in rows:
                lines.append(f"  {name:<{width}}  {title}")
                lines.append(f"  {'':<{width}}    ↳ {aliases}")
                if options:
                    lines.append(f"  {'':<{width}}    ⚙ {options}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from ..i18n import message
        from ..render.common import BOX_STYLE, MUTED_STYLE, escape

        # text-align is explicit: JupyterLab's stylesheet right-aligns table cells in HTML outputs.
        cell = "padding:1px 8px;text-align:left"
        body = ""
        for heading, rows in self.groups():
            body += f'<tr><td colspan="4" style="{cell};padding-top:6px"><b>{escape(heading)}</b></td></tr>'
            body += "".join(
                f'<tr><td style="{cell}"><code>{escape(name)}</code></td><td style="{cell}">{escape(title)}</td>'
                f'<td style="{cell};{MUTED_STYLE}">{escape(aliases)}</td>'
                f'<td style="{cell};{MUTED_STYLE}"><code>{escape(options)}</code></td></tr>'
                for name, title, aliases, options in rows
            )
        title = escape(message("card.common.topics_title", self.language))
        html = f'<div style="{BOX_STYLE}"><div><b>{title}</b></div><table>{body}</table></div>'
        return {"text/plain": str(self), "text/html": html}


def card(topic: str, language: str = "en", **settings: Any) -> Card:
    """Build the card for ``topic`` (name or alias, English or Chinese) in ``language``.

    ``settings`` start the card's controls at other values (``card("cnn", kernel=5, stride=2)``); an unknown
    name or a value out of range is a :class:`~tensormagic.cards.settings.SettingError` naming what is accepted.
    """
    return card_class(topic)(language, **settings)


def __getattr__(name: str) -> Any:
    if name == "Card":
        from .base import Card

        return Card
    raise AttributeError(name)


__all__ = [
    "Card", "Match", "Topic", "TopicList", "UnknownTopicError", "card", "card_class", "lookup", "names", "resolve",
    "topics",
]
