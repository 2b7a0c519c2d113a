"""The delivery worker: sends due actions through the Bot Connector, each one once.

What "once" means here, and how it is kept:

- Claims are leased (storage.due_actions). A claimed action whose worker died is handed to
  another worker: nothing went out, so sending it is safe. Each claim holds its actions under
  a name of its own (storage.delivery_queue.claim_name), and a worker never claims again what
  it is still working on: a job whose lease ran out cannot send what a newer claim sends.
- The bearer token is had before an action is marked sending (outbox.token_gate): without it
  nothing went out, and the action goes back to the queue until the token is back.
- The state `sending` is committed just before the HTTP request (just before its pacing slot;
  a request that then may not go is set back to claimed) and `sent` (with Teams' activity id)
  just after. An action found still `sending` with its lease run out (the worker
  died mid-request) or whose request timed out may or may not have reached Teams.
- Such an action is reconciled, never blindly resent. If a `probe` can look into the chat
  (a stand-in, or Graph with permission to read the chat), its answer decides: found = sent,
  missing = send. Otherwise the action's own policy decides: by default at most once (failed
  with `unknown_outcome`, on HR's timeline, HR can requeue it), or, for actions scheduled with
  `resend_if_unknown`, at least once (sent again; the person may get it twice).
- Every activity carries a marker (outbox.markers) derived from the action's key, so a copy
  found in the chat can be matched to its action.
- An action claimed after its `expires_at` (downtime, a clock jump: a conversation reminder
  once the conversation began) is not sent late: it is settled `skipped`, code `expired`.

When each send may go is outbox.pacing's business; claims are fair across chats (at most
`claims_per_chat` of one recipient, none while one of theirs is under way). The ConnectorClient
must try once (see outbox.connector.delivery_connector): retries go through the queue
(not_before), never a sleep in a request. Each final outcome is told to the `on_settled` hook
(outbox.settle).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any, cast

import aiohttp

from journey.clock import Clock, SystemClock
from journey.due import DueAction, DueState, ErrorCode, Outcome
from journey.ports import ConversationRef, ConversationRefStore
from outbox.connector import (
    ConnectorClient,
    ConnectorError,
    ConversationGone,
    RecipientBlocked,
    TokenUnavailable,
)
from outbox.gate import Gated
from outbox.hooks import OpenConversation, Probe, Render, Settled, default_render
from outbox.markers import marked
from outbox.pacing import ChatBusy, Later, Pacer
from outbox.policy import DeliveryPolicy
from outbox.reach import stored_conversation
from outbox.settle import Settler, retry_after_seconds
from outbox.token_gate import TokenGate
from outbox.watch import DeliveryWatch, SendNote, Unwatched, watched
from storage.delivery_queue import claim_name
from storage.due_actions import DueActionQueue
from storage.send_budget import SendBudget

log = logging.getLogger(__name__)

RETRIED_STATUSES = frozenset({412, 502, 503, 504})
# While every slot is busy with slow sends, the loop still comes round this often: its last round
# (`loop_ran_at`) is how the readiness check tells a running worker from a stuck one.
HEARTBEAT_SECONDS = 5.0


def new_owner_id() -> str:
    """An owner id unique to this process (leases are compared by it)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class _Job:
    action: DueAction
    ref: ConversationRef  # the chat it goes to
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
        on_settled: Settled | None = None,
        watch: DeliveryWatch | None = None,
    ) -> None:
        self.policy = policy or DeliveryPolicy()
        self._watch = watch or Unwatched()
        gate = asyncio.Semaphore(self.policy.db_concurrency)
        self._queue = cast(DueActionQueue, Gated(queue, gate))
        self._connector = connector
        self._refs = cast(ConversationRefStore, Gated(refs, gate))
        self.owner = owner or new_owner_id()
        self._clock = clock or SystemClock()
        self._pacer = Pacer(cast(SendBudget, Gated(budget, gate)), self.policy, self._clock)
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight or 2 * batch_size
        self._open_conversation = open_conversation
        self._render = render or default_render
        self._probe = probe
        self._settle = Settler(
            self._queue,
            self.owner,
            self._clock,
            self.policy,
            probing=probe is not None,
            on_settled=watched(on_settled, watch),
        )
        self._tokens = TokenGate(connector, self.policy, self._pacer.now)
        self._claims = itertools.count(1)
        # Actions this worker is working on: never claimed again by it, lease run out or not.
        self._working: set[int] = set()
        # time.monotonic() at the loop's last round (run_forever); None before it runs.
        self.loop_ran_at: float | None = None

    # --- running -------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Claim one batch and deliver it to the end; how many actions were claimed."""
        tasks, claimed = await self._start_batch(self.batch_size)
        if tasks:
            await asyncio.gather(*tasks)
        return claimed

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; then finish requests under way and give back the rest."""
        self._pacer.start(stop)
        in_flight: set[asyncio.Task[None]] = set()
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                self.loop_ran_at = time.monotonic()
                claimed = 0
                room = self.max_in_flight - len(in_flight)
                # Without a bearer token nothing can go: claim nothing until it may be back.
                if self._tokens.shut_until() is not None:
                    room = 0
                if room >= self.batch_size or not in_flight:
                    try:
                        tasks, claimed = await self._start_batch(min(room, self.batch_size))
                    except Exception:
                        log.exception("claiming due actions failed; trying again")
                        tasks = set()
                    in_flight |= tasks
                await self._pacer.prune_now_and_then()
                if len(in_flight) > self.max_in_flight - self.batch_size:
                    await asyncio.wait(
                        {*in_flight, stopping},
                        timeout=HEARTBEAT_SECONDS,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
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
        actions = await self._queue.claim(
            claim_name(self.owner, next(self._claims)),
            limit,
            self.policy.lease_seconds,
            per_recipient=self.policy.claims_per_chat,
            besides=tuple(self._working),
        )
        tasks: set[asyncio.Task[None]] = set()
        started: set[int] = set()
        self._working.update(action.id for action in actions)
        try:
            jobs = await self._prepare_all(actions)
            if jobs and (token_back := await self._tokens.open()) is not None:
                # No token, nothing can go: back to the queue before any send time is taken
                # (slots taken and not used would hold the busy chats back after the outage).
                for job in jobs:
                    await self._no_token(job.action, token_back)
                jobs = []
            plans = await self._pacer.plan([job.ref for job in jobs]) if jobs else []
            for job, plan in zip(jobs, plans, strict=True):
                if isinstance(plan, Later):
                    await self._give_back(job, plan)
                    continue
                at, free = (None, plan.free_at) if isinstance(plan, ChatBusy) else (plan, None)
                tasks.add(asyncio.create_task(self._deliver(job, at, free)))
                started.add(job.action.id)
        finally:
            # What has no task of its own is settled, given back, or left to its lease.
            self._working.difference_update(a.id for a in actions if a.id not in started)
        return tasks, len(actions)

    async def _prepare_all(self, actions: list[DueAction]) -> list[_Job]:
        """_prepare() each action, one after the other in one unit of work: a departure, a
        person's chat and language are read once for the batch (storage.people_in_view)."""
        jobs: list[_Job] = []
        pending = list(reversed(actions))
        while pending:
            async with self._queue.reads_together():
                while pending:
                    action = pending.pop()
                    try:
                        job = await self._prepare(action)
                    except Exception:  # a database hiccup: left to its lease; the rest go on
                        log.exception("due action %s: preparing failed", action.id)
                        break  # in a new unit (this one's transaction may have failed)
                    if job is not None:
                        jobs.append(job)
        return jobs

    # --- one action ----------------------------------------------------------------------

    async def _prepare(self, action: DueAction) -> _Job | None:
        """Find the conversation and build the activity; settle what cannot or need not go."""
        if action.state != DueState.SENDING and action.expired(self._clock.now()):
            await self._settle.skip(action)
            return None
        ref = await self._conversation_of(action.recipient_key)
        if action.state == DueState.SENDING:
            await self._reconcile(action, ref)
            return None
        if ref is None:
            await self._settle.failed(action, ErrorCode.NO_CONVERSATION.value)
            return None
        try:
            activity = await self._render(action, ref)
        except Exception as exc:
            log.warning("due action %s: rendering failed (%s)", action.id, type(exc).__name__)
            await self._settle.failed(action, ErrorCode.RENDER_FAILED.value)
            return None
        return _Job(action, ref, marked(activity, action.marker))

    async def _conversation_of(self, recipient_key: str) -> ConversationRef | None:
        ref = await stored_conversation(self._refs, recipient_key)
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
            await self._settle.sent(
                action,
                answer.activity_id,
                ref,
                outcome=Outcome.RECONCILED,
                code=ErrorCode.FOUND_DELIVERED.value,
            )
        elif answer is not None or action.resend_if_unknown:
            # Certainly missing, or the action prefers a double to a loss: send it again,
            # through the queue like any retry.
            code = ErrorCode.FOUND_MISSING if answer is not None else ErrorCode.UNKNOWN_OUTCOME
            await self._settle.failed(
                action, code.value, self._clock.now(), outcome=Outcome.RECONCILED
            )
        else:
            # At most once: a reminder that may have arrived is not sent again; HR sees it on
            # the timeline and can requeue it.
            await self._settle.failed(
                action, ErrorCode.UNKNOWN_OUTCOME.value, outcome=Outcome.RECONCILED
            )

    async def _deliver(self, job: _Job, at: float | None, chat_free: float | None = None) -> None:
        """Send at the reserved time `at`, or first find a time (after `chat_free`, if given)."""
        action, lease = job.action, self._settle.lease(job.action)
        try:
            for _ in range(3):
                slot = await self._pacer.send_time(job.ref, at, chat_free)
                if action.expired(self._clock.now()):
                    await self._settle.skip(action)  # its moment passed while it waited
                    return
                if isinstance(slot, Later):
                    await self._give_back(job, slot)
                    return
                marked_at = self._pacer.now()
                attempt = await self._queue.mark_sending(
                    action.id, lease, self.policy.sending_lease_seconds
                )
                if attempt is None:
                    return  # cancelled or taken over since the claim
                go = await self._pacer.go_ahead(job.ref.tenant_id, slot)
                if go is True and self._in_time(marked_at):
                    await self._send(job, attempt)
                    return
                # Nothing went out: claimed again, then a new slot or back to the queue.
                await self._queue.unmark_sending(action.id, lease)
                if isinstance(go, Later):
                    await self._give_back(job, go)
                    return
                at = chat_free = None
            await self._give_back(job, Later())
        except Exception:
            log.exception("due action %s: delivery failed", action.id)
        finally:
            self._working.discard(action.id)

    def _in_time(self, marked_at: float) -> bool:
        """Whether a request can still go well within the lease marked sending at `marked_at`
        (one that outlived it would be reconciled, or sent again, while on its way)."""
        return self._pacer.now() - marked_at <= self.policy.sending_lease_seconds / 2

    async def _no_token(self, action: DueAction, until: float) -> None:
        """No bearer token: nothing went out; back to the queue until it may be back."""
        code = ErrorCode.TOKEN_UNAVAILABLE.value
        await self._settle.failed(action, code, self._pacer.clock_at(until))

    async def _give_back(self, job: _Job, later: Later) -> None:
        """Release the claim; the action is due again when `later` says."""
        not_before = None if later.until is None else self._pacer.clock_at(later.until)
        await self._queue.release(job.action.id, self._settle.lease(job.action), not_before)

    async def _send(self, job: _Job, attempt: int) -> None:
        with self._watch.sending(job.action.kind) as note:
            await self._post(job, attempt, note)

    async def _post(self, job: _Job, attempt: int, note: SendNote) -> None:
        """One request to Teams and its outcome recorded (and told to `note`)."""
        action, ref = job.action, job.ref
        try:
            activity_id = await self._connector.send_to_conversation(
                ref.service_url, ref.conversation_id, job.activity
            )
        except RecipientBlocked:
            note.ended("blocked", 403)
            await self._settle.final(action, "http_403", Outcome.BLOCKED, 403)
        except ConversationGone:
            note.ended("not_found", 404)
            await self._settle.final(action, "http_404", Outcome.NOT_FOUND, 404)
        except ConnectorError as exc:
            note.ended("throttled" if exc.status == 429 else "refused", exc.status)
            await self._refused(job, attempt, exc)
        except TokenUnavailable:
            # The token ran out since the gate had it, and no new one came: nothing was sent.
            note.ended(ErrorCode.TOKEN_UNAVAILABLE.value)
            await self._settle.retry(action, attempt, ErrorCode.TOKEN_UNAVAILABLE.value, None)
        except aiohttp.ClientConnectorError:
            # The connection was never made: nothing reached Teams, retrying is safe.
            note.ended(ErrorCode.CONNECT_FAILED.value)
            await self._settle.retry(action, attempt, ErrorCode.CONNECT_FAILED.value, None)
        except TimeoutError:
            note.ended(ErrorCode.TIMEOUT.value)
            await self._settle.unknown(action, ErrorCode.TIMEOUT.value)
        except Exception as exc:
            # A dropped connection or an unreadable answer after the request went out.
            log.warning("due action %s: send ended with %s", action.id, type(exc).__name__)
            note.ended(ErrorCode.UNKNOWN_OUTCOME.value)
            await self._settle.unknown(action, ErrorCode.UNKNOWN_OUTCOME.value)
        else:
            note.ended("sent", 201)
            await self._settle.sent(action, activity_id, ref, status=201)

    async def _refused(self, job: _Job, attempt: int, exc: ConnectorError) -> None:
        action, code = job.action, f"http_{exc.status}"
        if exc.status == 429:
            delay = retry_after_seconds(exc.retry_after) or self._settle.backoff(attempt)
            until = await self._pacer.throttled(job.ref.tenant_id, delay)
            if attempt < self.policy.max_throttled_attempts:
                retry_at = self._pacer.clock_at(until)
                await self._settle.failed(
                    action, code, retry_at, outcome=Outcome.THROTTLED, status=429
                )
            else:
                await self._settle.final(action, code, Outcome.THROTTLED, 429)
        elif exc.status in RETRIED_STATUSES:
            await self._settle.retry(action, attempt, code, exc.status)
        else:
            await self._settle.final(action, code, Outcome.ERROR, exc.status)
