"""What the delivery worker tells whoever watches it (bot/telemetry.py): each request to Teams
with its outcome, and each action's final outcome. Plain Python: the outbox knows no
telemetry SDK, and an unwatched worker pays one no-op call per send."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

from journey.due import DueAction
from journey.ports import ConversationRef
from outbox.hooks import Settled


class SendNote:
    """What became of one request to Teams: an outcome word and the HTTP status, if any."""

    __slots__ = ("outcome", "status")

    def __init__(self) -> None:
        self.outcome = "unfinished"
        self.status: int | None = None

    def ended(self, outcome: str, status: int | None = None) -> None:
        """Record the outcome (`sent`, `blocked`, `throttled`, ...) and the status code."""
        self.outcome, self.status = outcome, status


class DeliveryWatch(Protocol):
    """Told of every request to Teams and every final outcome; never of what was sent."""

    def sending(self, kind: str) -> AbstractContextManager[SendNote]:
        """Around one request for an action of `kind`; the worker fills in the note."""
        ...

    def settled(self, action: DueAction) -> None:
        """An action ended for good: sent, skipped, or failed with no retry to follow."""
        ...


class Unwatched:
    """Nobody watches: nothing is recorded."""

    def sending(self, kind: str) -> AbstractContextManager[SendNote]:
        """A note nobody reads."""
        return nullcontext(SendNote())

    def settled(self, action: DueAction) -> None:
        """Nothing to record."""


def watched(on_settled: Settled | None, watch: DeliveryWatch | None) -> Settled | None:
    """`on_settled`, with the watch told first (a final outcome is one)."""
    if watch is None:
        return on_settled

    async def settled(action: DueAction, ref: ConversationRef | None) -> None:
        watch.settled(action)
        if on_settled is not None:
            await on_settled(action, ref)

    return settled
