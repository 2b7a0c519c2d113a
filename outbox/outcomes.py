"""How each journey message ended, told back to the journey: the worker's on_settled hook.

The offer's reach (403 blocked, 404 not found) and the activity ids of the cards to update
later go on the departure. Failures are recorded, never retried blindly (the worker retries
only 412/429/5xx).
"""

from __future__ import annotations

import logging
from typing import Protocol

from journey.departure import PostedCard, Reach
from journey.due import DueAction, DueState, ErrorCode
from journey.notify import RECORDED_KINDS, MessageKind
from journey.ports import ConversationRef, ConversationRefStore
from outbox.reach import stored_conversation

log = logging.getLogger(__name__)

_FAILURE_REACH = {
    "http_403": Reach.BLOCKED,
    "http_404": Reach.NOT_FOUND,
    ErrorCode.NO_CONVERSATION.value: Reach.NO_CONVERSATION,
}


class Delivered(Protocol):
    """The journey's record of a settled message (journey.flow.DepartureFlow.delivered)."""

    async def __call__(
        self,
        departure_id: str,
        kind: MessageKind,
        *,
        reach: Reach | None,
        posted: PostedCard | None,
    ) -> object: ...


class DeliveryReport:
    """Tells the journey how each of its messages ended (sent, or failed for good)."""

    def __init__(self, refs: ConversationRefStore, delivered: Delivered) -> None:
        self._refs = refs
        self._delivered = delivered

    async def __call__(self, action: DueAction, ref: ConversationRef | None = None) -> None:
        """Record the offer's reach and the posted card on the action's departure; `ref`: the
        chat it was sent to (else the recipient's stored one)."""
        try:
            kind = MessageKind(action.kind)
        except ValueError:
            return  # not a proactive message of the bot's
        if kind not in RECORDED_KINDS or action.departure_id is None:
            return
        if action.state is DueState.SKIPPED:
            return  # its moment passed: nothing reached anyone, and nothing failed either
        posted = None
        if action.state is DueState.SENT:
            reach = Reach.OK
            ref = ref or await stored_conversation(self._refs, action.recipient_key)
            if ref is not None and action.sent_activity_id:
                posted = PostedCard(
                    activity_id=action.sent_activity_id,
                    conversation_id=ref.conversation_id,
                    service_url=ref.service_url,
                )
        else:
            reach = _FAILURE_REACH.get(action.last_error or "", Reach.FAILED)
            log.warning("journey message %s not delivered (%s)", kind, action.last_error)
        await self._delivered(
            action.departure_id,
            kind,
            reach=reach if kind is MessageKind.OFFER else None,
            posted=posted,
        )
