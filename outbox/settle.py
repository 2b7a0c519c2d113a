"""How the delivery worker records what became of an attempt: each change under the claim's own
lease (the action's `lease_owner`, a claim name of the worker's), each final outcome reported.

A claim the worker took back from itself after its lease ran out has another name, so the job
of the earlier claim changes nothing here (storage.delivery_queue compares and sets).
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from journey.clock import Clock
from journey.due import DueAction, ErrorCode, Outcome
from journey.ports import ConversationRef
from outbox.hooks import Settled
from outbox.policy import DeliveryPolicy
from storage.due_actions import DueActionQueue

log = logging.getLogger(__name__)


class Settler:
    """Records outcomes for one worker; `owner` names it on the log when a claim does not."""

    def __init__(
        self,
        queue: DueActionQueue,
        owner: str,
        clock: Clock,
        policy: DeliveryPolicy,
        *,
        probing: bool,
        on_settled: Settled | None,
    ) -> None:
        self._queue = queue
        self._owner = owner
        self._clock = clock
        self._policy = policy
        self._probing = probing
        self._on_settled = on_settled

    def lease(self, action: DueAction) -> str:
        """The name the action is held under: its claim's."""
        return action.lease_owner or self._owner

    async def skip(self, action: DueAction) -> None:
        """Too late to be of use (a reminder after the conversation began): not sent, logged."""
        code = ErrorCode.EXPIRED.value
        settled = await self._queue.settle_skipped(action.id, self.lease(action), code)
        if settled is not None:
            log.info("due action %s: its moment passed; skipped, not sent", action.id)
            await self.report(settled)

    async def sent(
        self,
        action: DueAction,
        activity_id: str | None,
        ref: ConversationRef | None = None,
        **options: Any,
    ) -> None:
        """Delivered (or found delivered) into `ref`'s chat: settled, and reported."""
        lease = self.lease(action)
        settled = await self._queue.settle_sent(action.id, lease, activity_id, **options)
        if settled is not None:
            await self.report(settled, ref)

    async def failed(
        self, action: DueAction, code: str, retry_at: datetime | None = None, **options: Any
    ) -> None:
        """Record a failure; one with no retry to follow is final, and reported."""
        lease = self.lease(action)
        settled = await self._queue.settle_failed(action.id, lease, code, retry_at, **options)
        if settled is not None and retry_at is None:
            await self.report(settled)

    async def final(
        self, action: DueAction, code: str, outcome: Outcome, status: int | None
    ) -> None:
        """Failed for good: retrying cannot help (or the attempts are used up)."""
        await self.failed(action, code, None, outcome=outcome, status=status)

    async def retry(self, action: DueAction, attempt: int, code: str, status: int | None) -> None:
        """A transient failure: again after a backoff, until the attempts are used up."""
        if attempt >= self._policy.max_attempts:
            await self.final(action, code, Outcome.ERROR, status)
            return
        retry_at = self._clock.now() + timedelta(seconds=self.backoff(attempt))
        await self.failed(action, code, retry_at, status=status)

    async def unknown(self, action: DueAction, code: str) -> None:
        """The request may have reached Teams."""
        if self._probing:
            # Look later, when a copy that is on its way would have arrived.
            settle = self._clock.now() + timedelta(seconds=self._policy.settle_seconds)
            await self._queue.mark_unknown(action.id, self.lease(action), code, settle)
            return
        await self._queue.record(action.id, Outcome.ERROR, code, worker=self._owner)
        retry_at = None
        if action.resend_if_unknown:
            retry_at = self._clock.now() + timedelta(seconds=self.backoff(1))
        await self.failed(
            action, ErrorCode.UNKNOWN_OUTCOME.value, retry_at, outcome=Outcome.RECONCILED
        )

    async def report(self, settled: DueAction, ref: ConversationRef | None = None) -> None:
        """Tell the on_settled hook how the action ended (`settled`, as the change returned
        it; `ref`: the chat it went to, if sent); its failure does not undo the send."""
        if self._on_settled is None:
            return
        try:
            await self._on_settled(settled, ref)
        except Exception:
            log.exception("recording the outcome of due action %s failed", settled.id)

    def backoff(self, attempt: int) -> float:
        """Seconds before attempt `attempt + 1`: doubled each time, capped, jittered."""
        policy = self._policy
        ceiling = min(policy.backoff_base * 2 ** max(attempt - 1, 0), policy.backoff_max)
        return random.uniform(ceiling / 2, ceiling)


def retry_after_seconds(retry_after: str | None) -> float | None:
    """A 429's Retry-After in seconds; None if missing or an HTTP date (rare for Teams: the
    caller backs off instead)."""
    if not retry_after:
        return None
    try:
        return max(float(retry_after), 0.0)
    except ValueError:
        return None
