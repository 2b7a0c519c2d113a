"""A shared summary in Teams: each reader gets a card through the due-action queue, once per
change (journey.sharing.SharingNotifier). The card posted to the chat carries no text: the
summary appears only in the reader's own refresh, after their access is checked again."""

from __future__ import annotations

from collections.abc import Sequence

from cards.sharing import reader_notice_card
from journey.departure import Departure
from journey.due import DueActions
from journey.notify import MessageKind
from journey.ports import ConversationRefStore
from journey.sharing import SharedSummary
from outbox.messages import CardMessages
from outbox.speaker import Voices


class TeamsSharingNotifier:
    """Cards to the readers the leaver chose; unsent ones go when the choice is withdrawn."""

    def __init__(
        self,
        *,
        refs: ConversationRefStore,
        queue: DueActions,
        messages: CardMessages,
        voices: Voices,
    ) -> None:
        self._refs = refs
        self._queue = queue
        self._messages = messages
        self._voices = voices

    async def shared(
        self, departure: Departure, shared: SharedSummary, tell: Sequence[str]
    ) -> None:
        """One card per reader and revision: a change the leaver makes is told again."""
        for upn in tell:
            ref = await self._refs.find_by_upn(upn)
            say = await self._voices.speaker(departure, upn, ref.locale if ref else None)
            card = reader_notice_card(say, departure, user_ids=[ref.user_id] if ref else [])
            kind = MessageKind.SHARED_SUMMARY
            key = f"{departure.id}:{kind.value}:{upn}:{shared.revision}"
            await self._messages.send(departure, kind, ref.user_key if ref else upn, card, key=key)

    async def stopped(self, departure: Departure) -> None:
        """The cards not yet sent are not sent; those posted show nothing when refreshed."""
        await self._queue.cancel(departure.id, [MessageKind.SHARED_SUMMARY.value])
