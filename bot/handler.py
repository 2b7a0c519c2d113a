"""The bot's turn handler: who is writing, remember how to reach them, hand over to a flow."""

from __future__ import annotations

import logging
import traceback
from http import HTTPStatus

from botbuilder.core import ActivityHandler, InvokeResponse, MessageFactory, TurnContext
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount

from bot.adapter import KNOWN_LANGUAGES, KNOWN_REF, user_key_of
from dialogs.router import InvokeResult, Router
from dialogs.turn import Actor, DialogTurn, SentAsBuilt, Services
from dialogs.welcome import send_welcome
from journey.locale import preferred_locale
from journey.ports import ConversationRef, PersonLanguages
from outbox.connector import ConnectorClient, ConnectorError, ConversationGone, RecipientBlocked
from storage.outage import database_unavailable

log = logging.getLogger(__name__)


class ExitBot(ActivityHandler):
    """Answers messages, installs and card actions by routing them to `dialogs/`."""

    def __init__(
        self,
        services: Services,
        router: Router,
        connector: ConnectorClient,
        *,
        demo_locale: str | None = None,
    ) -> None:
        self._services = services
        self._router = router
        self._connector = connector
        # Local mode's EXITBOT_DEMO_LOCALE: Agents Playground always sends en-US.
        self._demo_locale = demo_locale

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Every activity, in the demo's language where local mode sets one."""
        if self._demo_locale:
            turn_context.activity.locale = self._demo_locale
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """A typed message: a command for the router."""
        turn = await self._begin(turn_context, greet=True)
        await self._router.on_message(turn, turn_context.activity.text)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """The bot was added to a chat: only remember how to reach the person."""
        # Teams sends this together with installationUpdate and without a locale: remember how
        # to reach the person, and leave the greeting to the installationUpdate.
        await self._begin(turn_context)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        """The app was installed: welcome the person."""
        await self._begin(turn_context, greet=True)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """A card's Action.Execute: the router's answer is the invoke response's body."""
        if turn_context.activity.name != "adaptiveCard/action":
            return InvokeResponse(status=int(HTTPStatus.NOT_IMPLEMENTED))
        turn = await self._begin(turn_context)
        result = await self._router.on_invoke(turn, turn_context.activity.value)
        return await answer_invoke(turn_context, result.body())

    async def _begin(self, turn_context: TurnContext, *, greet: bool = False) -> DialogTurn:
        """Load what we know of the person, store how to reach them, and build the turn.

        With `greet`, a person never welcomed before gets the welcome card first.
        """
        activity = turn_context.activity
        user = activity.from_property
        user_key = user_key_of(activity)
        # The adapter loaded it with the de-duplication, in the same transaction.
        known = turn_context.turn_state.get(KNOWN_REF)
        upn = known.upn if known and known.upn else await self._lookup_upn(turn_context)
        # The adapter read the languages of the known UPN with it; a UPN just looked up not.
        read = turn_context.turn_state.get(KNOWN_LANGUAGES) if known and known.upn else None
        ref = ConversationRef(
            user_key=user_key,
            user_id=user.id,
            upn=upn,
            name=user.name or (known.name if known else None),
            conversation_id=activity.conversation.id,
            service_url=activity.service_url,
            tenant_id=activity.conversation.tenant_id,
            channel_id=activity.channel_id or "msteams",
            bot_id=(activity.recipient.id if activity.recipient else None) or "",
            locale=activity.locale or (known.locale if known else None),
        )
        if known is None or _reach_changed(known, ref):
            await self._services.conversations.save(ref)
        # welcomed_at is never cleared, so only a person not yet greeted needs the atomic UPDATE.
        first_contact = (
            greet
            and (known is None or known.welcomed_at is None)
            and await self._services.conversations.mark_welcomed(user_key)
        )
        actor = Actor(user_id=user.id, aad_object_id=user.aad_object_id, name=ref.name, upn=upn)
        roster = self._services.hr
        turn = DialogTurn(
            turn_context,
            self._services,
            actor,
            locale=await self._locale_of(upn, ref.locale, read),
            first_contact=first_contact,
            available_commands=self._router.commands,
            hr=None if roster is None else await roster.is_hr(upn, user.aad_object_id),
        )
        if first_contact:
            await send_welcome(turn)
        return turn

    async def _locale_of(
        self, upn: str | None, teams: str | None, read: PersonLanguages | None = None
    ) -> str | None:
        """The person's language: their choice, else HR's registered one, else Teams' (which
        local mode's EXITBOT_DEMO_LOCALE stands in for); `read`: the choices already read."""
        choices = self._services.languages
        if choices is None or not upn:
            return teams
        known = read if read is not None else await choices.languages_of(upn)
        return preferred_locale(chosen=known.chosen, registered=known.registered, teams=teams)

    async def _lookup_upn(self, turn_context: TurnContext) -> str | None:
        """Teams tells a member's UPN only when asked; a failure just leaves it unknown."""
        activity = turn_context.activity
        try:
            member = await self._connector.get_member(
                activity.service_url, activity.conversation.id, activity.from_property.id
            )
        except (ConnectorError, OSError, TimeoutError):
            return None
        upn = member.get("userPrincipalName") or member.get("email")
        return upn.lower() if isinstance(upn, str) and upn else None


async def answer_invoke(turn_context: TurnContext, body: object) -> InvokeResponse:
    """Answer the card press with `body` (200), sent as built: botbuilder would deep-copy the
    card in it (dialogs.turn.SentAsBuilt), and ActivityHandler sends no second answer."""
    response = InvokeResponse(status=int(HTTPStatus.OK), body=body)
    answer = Activity(type=ActivityTypes.invoke_response, value=response)
    await turn_context.send_activity(SentAsBuilt.of(answer))
    return response


def _reach_changed(old: ConversationRef, new: ConversationRef) -> bool:
    fields = ("user_id", "upn", "name", "conversation_id", "service_url", "tenant_id", "locale")
    return any(getattr(old, name) != getattr(new, name) for name in fields)


class TurnErrorHandler:
    """Logs a failed turn without its content and tells the person something went wrong: a
    card press in its invoke answer, a message in the chat."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def __call__(self, turn_context: TurnContext, error: Exception) -> None:
        """The adapter's on_turn_error."""
        if database_unavailable(error):
            # Not the person's problem and not a 200: bot/routes.py answers 503, Teams retries.
            raise error
        activity = turn_context.activity
        text = self._services.config().text("error.generic", activity.locale)
        # Teams does not know the conversation (404) or the person blocked the bot (403): not
        # the bot's failure, Teams' retry would meet the same, and no message can reach them.
        unreachable = isinstance(error, RecipientBlocked | ConversationGone)
        if unreachable:
            log.warning("turn ended: Teams refused the reply with %s", error.status)
        else:
            frames = "".join(traceback.format_tb(error.__traceback__))
            log.error("turn failed with %s\n%s", type(error).__name__, frames)
        if activity.type == ActivityTypes.invoke:
            # The press itself gets the answer; without one the adapter answers 501.
            await answer_invoke(turn_context, InvokeResult(message=text).body())
            return
        if unreachable:
            return
        try:
            await turn_context.send_activity(MessageFactory.text(text))
        except Exception as send_error:  # the connector may be what failed
            log.error("could not tell the user about the failure: %s", type(send_error).__name__)
