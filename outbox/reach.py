"""Reaching a person: the stored chat with them, else a new one opened through Teams.

A person who never chatted with the bot has no conversation: install the app for them
(Graph), then open the 1:1 chat (Bot Connector). Why that cannot be done is a `Reach`
(blocked, not found, no conversation), recorded on the departure for HR.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from journey.departure import Reach
from journey.people import Directory, Person, PersonNotReachable, TeamsInstaller
from journey.ports import ConversationRef, ConversationRefStore
from outbox.connector import ConnectorClient, ConnectorError, ConversationGone, RecipientBlocked

log = logging.getLogger(__name__)


async def stored_conversation(
    refs: ConversationRefStore, recipient_key: str
) -> ConversationRef | None:
    """The chat stored for a recipient: by user key, or (for a UPN) the person's latest."""
    ref = await refs.get(recipient_key)
    if ref is None and "@" in recipient_key:
        ref = await refs.find_by_upn(recipient_key)
    return ref


class Reacher:
    """Finds or opens the one-to-one chat between the bot and a person."""

    def __init__(
        self,
        *,
        refs: ConversationRefStore,
        directory: Directory,
        teams: TeamsInstaller,
        connector: ConnectorClient,
        bot_id: str,
        tenant_id: str,
        default_service_url: str | None,
    ) -> None:
        self._refs = refs
        self._directory = directory
        self._teams = teams
        self._connector = connector
        self._bot_id = bot_id
        self._tenant_id = tenant_id or None
        # Without one, chats are opened only at a service URL Teams itself has sent (any
        # stored conversation): no guessed address, no surprise traffic.
        self._default_service_url = default_service_url

    async def conversation_with(self, upn: str) -> ConversationRef | Reach:
        """The person's chat with the bot, opened if need be; else why it cannot be."""
        ref = await self._refs.find_by_upn(upn)
        if ref is not None:
            return ref
        person = await self._directory.find_person(upn)
        if person is None:
            return Reach.NOT_FOUND
        try:
            await self._teams.ensure_installed_for(person.id)
        except PersonNotReachable as exc:
            return Reach.BLOCKED if exc.reason == "blocked" else Reach.NOT_FOUND
        known = await self._refs.latest_service_url()
        service_url = known[0] if known else self._default_service_url
        tenant_id = self._tenant_id or (known[1] if known else None)
        if service_url is None:
            return Reach.NO_CONVERSATION
        return await self._open_chat(person, service_url, tenant_id)

    async def for_worker(self, recipient_key: str) -> ConversationRef | None:
        """The delivery worker's open_conversation hook: a chat, or None (the worker records
        the message as failed, `no_conversation`, and why is logged here)."""
        if "@" not in recipient_key:
            return None
        found = await self.conversation_with(recipient_key)
        if isinstance(found, Reach):
            log.warning("a recipient cannot be reached (%s)", found)
            return None
        return found

    async def _open_chat(
        self, person: Person, service_url: str, tenant_id: str | None
    ) -> ConversationRef | Reach:
        """Open the 1:1 chat with a person the app is installed for, and remember it."""
        member = person.teams_user_id or person.id
        parameters: dict[str, Any] = {
            "isGroup": False,
            "members": [{"id": member}],
            "tenantId": tenant_id,
            "channelData": {"tenant": {"id": tenant_id}},
        }
        if self._bot_id:
            parameters["bot"] = {"id": self._bot_id}
        try:
            created = await self._connector.create_conversation(service_url, parameters)
        except RecipientBlocked:
            return Reach.BLOCKED
        except ConversationGone:
            return Reach.NOT_FOUND
        except (ConnectorError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("opening a chat failed (%s)", type(exc).__name__)
            return Reach.NO_CONVERSATION
        conversation_id = created.get("id")
        if not isinstance(conversation_id, str) or not conversation_id:
            return Reach.NO_CONVERSATION
        ref = ConversationRef(
            user_key=person.id,
            user_id=member,
            upn=person.upn,
            name=person.display_name,
            conversation_id=conversation_id,
            service_url=service_url,
            tenant_id=tenant_id,
            bot_id=self._bot_id,
            locale=person.preferred_language,
        )
        await self._refs.save(ref)
        return ref
