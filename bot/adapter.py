"""The bot adapter: botbuilder's turn pipeline with the measured traps of 4.17.1 routed around.

CloudAdapter.process() answers 500 to every `adaptiveCard/action` invoke (it serializes the
already-serialized body again), turns authentication off silently on an empty app id, checks no
tenant, surfaces bad tokens as 500, and rebuilds an msrest connector client twice per turn.
This adapter keeps botbuilder's TurnContext, middleware and handlers, and does those parts itself:
it authenticates with `ChannelTokenValidator` unless local mode says otherwise, refuses channels
not configured and other tenants, refuses a sender whose Teams user id and Entra object id
contradict the stored people (nobody speaks for someone else), drops Teams' re-sends of an
activity it has seen, sends through one reused `ConnectorClient`, and hands the invoke response
back as the handler built it. A refused activity stores nothing and runs no turn.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

from botbuilder.core import BotAdapter, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ConversationReference, ResourceResponse
from botframework.connector.auth import ClaimsIdentity

from bot.auth import ChannelTokenValidator
from bot.wire import to_wire
from outbox.connector import ConnectorClient
from storage.turns import TurnBegun

log = logging.getLogger(__name__)

# (activity key or None, sender's user key, sender's Teams user id) -> what storage/turns.py found
BeginTurn = Callable[[str | None, str, str], Awaitable[TurnBegun]]
# (activity key, handled): mark it handled, or give the claim back so Teams' retry runs the turn
SettleTurn = Callable[..., Awaitable[None]]
# Opens the turn's unit of work (storage/unit_of_work.py): one connection for the whole turn.
OpenUnit = Callable[[], AbstractAsyncContextManager[Any]]
KNOWN_REF = "exitbot.known_ref"
KNOWN_LANGUAGES = "exitbot.known_languages"
TEAMS = frozenset({"msteams"})


class TenantRefused(Exception):
    """The activity comes from a tenant other than the configured one (answer 403)."""


class ChannelRefused(Exception):
    """The activity comes through a channel the bot does not serve (answer 403)."""


class SenderMismatch(Exception):
    """The sender's Teams user id and Entra object id contradict a stored person (answer 403)."""


class DuplicateActivity(Exception):
    """Teams re-sent an activity that was already handled (answer 200, do nothing)."""


def tenant_of(activity: Activity) -> str | None:
    """The Entra tenant an activity comes from, as Teams states it."""
    if activity.conversation is not None and activity.conversation.tenant_id:
        return activity.conversation.tenant_id
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant") or {}
    return tenant.get("id") if isinstance(tenant, dict) else None


def user_key_of(activity: Activity) -> str:
    """Whom an activity is from: the Entra object id when Teams gives it, else the channel id."""
    sender = activity.from_property
    return sender.aad_object_id or sender.id


class ExitbotAdapter(BotAdapter):
    """Runs one turn per incoming activity and sends replies through our connector client."""

    def __init__(
        self,
        connector: ConnectorClient,
        *,
        validator: ChannelTokenValidator | None,
        tenant_id: str | None,
        begin_turn: BeginTurn,
        channels: frozenset[str] = TEAMS,
        on_turn_error: Callable[[TurnContext, Exception], Awaitable[None]] | None = None,
        settle_turn: SettleTurn | None = None,
        open_unit: OpenUnit | None = None,
    ) -> None:
        super().__init__(on_turn_error)
        self._connector = connector
        self._validator = validator
        self._tenant_id = tenant_id or None
        self._begin_turn = begin_turn
        self._channels = frozenset(channel.lower() for channel in channels)
        self._settle_turn = settle_turn
        self._open_unit = open_unit or nullcontext

    async def process(
        self,
        auth_header: str | None,
        activity: Activity,
        logic: Callable[[TurnContext], Awaitable[Any]],
    ) -> InvokeResponse | None:
        """Authenticate, check channel, tenant, sender and duplicates, run the turn; the invoke
        response if any."""
        claims = await self._authenticate(auth_header, activity)
        if (activity.channel_id or "").lower() not in self._channels:
            raise ChannelRefused(activity.channel_id or "none")
        if self._tenant_id and tenant_of(activity) != self._tenant_id:
            raise TenantRefused(tenant_of(activity) or "none")
        async with self._open_unit():
            context = await self._run(activity, claims, logic)
        if activity.type == ActivityTypes.invoke:
            response = context.turn_state.get(self._INVOKE_RESPONSE_KEY)
            return response.value if response is not None else InvokeResponse(status=501)
        return None

    async def _run(
        self,
        activity: Activity,
        claims: dict[str, Any],
        logic: Callable[[TurnContext], Awaitable[Any]],
    ) -> TurnContext:
        """Check the sender and duplicates, run the turn, and settle its activity id (with the
        rows the turn appended and its held departure save, in one transaction). It settles
        before `process` returns, so before any answer is written: a turn whose last
        transaction fails raises here (nothing of it was written, its claim given back) and is
        answered "try again" (bot/routes.py: 503 with Retry-After), never with its card."""
        # Teams' activity ids are unique per conversation, not globally.
        key = f"{activity.conversation.id}|{activity.id}" if activity.id else None
        begun = await self._begin_turn(key, user_key_of(activity), activity.from_property.id)
        if begun.refused:
            raise SenderMismatch(activity.type or "activity")
        if not begun.first:
            raise DuplicateActivity(activity.id)

        context = TurnContext(self, activity)
        context.turn_state[KNOWN_REF] = begun.known
        context.turn_state[KNOWN_LANGUAGES] = begun.languages
        context.turn_state[self.BOT_IDENTITY_KEY] = ClaimsIdentity(claims, True)
        context.turn_state[self.BOT_CALLBACK_HANDLER_KEY] = logic
        try:
            await self.run_pipeline(context, logic)  # on_turn_error re-raises a database outage
        except BaseException:
            await self._settle(key, handled=False)  # not seen: Teams' retry runs the turn
            raise
        await self._settle(key, handled=True)
        return context

    async def _settle(self, key: str | None, *, handled: bool) -> None:
        if key is not None and self._settle_turn is not None:
            await self._settle_turn(key, handled=handled)

    async def _authenticate(self, auth_header: str | None, activity: Activity) -> dict[str, Any]:
        if self._validator is None:  # explicit local mode, warned about at start
            return {}
        return await self._validator.validate(
            auth_header, channel_id=activity.channel_id or "", service_url=activity.service_url
        )

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        """Post the turn's replies through our connector client; keep the invoke response."""
        responses = []
        for activity in activities:
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
                responses.append(ResourceResponse(id=""))
                continue
            if activity.type == ActivityTypes.trace:
                responses.append(ResourceResponse(id=""))
                continue
            activity.id = None
            body = to_wire(activity)
            conversation_id = activity.conversation.id
            if activity.reply_to_id:
                sent_id = await self._connector.reply_to_activity(
                    activity.service_url, conversation_id, activity.reply_to_id, body
                )
            else:
                sent_id = await self._connector.send_to_conversation(
                    activity.service_url, conversation_id, body
                )
            responses.append(ResourceResponse(id=sent_id or ""))
        return responses

    async def update_activity(self, context: TurnContext, activity: Activity) -> ResourceResponse:
        """Replace a message the bot sent."""
        await self._connector.update_activity(
            activity.service_url, activity.conversation.id, activity.id, to_wire(activity)
        )
        return ResourceResponse(id=activity.id)

    async def delete_activity(self, context: TurnContext, reference: ConversationReference) -> None:
        """Delete a message the bot sent."""
        await self._connector.delete_activity(
            reference.service_url, reference.conversation.id, reference.activity_id
        )
