"""The welcome card a person sees when the bot is installed or they first write."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from cards import verbs
from cards.base import execute, notice_card


class WelcomeView(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lang: str
    title: str
    body: str
    help_label: str


def welcome_card(view: WelcomeView) -> dict:
    """Who the bot is and what it does, with a button to the help."""
    return notice_card(
        view.title,
        view.body,
        [execute(view.help_label, verbs.HELP_SHOW)],
        lang=view.lang,
    )
