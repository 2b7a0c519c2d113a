"""The welcome: who the bot is and what it does, in the person's language."""

from __future__ import annotations

from cards.welcome import WelcomeView, welcome_card
from dialogs.commands import Command, word_for
from dialogs.turn import DialogTurn


async def send_welcome(turn: DialogTurn) -> None:
    """Introduce the bot to someone who just installed it or wrote for the first time."""
    view = WelcomeView(
        lang=turn.language,
        title=turn.text("welcome.title"),
        body=turn.text("welcome.body"),
        help_label=word_for(Command.HELP, turn.language).capitalize(),
    )
    await turn.send_card(welcome_card(view))
