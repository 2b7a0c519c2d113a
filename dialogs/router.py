"""Routes a message to its command and a card action to its verb's flow."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from dialogs.commands import Command, parse_command
from dialogs.turn import DialogTurn

log = logging.getLogger(__name__)

CommandHandler = Callable[[DialogTurn], Awaitable[None]]
VerbHandler = Callable[[DialogTurn, Any], Awaitable["InvokeResult"]]


class InvokeResult(BaseModel):
    """What an Action.Execute gets back: a card that replaces the clicked one, or a message."""

    model_config = ConfigDict(extra="forbid")

    card: dict[str, Any] | None = None
    message: str | None = None
    status: int = 200

    def body(self) -> dict[str, Any]:
        """The adaptiveCard/action invoke response body Teams expects."""
        if self.status >= 400:
            return {
                "statusCode": self.status,
                "type": "application/vnd.microsoft.error",
                "value": {"code": "BadRequest", "message": self.message or ""},
            }
        if self.card is not None:
            return {
                "statusCode": self.status,
                "type": "application/vnd.microsoft.card.adaptive",
                "value": self.card,
            }
        return {
            "statusCode": self.status,
            "type": "application/vnd.microsoft.activity.message",
            "value": self.message or "",
        }


class ExecuteAction(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["Action.Execute"]
    verb: str
    data: dict[str, Any] = {}


class CardInvoke(BaseModel):
    """The `value` of an `adaptiveCard/action` invoke."""

    model_config = ConfigDict(extra="ignore")

    action: ExecuteAction
    trigger: str | None = None


class NoPayload(BaseModel):
    """A verb that carries no data."""

    model_config = ConfigDict(extra="forbid")


class Router:
    """The registry of commands and card verbs, and the dispatch over it."""

    def __init__(self) -> None:
        self._commands: dict[Command, CommandHandler] = {}
        self._verbs: dict[str, tuple[type[BaseModel], VerbHandler]] = {}

    def command(self, command: Command, handler: CommandHandler) -> None:
        self._commands[command] = handler

    def verb(self, verb: str, payload: type[BaseModel], handler: VerbHandler) -> None:
        self._verbs[verb] = (payload, handler)

    @property
    def commands(self) -> frozenset[Command]:
        return frozenset(self._commands)

    async def on_message(self, turn: DialogTurn, text: str | None) -> None:
        """Run the command the text asks for, or say that it was not understood."""
        command = parse_command(text)
        handler = self._commands.get(command) if command else None
        if handler is None:
            if not turn.first_contact:  # the welcome already told a newcomer what to write
                await turn.send_text(turn.text("error.unknown_command"))
            return
        await handler(turn)

    async def on_invoke(self, turn: DialogTurn, value: Any) -> InvokeResult:
        """Parse an Action.Execute and run its verb; a bad payload changes nothing."""
        try:
            invoke = CardInvoke.model_validate(value)
        except ValidationError:
            return InvokeResult(message=turn.text("error.bad_input"), status=400)
        registered = self._verbs.get(invoke.action.verb)
        if registered is None:
            log.info("unknown card verb %r", invoke.action.verb[:64])
            return InvokeResult(message=turn.text("error.stale_action"))
        model, handler = registered
        try:
            payload = model.model_validate(invoke.action.data)
        except ValidationError:
            log.info("card payload for %r did not parse", invoke.action.verb)
            return InvokeResult(message=turn.text("error.bad_input"))
        return await handler(turn, payload)
