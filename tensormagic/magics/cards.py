"""``%explain TOPIC``: open a concept card (the line form of the ``%explain`` magic).

``%explain`` alone lists the topics; ``%explain TOPIC [--lang zh]`` displays the card. An unknown topic is
answered with the closest names, printed — a typo deserves a hint, not a traceback.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from IPython.display import display

from ..cards import TopicList, UnknownTopicError, card
from ..i18n import message, normalize_language

if TYPE_CHECKING:
    from . import TensorMagics


def parse_explain_line(line: str) -> tuple[str | None, str]:
    """(language option or None, topic words joined by spaces) from ``--lang zh TOPIC`` in any order."""
    try:
        words = shlex.split(line)
    except ValueError:  # an unbalanced quote: take the words as typed
        words = line.split()
    language = None
    topic: list[str] = []
    iterator = iter(words)
    for word in iterator:
        if word in ("-l", "--lang"):
            language = next(iterator, None) or ""
        elif word.startswith("--lang="):
            language = word.split("=", 1)[1]
        else:
            topic.append(word)
    return language, " ".join(topic)


def explain_line(magics: TensorMagics | Any, line: str) -> None:
    """The body of ``%explain [TOPIC] [--lang en|zh]``."""
    option, topic = parse_explain_line(line)
    try:
        language = normalize_language(option) if option is not None else magics.settings.language
    except ValueError as error:
        print(error)
        return
    if not topic:
        display(TopicList(language))
        return
    try:
        shown = card(topic, language)
    except UnknownTopicError as error:
        lines = [message("card.common.unknown", language, topic=error.topic)]
        if error.suggestions:
            lines.append(message("card.common.did_you_mean", language, names=", ".join(error.suggestions)))
        names = ", ".join(name for name, _, _ in TopicList(language).rows())
        lines.append(message("card.common.all_topics", language, names=names))
        print("\n".join(lines))
        return
    display(shown)
