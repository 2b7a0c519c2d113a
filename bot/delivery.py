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

Pacing (storage.send_budget) is shared through the database by every instance: a batch first
reserves tenant slots, then each chat's slot at the time its message will really go (so a
chat is paced by actual send times, however long the tenant's queue). A 429 pauses the whole
tenant until Retry-After, for every instance. The ConnectorClient must try once (see
`delivery_connector`): retries go through the queue (not_before), never a sleep in a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import random
import socket
import uuid
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

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
from storage.send_budget import Ask, SendBudget, conversation_cells, tenant_cells

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
    # How stale this instance's view of another instance's 429 pause may be, in seconds.
    pause_check_seconds: float = 0.05
    # Database calls at once: more than the engine's pool (5) only churns connections.
    db_concurrency: int = 4
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


class _Gated:
    """Runs each coroutine method of `target` while holding `gate`.

    A worker has many sends in flight; letting each hit the database at once exhausts the
    engine's pool, and every connection beyond it is opened and closed per use (for
    PostgreSQL a new server process each time).
    """

    def __init__(self, target: object, gate: asyncio.Semaphore) -> None:
        self._target = target
        self._gate = gate

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        async def gated(*args: Any, **kwargs: Any) -> Any:
            async with self._gate:
                return await attribute(*args, **kwargs)

        return gated


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
        self.policy = policy or DeliveryPolicy()
        gate = asyncio.Semaphore(self.policy.db_concurrency)
        self._queue = cast(DueActionQueue, _Gated(queue, gate))
        self._connector = connector
        self._refs = cast(ConversationRefStore, _Gated(refs, gate))
        self.owner = owner or new_owner_id()
        self._budget = cast(SendBudget, _Gated(budget, gate))
        self._clock = clock or SystemClock()
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight or 2 * batch_size
        self._open_conversation = open_conversation
        self._render = render or default_render
        self._probe = probe
        # Tenants this process saw a 429 for, until when (budget time); the database has it
        # too, for the other instances.
        self._paused: dict[str | None, float] = {}
        # Conversation id -> lock of the one action of this process waiting for that chat.
        self._chat_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
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
        # Tenant slots first, for the whole batch in one transaction; then, in one more, each
        # chat's slot at the time its message will really go: a chat is paced by its actual
        # send times, however long the tenant's queue.
        pacing = self._budget.pacing
        by_tenant: dict[str | None, list[_Job]] = {}
        for job in jobs:
            by_tenant.setdefault(job.ref.tenant_id, []).append(job)
        tenant_slots = await self._budget.reserve(
            [Ask(tenant_cells(pacing, tenant), len(group)) for tenant, group in by_tenant.items()]
        )
        timed: list[tuple[_Job, float]] = []
        for group, reservation in zip(by_tenant.values(), tenant_slots, strict=True):
            if reservation.deferred_until is not None:
                for job in group:  # the tenant is paused (429) beyond the horizon
                    await self._release(job, reservation.deferred_until)
            else:
                timed += zip(group, reservation.times, strict=True)
        chat_slots = await self._budget.reserve(
            [
                Ask(
                    conversation_cells(pacing, job.ref.conversation_id),
                    at=at,
                    within=self.policy.late_tolerance,
                )
                for job, at in timed
            ]
        )
        for (job, _), reservation in zip(timed, chat_slots, strict=True):
            if reservation.deferred_until is None:
                tasks.add(asyncio.create_task(self._deliver(job, reservation.times[0])))
            else:
                # The chat is busy at that time: this tenant slot goes unused, and the action
                # waits for the chat on its own.
                tasks.add(asyncio.create_task(self._deliver(job, None, reservation.deferred_until)))
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

    async def _deliver(self, job: _Job, at: float | None, chat_free: float | None = None) -> None:
        """Send at the reserved time `at`, or first find a time (after `chat_free`, if given)."""
        action = job.action
        try:
            for _ in range(10):
                if at is None:
                    at = await self._pace_alone(job, chat_free)
                    if at is None:
                        return
                if not await self._wait_until(at):
                    await self._queue.release(action.id, self.owner, None)
                    return
                # Late for the slot (a busy event loop): sending now could bunch up with the
                # sends after it; take a fresh slot instead.
                if self._budget.now() - at <= self.policy.late_tolerance:
                    break
                at = chat_free = None
            else:
                await self._queue.release(action.id, self.owner, None)
                return
            cells = tenant_cells(self._budget.pacing, job.ref.tenant_id)
            paused = max(
                self._paused.get(job.ref.tenant_id, 0.0),
                await self._budget.paused_until(cells, self.policy.pause_check_seconds) or 0.0,
            )
            if paused > self._budget.now():
                await self._release(job, paused)
                return
            await self._send(job)
        except Exception:
            log.exception("due action %s: delivery failed", action.id)

    async def _pace_alone(self, job: _Job, chat_free: float | None) -> float | None:
        """A send time for one action (tenant slot, then chat at it); None if given back."""
        pacing = self._budget.pacing
        tenant = tenant_cells(pacing, job.ref.tenant_id)
        chat = conversation_cells(pacing, job.ref.conversation_id)
        # One waiter per chat in this process: others would only take tenant slots to find
        # the chat still busy.
        lock = self._chat_locks.setdefault(job.ref.conversation_id, asyncio.Lock())
        async with lock:
            for _ in range(20):
                if chat_free is not None:
                    if chat_free - self._budget.now() > self._budget.pacing.horizon:
                        await self._release(job, chat_free)
                        return None
                    if not await self._wait_until(chat_free):
                        await self._queue.release(job.action.id, self.owner, None)
                        return None
                [slot] = await self._budget.reserve([Ask(tenant)])
                if slot.deferred_until is not None:
                    await self._release(job, slot.deferred_until)
                    return None
                [fit] = await self._budget.reserve(
                    [Ask(chat, at=slot.times[0], within=self.policy.late_tolerance)]
                )
                if fit.deferred_until is None:
                    return fit.times[0]
                chat_free = fit.deferred_until
        # Other instances kept winning this chat: let the queue bring the action back.
        await self._release(job, chat_free or self._budget.now())
        return None

    async def _release(self, job: _Job, until: float) -> None:
        """Give the action back, due again at budget time `until`."""
        await self._queue.release(job.action.id, self.owner, self._clock_at(until))

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
