"""The `language` command: a person chooses the language the bot writes to them in.

The choice is kept by UPN and ranks above HR's registered language and the Teams locale
(journey.locale.preferred_locale), in this chat and in every card the bot sends later.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from cards.language import language_card
from cards.locale import Speaker
from dialogs.router import InvokeResult
from dialogs.turn import DialogTurn, wired
from journey.locale import offered_language


class LanguagePick(BaseModel):
    """A language button's data."""

    model_config = ConfigDict(extra="forbid")

    language: str = Field(min_length=1, max_length=16)


async def show_language(turn: DialogTurn) -> None:
    """Answer `language` (`sprog`, `språk`): the card with the four languages."""
    await turn.send_card(language_card(turn.speaker()))


async def choose_language(turn: DialogTurn, payload: LanguagePick) -> InvokeResult:
    """Keep the chosen language (LanguageNotOffered for any other) and answer in it."""
    language = offered_language(payload.language)
    if not turn.actor.upn:
        return InvokeResult(message=turn.text("language.unknown_person"))
    await wired(turn.services.languages, "the language choices").choose(turn.actor.upn, language)
    say = Speaker(turn.config, language)
    return InvokeResult(card=language_card(say, note=say("language.saved")))
