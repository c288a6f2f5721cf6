"""``%explain TOPIC``: open a concept card (the line form of the ``%explain`` magic).

``%explain`` alone lists the topics; ``%explain TOPIC [--lang zh] [--SETTING VALUE …]`` displays the card,
its controls started at the values given (``%explain cnn --kernel 5 --stride 2``): each card declares its
settings, and they become its options here, with the ranges and choices it accepts. ``%explain TOPIC --help``
lists them. A bad option or value is a ``UsageError``, as IPython's own magics answer one; an unknown topic is
answered with the closest names, printed — a typo deserves a hint, not a traceback.

A topic typed as one of its Chinese names (``%explain 卷积神经网络``) opens the Chinese card, unless a
language was chosen explicitly: ``--lang``, or ``TensorMagic.language`` set in a configuration file or with
``%config`` (both land in the settings' traitlets config; the locale's default does not).
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.display import display

from ..cards import TopicList, UnknownTopicError, card, lookup, topics
from ..cards.settings import Setting, SettingError
from ..config import TensorMagic
from ..i18n import message, normalize_language

if TYPE_CHECKING:
    from . import TensorMagics


@dataclass
class ExplainLine:
    """The words of ``%explain …`` sorted out: the language option, ``--help``, the topic and the card's options."""

    language: str | None = None
    help: bool = False
    topic: str = ""
    options: list[str] = field(default_factory=list)


def split_explain_line(line: str) -> ExplainLine:
    """Sort the words of ``line``; options may come before or after the topic (``--kernel 5 cnn`` works too).

    Every card option takes a value, so an option word takes the next word with it (``--padding -1`` keeps
    ``-1`` as the value) unless it carries one (``--kernel=5``); the words left over name the topic
    (``deep learning``).
    """
    try:
        words = shlex.split(line)
    except ValueError as error:  # an unbalanced quote
        raise UsageError(f"%explain: {error}") from None
    parsed = ExplainLine()
    topic: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        position += 1
        if word in ("-h", "--help"):
            parsed.help = True
        elif word in ("-l", "--lang"):
            if position == len(words):
                raise UsageError(f"%explain: argument {word}: expected one argument")
            parsed.language = words[position]
            position += 1
        elif word.startswith("--lang="):
            parsed.language = word.split("=", 1)[1]
        elif word.startswith("-") and len(word) > 1:
            parsed.options.append(word)
            if "=" not in word and position < len(words):
                parsed.options.append(words[position])
                position += 1
        else:
            topic.append(word)
    parsed.topic = " ".join(topic)
    return parsed


def _setting_type(setting: Setting) -> Any:
    def convert(text: str) -> Any:
        try:
            return setting.parse(text)
        except SettingError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = setting.name  # argparse names the type in some messages
    return convert


class OptionParser(argparse.ArgumentParser):
    """argparse that answers a bad option the way IPython's magics do: a ``UsageError`` with argparse's words."""

    def error(self, message: str) -> Any:
        raise UsageError(message)


def option_parser(topic: str, language: str) -> OptionParser:
    """The options of one card, built from the settings it declares."""
    found = next(t for t in topics() if t.name == topic)
    parser = OptionParser(prog=f"%explain {topic}", add_help=False,
                          description=message(f"card.{topic}.title", language))
    options = parser.add_argument_group(message("card.common.options_title", language))
    for setting in found.settings:
        label = message("card.common.code_option", language) if setting.name == "code" else message(
            f"card.{topic}.control.{setting.name}", language)
        options.add_argument(
            f"--{setting.name}", type=_setting_type(setting), metavar=setting.accepted().replace(" ", ""),
            help=f"{label} (default: {setting.spelled(setting.default)})",
        )
    return parser


def language_is_explicit(settings: TensorMagic) -> bool:
    """Whether the user chose ``TensorMagic.language`` (config file or ``%config``), not the locale default.

    ``%config TensorMagic.language = "en"`` and ``c.TensorMagic.language`` in ``ipython_config.py`` both reach
    the settings through their traitlets ``config``; a default computed from the locale never does.
    """
    config = settings.config
    return "TensorMagic" in config and "language" in config["TensorMagic"]


def explain_line(magics: TensorMagics, line: str) -> None:
    """The body of ``%explain [TOPIC] [--lang en|zh] [--SETTING VALUE …]``."""
    parsed = split_explain_line(line)
    settings = magics.settings
    try:
        chosen = normalize_language(parsed.language) if parsed.language is not None else None
    except ValueError as error:
        raise UsageError(f"%explain: argument -l/--lang: {error}") from None
    if not parsed.topic:
        if parsed.options:
            raise UsageError(f"%explain: unrecognized arguments: {' '.join(parsed.options)} (no topic given)")
        display(TopicList(chosen or settings.language))
        return
    try:
        match = lookup(parsed.topic)
    except UnknownTopicError as error:
        language = chosen or settings.language
        lines = [message("card.common.unknown", language, topic=error.topic)]
        if error.suggestions:
            lines.append(message("card.common.did_you_mean", language, names=", ".join(error.suggestions)))
        names = ", ".join(t.name for t in topics())
        lines.append(message("card.common.all_topics", language, names=names))
        print("\n".join(lines))
        return
    if chosen is not None:
        language = chosen
    elif match.language is not None and not language_is_explicit(settings):
        language = match.language  # a Chinese topic name: the Chinese card
    else:
        language = settings.language
    parser = option_parser(match.topic, language)
    if parsed.help:
        print(parser.format_help())
        return
    values = {name: value for name, value in vars(parser.parse_args(parsed.options)).items() if value is not None}
    display(card(match.topic, language, **values))
