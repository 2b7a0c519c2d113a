"""The language card: the four languages the bot writes, each named in itself."""

from __future__ import annotations

from typing import Any

from cards import verbs
from cards.base import Element, adaptive_card, execute, heading, paragraph
from cards.locale import Speaker
from journey.locale import SUPPORTED_LANGUAGES

CHOOSE = verbs.LANGUAGE_CHOOSE
# Each language named in itself, so a person finds theirs whatever language the card is in.
LANGUAGE_NAMES = {"da": "Dansk", "sv": "Svenska", "nb": "Norsk (bokmål)", "en": "English"}


def language_card(say: Speaker, *, note: str | None = None) -> dict[str, Any]:
    """The four languages as buttons; the one this person reads now is ticked."""
    body: list[Element] = [heading(say("language.title"))]
    if note:
        body.append(paragraph(note))
    body.append(paragraph(say("language.intro")))
    buttons = [
        execute(
            ("✓ " if language == say.lang else "") + LANGUAGE_NAMES[language],
            CHOOSE,
            {"language": language},
        )
        for language in SUPPORTED_LANGUAGES
    ]
    return adaptive_card(body, buttons, lang=say.lang)
