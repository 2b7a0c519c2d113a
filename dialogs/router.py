"""Routes a message to its command and a card action to its verb's flow."""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from dialogs.commands import Command, parse_command
from dialogs.turn import DialogTurn
from journey.access import Asker
from journey.ports import AuditEntry
from journey.refusals import NotAllowed

log = logging.getLogger(__name__)

CommandHandler = Callable[[DialogTurn], Awaitable[None]]
VerbHandler = Callable[[DialogTurn, Any], Awaitable["InvokeResult"]]
RefusalAnswer = Callable[[DialogTurn, Any], "InvokeResult | Awaitable[InvokeResult]"]
# Checks that a card's mark (cards.base.about) is the departure's current plan, else raises.
MarkCheck = Callable[[DialogTurn, str, str], Awaitable[None]]
_MARK = re.compile(r"^[0-9a-f]{8}$")
Refused = TypeVar("Refused", bound=Exception)


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


@dataclass(frozen=True)
class Says:
    """A refusal answered with one text from HR's YAML, in the person's language."""

    key: str

    def __call__(self, turn: DialogTurn, _refusal: Exception) -> InvokeResult:
        return InvokeResult(message=turn.text(self.key))


class Router:
    """The registry of commands, card verbs and refusals, and the dispatch over it."""

    def __init__(self) -> None:
        self._commands: dict[Command, CommandHandler] = {}
        self._verbs: dict[str, tuple[type[BaseModel], VerbHandler]] = {}
        self._refusals: dict[type[Exception], RefusalAnswer] = {}
        self._refused_views: dict[str, RefusalAnswer] = {}
        self._unchecked: set[str] = set()
        self._mark_check: MarkCheck | None = None

    def command(self, command: Command, handler: CommandHandler) -> None:
        """Answer a typed command with `handler`."""
        self._commands[command] = handler

    def verb(
        self,
        verb: str,
        payload: type[BaseModel],
        handler: VerbHandler,
        *,
        checked: bool = True,
        not_allowed: RefusalAnswer | None = None,
    ) -> None:
        """Answer a card's verb with `handler`, its data parsed with `payload` first.

        A checked verb is refused when its card was drawn for an earlier plan of the
        departure (the data's `mark`, see `marks`); a view or a refresh, or a change that does
        not hang on the plan (a checklist tick, a survey answer), passes `checked=False`.
        A card's refresh may answer NotAllowed with a card of its own (`not_allowed`, e.g.
        one without details); the refusal is audited all the same.
        """
        self._verbs[verb] = (payload, handler)
        if not checked:
            self._unchecked.add(verb)
        if not_allowed is not None:
            self._refused_views[verb] = not_allowed

    def marks(self, check: MarkCheck) -> None:
        """Check a checked verb's `mark` with `check(turn, departure_id, mark)` first."""
        self._mark_check = check

    def refusal(
        self,
        kind: type[Refused],
        answer: str | Callable[[DialogTurn, Refused], InvokeResult | Awaitable[InvokeResult]],
    ) -> None:
        """Answer a refusal of `kind` (or a subclass) with a text key or a (async) function."""
        self._refusals[kind] = Says(answer) if isinstance(answer, str) else answer

    @property
    def commands(self) -> frozenset[Command]:
        """Every routed command (the help lists them)."""
        return frozenset(self._commands)

    @property
    def verbs(self) -> frozenset[str]:
        """Every routed card verb."""
        return frozenset(self._verbs)

    def _refused(self) -> tuple[type[Exception], ...]:
        return tuple(self._refusals)

    async def _answer(self, turn: DialogTurn, asked: str, refusal: Exception) -> InvokeResult:
        """The registered answer to a refusal: the nearest registered class wins.

        Every NotAllowed is written to the audit log here, once, whichever handler or
        service refused (`asked`: the verb or command). An answer may itself find that the
        person has no part in the departure (dialogs.stale): that refusal is answered instead.
        """
        if isinstance(refusal, NotAllowed):
            await audit_refusal(turn, asked, refusal)
        answers = self._refusals
        kind = next(k for k in type(refusal).__mro__ if k in answers)
        answer = answers[kind] if kind is not NotAllowed else self._not_allowed(asked)
        try:
            result = answer(turn, refusal)
            return await result if inspect.isawaitable(result) else result
        except NotAllowed as instead:
            if instead is refusal:
                raise
            return await self._answer(turn, asked, instead)

    def _not_allowed(self, asked: str) -> RefusalAnswer:
        return self._refused_views.get(asked) or self._refusals[NotAllowed]

    async def on_message(self, turn: DialogTurn, text: str | None) -> None:
        """Run the command the text asks for, or say that it was not understood."""
        command = parse_command(text)
        handler = self._commands.get(command) if command else None
        if handler is None:
            if not turn.first_contact:  # the welcome already told a newcomer what to write
                await turn.send_text(turn.text("error.unknown_command"))
            return
        try:
            await handler(turn)
        except self._refused() as refusal:
            await send_result(turn, await self._answer(turn, command.value, refusal))

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
        # The plan's mark is the router's, not the payload's: cards posted before marks
        # existed carry none and are not checked.
        data = dict(invoke.action.data)
        mark = data.pop("mark", None)
        try:
            payload = model.model_validate(data)
        except ValidationError:
            log.info("card payload for %r did not parse", invoke.action.verb)
            return InvokeResult(message=turn.text("error.bad_input"))
        if mark is not None and not (isinstance(mark, str) and _MARK.match(mark)):
            log.info("card mark for %r did not parse", invoke.action.verb)
            return InvokeResult(message=turn.text("error.bad_input"))
        try:
            if mark is not None and invoke.action.verb not in self._unchecked:
                await self._check(turn, payload, mark)
            return await handler(turn, payload)
        except self._refused() as refusal:
            # A refusal changed nothing: the person gets its text (or card), never a crash.
            return await self._answer(turn, invoke.action.verb, refusal)

    async def _check(self, turn: DialogTurn, payload: BaseModel, mark: str) -> None:
        departure_id = getattr(payload, "departure", None)
        if self._mark_check is not None and isinstance(departure_id, str):
            await self._mark_check(turn, departure_id, mark)


async def audit_refusal(turn: DialogTurn, asked: str, refusal: NotAllowed) -> None:
    """One audit entry for a refusal: who asked, what (`asked`), the departure or the scope,
    and why; words and ids only, never what someone typed."""
    actor = Asker(user_id=turn.actor.user_id, upn=turn.actor.upn)
    detail = {**refusal.detail, "verb": asked, "reason": refusal.reason.value}
    if refusal.scope is not None:
        detail["scope"] = refusal.scope
    services = turn.services
    entry = AuditEntry(
        at=services.clock.now(),
        actor=actor.audit_name,
        action=refusal.action,
        departure_id=refusal.departure_id,
        detail=detail,
    )
    await services.audit.record(entry)


async def send_result(turn: DialogTurn, result: InvokeResult) -> None:
    """Post an answer in the chat instead of in place of a card: its card, or its text."""
    if result.card is not None:
        await turn.send_card(result.card)
    elif result.message:
        await turn.send_text(result.message)
