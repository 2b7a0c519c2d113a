"""The help: the commands this person may use, in their language."""

from __future__ import annotations

from cards.help import HelpCommand, HelpView, help_card
from dialogs.commands import HR_ONLY, Command, word_for
from dialogs.turn import DialogTurn


def commands_for(turn: DialogTurn) -> list[Command]:
    """HR members see every available command; everyone else the ones they may use."""
    hr = turn.is_hr()
    return [
        command
        for command in Command
        if command in turn.available_commands and (hr or command not in HR_ONLY)
    ]


def help_view(turn: DialogTurn) -> HelpView:
    """The help card's content for this person."""
    return HelpView(
        lang=turn.language,
        title=turn.text("help.title"),
        intro=turn.text("help.intro"),
        commands=[
            HelpCommand(
                word=word_for(command, turn.language),
                description=turn.text(f"help.command.{command.value}"),
            )
            for command in commands_for(turn)
        ],
    )


async def show_help(turn: DialogTurn) -> None:
    """Answer `help` (or its localized word) with the help card."""
    await turn.send_card(help_card(help_view(turn)))
