"""The delivery worker: sends due actions through the Bot Connector, each one once.

What "once" means here, and how it is kept:

- Claims are leased (storage.due_actions). A claimed action whose worker died is handed to
  another worker: nothing went out, so sending it is safe.
- The state `sending` is committed just before the HTTP request and `sent` (with Teams'
  activity id) just after. An action found still `sending` with its lease run out (the worker
  died mid-request) or whose request timed out may or may not have reached Teams.
- Such an action is reconciled, never blindly resent. If a `probe` can look into the chat
  (a stand-in, or Graph with permission to read the chat), its answer decides: found = sent,
  missing = send. Otherwise the action's own policy decides: by default at most once (failed
  with `unknown_outcome`, on HR's timeline, HR can requeue it), or, for actions scheduled with
  `resend_if_unknown`, at least once (sent again; the person may get it twice).
- Every activity carries a marker (channelData.exitbotDelivery) derived from the action's key,
  so a copy found in the chat can be matched to its action.

Pacing (storage.send_budget) is shared through the database by every instance. The
ConnectorClient must be built with RetryPolicy(attempts=1) (see `delivery_connector`): retries
happen here, through the queue (not_before), not by sleeping inside a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from bot.connector import (
    ConnectorClient,
    ConnectorError,
    ConversationGone,
    RecipientBlocked,
    RetryPolicy,
    TokenProvider,
)
from journey.clock import Clock, SystemClock
from journey.due import DueAction, DueState, ErrorCode, Outcome
from journey.ports import ConversationRef, ConversationRefStore
from storage.due_actions import DueActionQueue
from storage.send_budget import SendBudget, conversation_cells, tenant_cells

log = logging.getLogger(__name__)

MARKER_FIELD = "exitbotDelivery"
RETRIED_STATUSES = frozenset({412, 502, 503, 504})


@dataclass(frozen=True)
class ProbeAnswer:
    """What a look into the chat found for one marker."""

    delivered: bool
    activity_id: str | None = None


# (recipient's conversation, marker) -> found or not; None when the chat cannot be read.
Probe = Callable[[ConversationRef, str], Awaitable[ProbeAnswer | None]]
# The journey work installs the app for a person who never chatted with the bot; this hook
# returns the new conversation (or None if that is not possible).
OpenConversation = Callable[[str], Awaitable[ConversationRef | None]]
# Builds the activity when the payload is a reference rather than the activity itself.
Render = Callable[[DueAction, ConversationRef], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class DeliveryPolicy:
    """Retry, lease and timing settings of a worker."""

    max_attempts: int = 5  # 412/502/503/504 and failed connections, then failed for good
    max_throttled_attempts: int = 30  # 429s are expected under load; still not forever
    backoff_base: float = 2.0  # seconds before the 2nd attempt, doubled each time, jittered
    backoff_max: float = 300.0
    lease_seconds: float = 60.0  # how long a claim is ours before another worker may take it
    # How long a request that went out is ours: longer than the connector's timeout (15 s), so
    # no other worker reconciles an action whose request is still running.
    sending_lease_seconds: float = 60.0
    settle_seconds: float = 60.0  # with a probe: wait this long before looking for a copy
    late_tolerance: float = 0.05  # a send this late for its slot takes a new one (no bursts)
    poll_seconds: float = 1.0  # how often an idle worker looks for due actions


def delivery_connector(
    session: aiohttp.ClientSession, tokens: TokenProvider, timeout_seconds: float = 15.0
) -> ConnectorClient:
    """A ConnectorClient that tries once: the worker retries through the queue instead."""
    return ConnectorClient(
        session, tokens, RetryPolicy(attempts=1), timeout_seconds=timeout_seconds
    )


def new_owner_id() -> str:
    """An owner id unique to this process (leases are compared by it)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def default_render(action: DueAction, ref: ConversationRef) -> dict[str, Any]:
    """The payload is the activity itself."""
    return dict(action.payload)


@dataclass
class _Job:
    action: DueAction
    ref: ConversationRef
    activity: dict[str, Any]


class DeliveryWorker:
    """Claims due actions and delivers them, paced and retried; run one per process."""

    def __init__(
        self,
        queue: DueActionQueue,
        connector: ConnectorClient,
        refs: ConversationRefStore,
        owner: str | None = None,
        *,
        budget: SendBudget,
        clock: Clock | None = None,
        batch_size: int = 10,
        max_in_flight: int | None = None,
        policy: DeliveryPolicy | None = None,
        open_conversation: OpenConversation | None = None,
        render: Render | None = None,
        probe: Probe | None = None,
    ) -> None:
        self._queue = queue
        self._connector = connector
        self._refs = refs
        self.owner = owner or new_owner_id()
        self._budget = budget
        self._clock = clock or SystemClock()
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight or 2 * batch_size
        self.policy = policy or DeliveryPolicy()
        self._open_conversation = open_conversation
        self._render = render or default_render
        self._probe = probe
        # Tenants this process saw a 429 for, until when (budget time); the database has it
        # too, for the other instances.
        self._paused: dict[str | None, float] = {}
        self._stop = asyncio.Event()

    # --- running -------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Claim one batch and deliver it to the end; how many actions were claimed."""
        tasks, claimed = await self._start_batch(self.batch_size)
        if tasks:
            await asyncio.gather(*tasks)
        return claimed

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; then finish requests under way and give back the rest."""
        self._stop = stop
        in_flight: set[asyncio.Task[None]] = set()
        stopping = asyncio.ensure_future(stop.wait())
        last_prune = self._budget.now()
        try:
            while not stop.is_set():
                claimed = 0
                room = self.max_in_flight - len(in_flight)
                if room >= self.batch_size or not in_flight:
                    try:
                        tasks, claimed = await self._start_batch(min(room, self.batch_size))
                    except Exception:
                        log.exception("claiming due actions failed; trying again")
                        tasks = set()
                    in_flight |= tasks
                if self._budget.now() - last_prune > 600:
                    last_prune = self._budget.now()
                    with contextlib.suppress(Exception):
                        await self._budget.prune()
                if len(in_flight) > self.max_in_flight - self.batch_size:
                    await asyncio.wait({*in_flight, stopping}, return_when=asyncio.FIRST_COMPLETED)
                elif claimed < self.batch_size:
                    # The queue has nothing due right now: look again after a while.
                    await asyncio.wait({stopping}, timeout=self.policy.poll_seconds)
                in_flight = {task for task in in_flight if not task.done()}
        finally:
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)
            stopping.cancel()

    async def _start_batch(self, limit: int) -> tuple[set[asyncio.Task[None]], int]:
        """Claim up to `limit` actions, reserve their send times, start a task for each."""
        if limit <= 0:
            return set(), 0
        actions = await self._queue.claim(self.owner, limit, self.policy.lease_seconds)
        if not actions:
            return set(), 0
        prepared = await asyncio.gather(*(self._prepare(action) for action in actions))
        jobs = [job for job in prepared if job is not None]
        tasks: set[asyncio.Task[None]] = set()
        if not jobs:
            return tasks, len(actions)
        # One transaction reserves the conversation slots of the whole batch, one the tenant
        # slots of those whose chat lets them go now.
        pacing = self._budget.pacing
        chats = await self._budget.reserve(
            [(conversation_cells(pacing, job.ref.conversation_id), 1) for job in jobs]
        )
        now = self._budget.now()
        ready: list[_Job] = []
        for job, chat in zip(jobs, chats, strict=True):
            if chat.deferred_until is not None:
                await self._queue.release(
                    job.action.id, self.owner, self._clock_at(chat.deferred_until)
                )
            elif chat.times[0] <= now + self.policy.late_tolerance:
                ready.append(job)
            else:
                tasks.add(asyncio.create_task(self._deliver_later(job, chat.times[0])))
        by_tenant: dict[str | None, list[_Job]] = {}
        for job in ready:
            by_tenant.setdefault(job.ref.tenant_id, []).append(job)
        tenants = list(by_tenant)
        slots = await self._budget.reserve(
            [(tenant_cells(pacing, tenant), len(by_tenant[tenant])) for tenant in tenants]
        )
        for tenant, reservation in zip(tenants, slots, strict=True):
            for index, job in enumerate(by_tenant[tenant]):
                if reservation.deferred_until is not None:
                    await self._queue.release(
                        job.action.id, self.owner, self._clock_at(reservation.deferred_until)
                    )
                else:
                    at = reservation.times[index]
                    tasks.add(asyncio.create_task(self._deliver(job, at)))
        return tasks, len(actions)

    # --- one action ----------------------------------------------------------------------

    async def _prepare(self, action: DueAction) -> _Job | None:
        """Find the conversation and build the activity; settle what cannot or need not go."""
        try:
            ref = await self._conversation_of(action.recipient_key)
            if action.state == DueState.SENDING:
                await self._reconcile(action, ref)
                return None
            if ref is None:
                await self._queue.mark_failed(
                    action.id, self.owner, ErrorCode.NO_CONVERSATION.value
                )
                return None
            try:
                activity = await self._render(action, ref)
            except Exception as exc:
                log.warning("due action %s: rendering failed (%s)", action.id, type(exc).__name__)
                await self._queue.mark_failed(action.id, self.owner, ErrorCode.RENDER_FAILED.value)
                return None
            return _Job(action, ref, _marked(activity, action.marker))
        except Exception:
            # A database hiccup: the lease runs out and another attempt picks the action up.
            log.exception("due action %s: preparing failed", action.id)
            return None

    async def _conversation_of(self, recipient_key: str) -> ConversationRef | None:
        ref = await self._refs.get(recipient_key)
        if ref is None and "@" in recipient_key:
            ref = await self._refs.find_by_upn(recipient_key)
        if ref is None and self._open_conversation is not None:
            ref = await self._open_conversation(recipient_key)
        return ref

    async def _reconcile(self, action: DueAction, ref: ConversationRef | None) -> None:
        """Settle an action whose last request may or may not have reached Teams."""
        answer = None
        if self._probe is not None and ref is not None:
            try:
                answer = await self._probe(ref, action.marker)
            except Exception as exc:
                log.warning("due action %s: probe failed (%s)", action.id, type(exc).__name__)
        if answer is not None and answer.delivered:
            await self._queue.mark_sent(
                action.id,
                self.owner,
                answer.activity_id,
                outcome=Outcome.RECONCILED,
                code=ErrorCode.FOUND_DELIVERED.value,
            )
        elif answer is not None or action.resend_if_unknown:
            # Certainly missing, or the action prefers a double to a loss: send it again,
            # through the queue like any retry.
            code = ErrorCode.FOUND_MISSING if answer is not None else ErrorCode.UNKNOWN_OUTCOME
            await self._queue.mark_failed(
                action.id, self.owner, code.value, self._clock.now(), outcome=Outcome.RECONCILED
            )
        else:
            # At most once: a reminder that may have arrived is not sent again; HR sees it on
            # the timeline and can requeue it.
            await self._queue.mark_failed(
                action.id, self.owner, ErrorCode.UNKNOWN_OUTCOME.value, outcome=Outcome.RECONCILED
            )

    async def _deliver_later(self, job: _Job, at: float) -> None:
        """Wait for the chat's slot, then for a tenant slot, then deliver."""
        try:
            if not await self._wait_until(at):
                await self._queue.release(job.action.id, self.owner, None)
                return
            await self._deliver(job, None)
        except Exception:
            log.exception("due action %s: delivery failed", job.action.id)

    async def _deliver(self, job: _Job, at: float | None) -> None:
        """Wait for the tenant slot `at` (None: reserve one), then send."""
        action, cells = job.action, tenant_cells(self._budget.pacing, job.ref.tenant_id)
        try:
            for _ in range(5):
                if at is None:
                    [reservation] = await self._budget.reserve([(cells, 1)])
                    if reservation.deferred_until is not None:
                        await self._queue.release(
                            action.id, self.owner, self._clock_at(reservation.deferred_until)
                        )
                        return
                    at = reservation.times[0]
                if not await self._wait_until(at):
                    await self._queue.release(action.id, self.owner, None)
                    return
                # Late for the slot (a busy event loop): sending now could bunch up with the
                # sends after it; take a fresh slot instead.
                if self._budget.now() - at <= self.policy.late_tolerance:
                    break
                at = None
            paused = max(
                self._paused.get(job.ref.tenant_id, 0.0),
                await self._budget.paused_until(cells) or 0.0,
            )
            if paused > self._budget.now():
                await self._queue.release(action.id, self.owner, self._clock_at(paused))
                return
            await self._send(job)
        except Exception:
            log.exception("due action %s: delivery failed", action.id)

    async def _send(self, job: _Job) -> None:
        action, ref = job.action, job.ref
        attempt = await self._queue.mark_sending(
            action.id, self.owner, self.policy.sending_lease_seconds
        )
        if attempt is None:
            return  # cancelled or taken over since the claim
        try:
            activity_id = await self._connector.send_to_conversation(
                ref.service_url, ref.conversation_id, job.activity
            )
        except RecipientBlocked:
            await self._final(action, "http_403", Outcome.BLOCKED, 403)
        except ConversationGone:
            await self._final(action, "http_404", Outcome.NOT_FOUND, 404)
        except ConnectorError as exc:
            await self._refused(job, attempt, exc)
        except aiohttp.ClientConnectorError:
            # The connection was never made: nothing reached Teams, retrying is safe.
            await self._retry(action, attempt, ErrorCode.CONNECT_FAILED.value, None)
        except TimeoutError:
            await self._unknown(action, ErrorCode.TIMEOUT.value)
        except Exception as exc:
            # A dropped connection or an unreadable answer after the request went out.
            log.warning("due action %s: send ended with %s", action.id, type(exc).__name__)
            await self._unknown(action, ErrorCode.UNKNOWN_OUTCOME.value)
        else:
            await self._queue.mark_sent(action.id, self.owner, activity_id, status=201)

    async def _refused(self, job: _Job, attempt: int, exc: ConnectorError) -> None:
        action, code = job.action, f"http_{exc.status}"
        if exc.status == 429:
            delay = _seconds(exc.retry_after) or self._backoff(attempt)
            until = self._budget.now() + delay
            # Pause the whole tenant: a 429 does not say which limit was hit, and most likely
            # it was the tenant's (other traffic of the app counts too).
            self._paused[job.ref.tenant_id] = max(self._paused.get(job.ref.tenant_id, 0), until)
            await self._budget.pause(tenant_cells(self._budget.pacing, job.ref.tenant_id), until)
            if attempt < self.policy.max_throttled_attempts:
                await self._queue.mark_failed(
                    action.id,
                    self.owner,
                    code,
                    self._clock_at(until),
                    outcome=Outcome.THROTTLED,
                    status=429,
                )
            else:
                await self._final(action, code, Outcome.THROTTLED, 429)
        elif exc.status in RETRIED_STATUSES:
            await self._retry(action, attempt, code, exc.status)
        else:
            await self._final(action, code, Outcome.ERROR, exc.status)

    async def _retry(self, action: DueAction, attempt: int, code: str, status: int | None) -> None:
        if attempt >= self.policy.max_attempts:
            await self._final(action, code, Outcome.ERROR, status)
            return
        retry_at = self._clock.now() + timedelta(seconds=self._backoff(attempt))
        await self._queue.mark_failed(action.id, self.owner, code, retry_at, status=status)

    async def _final(
        self, action: DueAction, code: str, outcome: Outcome, status: int | None
    ) -> None:
        await self._queue.mark_failed(
            action.id, self.owner, code, None, outcome=outcome, status=status
        )

    async def _unknown(self, action: DueAction, code: str) -> None:
        """The request may have reached Teams."""
        if self._probe is not None:
            # Look later, when a copy that is on its way would have arrived.
            settle = self._clock.now() + timedelta(seconds=self.policy.settle_seconds)
            await self._queue.mark_unknown(action.id, self.owner, code, settle)
            return
        await self._queue.record(action.id, Outcome.ERROR, code, worker=self.owner)
        if action.resend_if_unknown:
            retry_at = self._clock.now() + timedelta(seconds=self._backoff(1))
            await self._queue.mark_failed(
                action.id,
                self.owner,
                ErrorCode.UNKNOWN_OUTCOME.value,
                retry_at,
                outcome=Outcome.RECONCILED,
            )
        else:
            await self._queue.mark_failed(
                action.id, self.owner, ErrorCode.UNKNOWN_OUTCOME.value, outcome=Outcome.RECONCILED
            )

    # --- time ----------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.policy.backoff_base * 2 ** max(attempt - 1, 0), self.policy.backoff_max)
        return random.uniform(ceiling / 2, ceiling)

    def _clock_at(self, budget_time: float) -> datetime:
        """A budget (wall clock) time as a time on the queue's clock, which tests may move."""
        return self._clock.now() + timedelta(seconds=max(budget_time - self._budget.now(), 0.0))

    async def _wait_until(self, at: float) -> bool:
        """Sleep until budget time `at`; False if the worker is stopping."""
        delay = at - self._budget.now()
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
        return not self._stop.is_set()


def _marked(activity: dict[str, Any], marker: str) -> dict[str, Any]:
    marked = dict(activity)
    marked.setdefault("type", "message")
    channel_data = dict(marked.get("channelData") or {})
    channel_data[MARKER_FIELD] = marker
    marked["channelData"] = channel_data
    return marked


def marker_of(activity: dict[str, Any]) -> str | None:
    """The delivery marker an activity carries, if any."""
    channel_data = activity.get("channelData")
    if isinstance(channel_data, dict):
        value = channel_data.get(MARKER_FIELD)
        return value if isinstance(value, str) else None
    return None


def _seconds(retry_after: str | None) -> float | None:
    if not retry_after:
        return None
    try:
        return max(float(retry_after), 0.0)
    except ValueError:
        return None  # an HTTP date: rare for Teams; fall back to backoff
