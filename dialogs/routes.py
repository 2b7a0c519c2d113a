"""The one place that says which flow answers which command and card verb."""

from __future__ import annotations

from dialogs.commands import Command
from dialogs.help import help_card, help_view, show_help
from dialogs.router import InvokeResult, NoPayload, Router
from dialogs.turn import DialogTurn


async def _help_from_card(turn: DialogTurn, _: NoPayload) -> InvokeResult:
    await turn.send_card(help_card(help_view(turn)))
    return InvokeResult(message="")


def build_router() -> Router:
    """Every command and verb the bot understands."""
    router = Router()
    router.command(Command.HELP, show_help)
    router.verb("help.show", NoPayload, _help_from_card)
    return router
