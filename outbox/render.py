"""Cards rendered where they are sent: the delivery worker's render hook (outbox.hooks.Render).

A planned reminder is stored as a name (journey.due.CardToRender), not as a card: planning
after a click renders nothing, and the card shows the departure as it is when it goes (the
meeting's time, the items still open, the reader's language as it is then). Rows stored
before carry the activity itself, and go as they are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from journey.due import CardToRender, DueAction
from journey.notify import FOLLOW_UP_KINDS, MessageKind
from journey.ports import ConversationRef, DepartureRepository
from outbox.messages import card_activity

if TYPE_CHECKING:
    from outbox.notifier import TeamsNotifier


class CardsAtSend:
    """Builds the activity of a due action whose payload names its card."""

    def __init__(
        self,
        departures: DepartureRepository,
        notifier: TeamsNotifier,
        follow_ups: Callable[[DueAction, ConversationRef], Awaitable[dict[str, Any]]] | None = None,
    ) -> None:
        self._departures = departures
        self._notifier = notifier
        # Issue 14: a follow-up's card is drawn from the follow-up (outbox.follow_up_notifier).
        self._follow_ups = follow_ups

    async def __call__(self, action: DueAction, ref: ConversationRef) -> dict[str, Any]:
        """The activity to post; rendering that fails is recorded by the worker, not sent."""
        if self._follow_ups is not None and action.kind in FOLLOW_UP_KINDS:
            return await self._follow_ups(action, ref)
        named = CardToRender.of(action.payload)
        if named is None:
            return dict(action.payload)
        if action.departure_id is None:
            raise ValueError(f"due action {action.id} names a card but no departure")
        departure = await self._departures.get(action.departure_id)
        card = await self._notifier.reminder_card(
            departure, MessageKind(action.kind), action.recipient_key, named.days
        )
        return card_activity(card)
