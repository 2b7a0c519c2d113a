"""A card message as a due action: the one way the outbox schedules something for a person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from journey.clock import Clock
from journey.departure import Departure
from journey.due import CardToRender, ScheduledAction
from journey.notify import MessageKind

if TYPE_CHECKING:
    from storage.due_actions import DueActionQueue

CARD = "application/vnd.microsoft.card.adaptive"


def card_activity(card: dict[str, Any]) -> dict[str, Any]:
    """A message carrying one card and no text (text plus card would split in two)."""
    return {"type": "message", "attachments": [{"contentType": CARD, "content": card}]}


def card_message(
    departure: Departure,
    kind: MessageKind,
    recipient_key: str,
    card: dict[str, Any],
    *,
    key: str,
    due_at: datetime,
    expires_at: datetime | None = None,
) -> ScheduledAction:
    """One card for `recipient_key` about `departure`, due at `due_at`, once per `key`;
    skipped, not sent, if it could only go at `expires_at` or later."""
    return ScheduledAction(
        key=key,
        kind=kind.value,
        recipient_key=recipient_key,
        due_at=due_at,
        payload=card_activity(card),
        departure_id=departure.id,
        expires_at=expires_at,
    )


class CardMessages:
    """Schedules card messages that are due now; the delivery worker sends each once. In a
    turn they are written at its end, with the rest of what it plans
    (storage.due_actions.DueActionQueue.send)."""

    def __init__(self, queue: DueActionQueue, clock: Clock) -> None:
        self._queue = queue
        self._clock = clock

    def due_now(
        self,
        departure: Departure,
        kind: MessageKind,
        recipient_key: str,
        card: dict[str, Any],
        *,
        key: str,
    ) -> ScheduledAction:
        """`card` for `recipient_key`, due now, under the idempotency key `key`."""
        return card_message(departure, kind, recipient_key, card, key=key, due_at=self._clock.now())

    def drawn_at_send(
        self, departure: Departure, kind: MessageKind, recipient_key: str, *, key: str
    ) -> ScheduledAction:
        """The card of `kind` for `recipient_key`, due now under the key `key`, drawn when it
        is sent (journey.due.CardToRender, outbox/render.py): nothing is rendered now, and the
        card shows the departure as it is then, for the chat opened then if need be."""
        return ScheduledAction(
            key=key,
            kind=kind.value,
            recipient_key=recipient_key,
            due_at=self._clock.now(),
            payload=CardToRender().payload(),
            departure_id=departure.id,
        )

    async def send_drawn_at_send(
        self, departure: Departure, kind: MessageKind, recipient_key: str, *, key: str
    ) -> None:
        """Schedule one card drawn when it is sent (`drawn_at_send`)."""
        await self._queue.send([self.drawn_at_send(departure, kind, recipient_key, key=key)])

    async def send(
        self,
        departure: Departure,
        kind: MessageKind,
        recipient_key: str,
        card: dict[str, Any],
        *,
        key: str,
    ) -> None:
        """Schedule `card` for `recipient_key`, due now, under the idempotency key `key`."""
        await self._queue.send([self.due_now(departure, kind, recipient_key, card, key=key)])

    async def send_all(self, messages: Sequence[ScheduledAction]) -> None:
        """Schedule several messages (from `due_now` or `drawn_at_send`) in one write."""
        if messages:
            await self._queue.send(messages)
