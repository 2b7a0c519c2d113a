"""The help card: what this person can ask the bot."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from cards.base import adaptive_card, facts, heading, paragraph


class HelpCommand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    word: str
    description: str


class HelpView(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lang: str
    title: str
    intro: str
    commands: list[HelpCommand]


def help_card(view: HelpView) -> dict:
    """Lists the commands this person may use, each with its localized word."""
    return adaptive_card(
        [
            heading(view.title),
            paragraph(view.intro),
            facts([(command.word, command.description) for command in view.commands]),
        ],
        lang=view.lang,
    )
