"""Typed commands: the words a person can write to the bot, in each language."""

from __future__ import annotations

import re
from enum import StrEnum


class Command(StrEnum):
    HELP = "help"
    REGISTER = "register"
    STATUS = "status"
    SURVEY = "survey"
    INSIGHTS = "insights"
    FOLLOW_UPS = "follow_ups"  # issue 14: the follow-ups of the person's units, and their own
    LANGUAGE = "language"
    LEAVE_DATES = "leave_dates"  # issue 16: HR's leave dates from Entra ID that wait for HR


# The word shown to a person in their language; any language's word is understood.
WORDS: dict[Command, dict[str, str]] = {
    Command.HELP: {"en": "help", "da": "hjælp", "sv": "hjälp", "nb": "hjelp"},
    Command.REGISTER: {"en": "register", "da": "registrer", "sv": "registrera", "nb": "registrer"},
    Command.STATUS: {"en": "status", "da": "status", "sv": "status", "nb": "status"},
    Command.SURVEY: {"en": "survey", "da": "spørgeskema", "sv": "enkät", "nb": "spørreskjema"},
    Command.INSIGHTS: {"en": "insights", "da": "indsigt", "sv": "insikter", "nb": "innsikt"},
    Command.FOLLOW_UPS: {
        "en": "follow-ups",
        "da": "opfølgning",
        "sv": "uppföljning",
        "nb": "oppfølging",
    },
    Command.LANGUAGE: {"en": "language", "da": "sprog", "sv": "språk", "nb": "språk"},
    Command.LEAVE_DATES: {
        "en": "leave dates",
        "da": "fratrædelser",
        "sv": "slutdatum",
        "nb": "sluttdatoer",
    },
}
SYNONYMS: dict[str, Command] = {
    word: Command.HELP for word in ("?", "hi", "hello", "hej", "hei", "hallo", "start")
} | {word: Command.LANGUAGE for word in ("sprak", "sproget", "språket")} | {
    word: Command.FOLLOW_UPS
    for word in (
        "follow-up", "followups", "followup", "actions",
        "opfølgninger", "opfolgning", "handlinger",
        "uppföljningar", "uppfoljning", "åtgärder",
        "oppfølginger", "oppfolging", "tiltak",
    )
} | {
    word: Command.LEAVE_DATES
    for word in (
        "leave-dates", "leavedates", "fratrædelsesdatoer", "fratraedelser", "avgångar",
        "avgangar", "fratredelser", "sluttdato",
    )
}  # fmt: skip

# Commands only HR members may use; others are told so instead of being shown a form.
HR_ONLY: frozenset[Command] = frozenset({Command.REGISTER, Command.LEAVE_DATES})
# Commands for those who see a unit (journey.local_ownership): HR, a unit's managers and its
# representatives; the help lists them only to those.
LOCAL: frozenset[Command] = frozenset({Command.INSIGHTS, Command.FOLLOW_UPS})

_LOOKUP: dict[str, Command] = {
    word: command for command, words in WORDS.items() for word in words.values()
} | SYNONYMS
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def parse_command(text: str | None) -> Command | None:
    """The command a message asks for, ignoring @mentions, case and trailing punctuation."""
    if not text:
        return None
    cleaned = _MENTION.sub(" ", text).strip().lower().rstrip(".!?") or text.strip()
    words = cleaned.split()
    # A command of two words ("leave dates") before one of its first word.
    return _LOOKUP.get(" ".join(words[:2])) or _LOOKUP.get(words[0] if words else "")


def word_for(command: Command, language: str) -> str:
    """The command's word in a supported language (English when unknown)."""
    return WORDS[command].get(language, WORDS[command]["en"])
