"""The help: the commands this person may use, in their language."""

from __future__ import annotations

from cards.help import HelpCommand, HelpView, help_card
from dialogs.commands import HR_ONLY, LOCAL, Command, word_for
from dialogs.ownership import represented_units, scope_of
from dialogs.turn import DialogTurn


async def _sees_a_unit(turn: DialogTurn) -> bool:
    """HR, a representative (no query), or the manager of a departure (one query)."""
    if turn.is_hr() or represented_units(turn):
        return True
    if turn.services.insights is None:  # a flow test without insights: nobody manages a unit
        return False
    return (await scope_of(turn)).anything


async def commands_for(turn: DialogTurn) -> list[Command]:
    """HR members see every available command; everyone else the ones they may use."""
    hr = turn.is_hr()
    available = [c for c in Command if c in turn.available_commands and (hr or c not in HR_ONLY)]
    if any(c in LOCAL for c in available) and not await _sees_a_unit(turn):
        available = [c for c in available if c not in LOCAL]
    if turn.config.leave_dates is None:  # departures do not come from Entra ID (issue 16)
        available = [c for c in available if c is not Command.LEAVE_DATES]
    return available


async def help_view(turn: DialogTurn) -> HelpView:
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
            for command in await commands_for(turn)
        ],
    )


async def show_help(turn: DialogTurn) -> None:
    """Answer `help` (or its localized word) with the help card."""
    await turn.send_card(help_card(await help_view(turn)))
