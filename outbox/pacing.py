"""When each send may go: Teams' limits per tenant and per chat, shared by every instance.

Pacing (storage.send_budget) is shared through the database: a batch reserves, in one
transaction, each message's tenant slot and then its chat's slot at the time it will really go
(so a chat is paced by actual send times, however long the tenant's queue; a busy chat takes no
tenant slot). A 429 pauses the whole tenant until Retry-After, for every instance.

A send's database work (marking it sending, reading pauses) is done just before its slot, and
the request goes only if it is still on time when that work is done: a late request (a busy
machine, a slow database) would bunch up with the sends after it and exceed Teams' window.

How long before its slot that work starts (the lead) follows the machine: a fresh slot lies a
lead ahead of the moment it is asked for, so the reservation's own transaction and the send's
database work fit before it. The lead starts at the policy's `prepare_ahead` and grows when a
slot is missed because that work overran it (a slow database), up to MAX_LEAD_SHARE of the
shorter lease, and shrinks again with each send on time. With a fixed lead a loaded machine
missed nearly every slot: a slot reserved "now" had passed when its transaction returned, and
each miss spent one of the chat's slots, so a busy chat's next one lay seconds ahead and was
missed again. The lead does not grow for a send whose work was done in time but which woke late
(the machine ran something else), nor again for the other slots reserved before it last grew:
one stall of ~0.1 s makes several sends late at once, and growing for each (x1.5, to 3 s) left
the tenant's next seconds of slots unused, since no fresh slot may lie closer than the lead
(bench.fanout on a loaded machine: 53 % of the ceiling, gaps of 2.5 s without a send).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from journey.clock import Clock
from journey.ports import ConversationRef
from outbox.policy import DeliveryPolicy
from storage.send_budget import Reservation, Send, SendBudget, conversation_cells, tenant_cells

# How often (seconds) a running worker forgets idle pacing cells.
PRUNE_SECONDS = 600
# The lead grows by this factor with a missed slot, and shrinks by LEAD_EASING with a kept one.
LEAD_GROWTH = 1.5
LEAD_EASING = 0.98
# The lead stays below this share of the claim's and the sending lease (a send must go well
# within both) and below MAX_LEAD seconds.
MAX_LEAD_SHARE = 0.25
MAX_LEAD = 3.0


@dataclass(frozen=True)
class Later:
    """Give the action back to the queue: due again at budget time `until`, or now if None."""

    until: float | None = None


@dataclass(frozen=True)
class ChatBusy:
    """The tenant had a slot but the chat had not: the send finds a time alone, after `free_at`."""

    free_at: float


class Pacer:
    """Reserves send times in the shared budget and waits for them; one per worker."""

    def __init__(self, budget: SendBudget, policy: DeliveryPolicy, clock: Clock) -> None:
        self._budget = budget
        self._policy = policy
        self._clock = clock
        # Tenants this process saw a 429 for, until when (budget time); the database has it
        # too, for the other instances.
        self._paused: dict[str | None, float] = {}
        # Conversation id -> lock of the one action of this process waiting for that chat.
        self._chat_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._stop = asyncio.Event()
        self._last_prune = budget.now()
        # How many times the policy's prepare_ahead the lead is now (and pause_check_seconds
        # the time the pauses are checked before a slot, up to pause_stale_seconds).
        self._slack = 1.0
        longest = min(
            MAX_LEAD, MAX_LEAD_SHARE * min(policy.lease_seconds, policy.sending_lease_seconds)
        )
        self._max_slack = max(1.0, longest / policy.prepare_ahead) if policy.prepare_ahead else 1.0
        # The latest slot this pacer reserved, and the latest when the lead last grew.
        self._reserved_until = 0.0
        self._grown_for = 0.0

    def start(self, stop: asyncio.Event) -> None:
        """Waits end early once `stop` is set."""
        self._stop = stop
        self._last_prune = self.now()

    def now(self) -> float:
        """Budget time (Unix seconds, shared by all instances)."""
        return self._budget.now()

    @property
    def lead(self) -> float:
        """Seconds before its slot a send's database work starts; a fresh slot is that far off."""
        return self._policy.prepare_ahead * self._slack

    def missed(self, at: float, late: float) -> None:
        """The slot `at` was missed by `late` seconds: start earlier from now on.

        Once only for the slots reserved before the lead last grew: one stall of the machine
        makes several of them late at once, and they say nothing about the grown lead.
        """
        if at <= self._grown_for:
            return
        self._grown_for = self._reserved_until
        ahead = self._policy.prepare_ahead
        grown = self._slack * LEAD_GROWTH
        wanted = max(grown, self._slack + late / ahead) if ahead else grown
        self._slack = min(self._max_slack, wanted)

    def kept(self) -> None:
        """A send went on time: the lead eases back towards the policy's."""
        self._slack = max(1.0, self._slack * LEAD_EASING)

    def clock_at(self, budget_time: float) -> datetime:
        """A budget (wall clock) time as a time on the queue's clock, which tests may move."""
        return self._clock.now() + timedelta(seconds=max(budget_time - self.now(), 0.0))

    async def plan(self, refs: Sequence[ConversationRef]) -> list[float | ChatBusy | Later]:
        """One send time per chat of a batch, in order, in one transaction: each message's
        tenant slot, then its chat's at that time (storage.send_budget.reserve_sends)."""
        slots = await self._budget.reserve_sends([self._send(ref) for ref in refs], self.lead)
        return [self._planned(slot) for slot in slots]

    async def send_time(
        self, ref: ConversationRef, at: float | None, chat_free: float | None
    ) -> float | Later:
        """Wait until just before the reserved time `at`, or first find one (after `chat_free`)."""
        pacing = self._budget.pacing
        for _ in range(10):
            if at is None:
                found = await self._pace_alone(ref, chat_free)
                if isinstance(found, Later):
                    return found
                at = found
            # The send's database work goes in the time before its slot, not after it.
            if not await self.wait_until(at - self.lead):
                return Later()
            # Late for the slot (a busy event loop): sending now could bunch up with the sends
            # after it; take a fresh slot instead, further ahead.
            late = self.now() - at
            if late <= pacing.late_tolerance:
                return at
            self.missed(at, late)
            at = chat_free = None
        return Later()

    async def go_ahead(self, tenant_id: str | None, at: float) -> bool | Later:
        """At the slot `at`: True to send now, False if late for it (take a new one), else Later.

        The pauses are checked just before the slot, as last read: a view older than
        `pause_check_seconds` is used while a read in the background renews it, so no database
        read stands between the slot and the request (a read there, ~20 ms on a busy machine,
        made one send in nine miss its slot, and a missed slot is lost to the tenant's rate).
        """
        policy = self._policy
        # Earlier on a loaded machine too, but never with a view older than a stale one.
        checked = min(policy.pause_check_seconds * self._slack, policy.pause_stale_seconds)
        # The database work before the slot (marking the send, reading the pauses) overran:
        # only then does an earlier start help.
        overran = self.now() > at - checked
        if not await self.wait_until(at - checked):
            return Later()
        # A pause matters if it outlasts the slot (slots reserved during one lie past its end).
        read_from = self.now()
        paused = await self.paused_until(tenant_id)
        if paused is not None and paused > at:
            return Later(paused)
        overran = overran or read_from <= at < self.now()
        if not await self.wait_until(at):
            return Later()
        paused = self._paused.get(tenant_id, 0.0)  # a 429 this instance drew meanwhile
        if paused > at:
            return Later(paused)
        late = self.now() - at
        if late > self._budget.pacing.late_tolerance:
            # Woken late with the work done in time (the machine was busy elsewhere): a longer
            # lead would only leave the tenant's slots before it unused.
            if overran:
                self.missed(at, late)
            return False
        self.kept()
        return True

    async def _pace_alone(self, ref: ConversationRef, chat_free: float | None) -> float | Later:
        """A send time for one action (tenant slot, then chat at it); else when to try again."""
        pacing = self._budget.pacing
        send = self._send(ref)
        # One waiter per chat in this process: others would only find the chat still busy.
        lock = self._chat_locks.setdefault(ref.conversation_id, asyncio.Lock())
        async with lock:
            for _ in range(20):
                if chat_free is not None:
                    if chat_free - self.now() > pacing.horizon:
                        return Later(chat_free)
                    if not await self.wait_until(chat_free):
                        return Later()
                [slot] = await self._budget.reserve_sends([send], self.lead)
                planned = self._planned(slot)
                if not isinstance(planned, ChatBusy):
                    return planned
                chat_free = planned.free_at
        # Other instances kept winning this chat: let the queue bring the action back.
        return Later(chat_free or self.now())

    def _planned(self, slot: Reservation) -> float | ChatBusy | Later:
        """A reservation of storage.send_budget.reserve_sends as the worker acts on it."""
        if slot.deferred_until is None:
            self._reserved_until = max(self._reserved_until, slot.times[0])
            return slot.times[0]
        if slot.by_chat:
            return ChatBusy(slot.deferred_until)  # the action waits for the chat alone
        return Later(slot.deferred_until)  # the tenant is paused (429) beyond the horizon

    def _send(self, ref: ConversationRef) -> Send:
        pacing = self._budget.pacing
        return Send(
            tenant_cells(pacing, ref.tenant_id), conversation_cells(pacing, ref.conversation_id)
        )

    async def paused_until(self, tenant_id: str | None) -> float | None:
        """When the tenant's 429 pause (this instance's or another's) ends, if it has not."""
        cells = tenant_cells(self._budget.pacing, tenant_id)
        paused = max(
            self._paused.get(tenant_id, 0.0),
            await self._budget.paused_until(
                cells, self._policy.pause_check_seconds, self._policy.pause_stale_seconds
            )
            or 0.0,
        )
        return paused if paused > self.now() else None

    async def throttled(self, tenant_id: str | None, delay: float) -> float:
        """Pause the whole tenant for `delay` seconds, for every instance; when it ends.

        A 429 does not say which limit was hit, and most likely it was the tenant's (other
        traffic of the app counts too).
        """
        until = self.now() + delay
        self._paused[tenant_id] = max(self._paused.get(tenant_id, 0), until)
        await self._budget.pause(tenant_cells(self._budget.pacing, tenant_id), until)
        return until

    async def prune_now_and_then(self) -> None:
        """Forget idle cells every PRUNE_SECONDS; a failure waits for the next round."""
        if self.now() - self._last_prune > PRUNE_SECONDS:
            self._last_prune = self.now()
            with contextlib.suppress(Exception):
                await self._budget.prune()

    async def wait_until(self, at: float) -> bool:
        """Sleep until budget time `at`; False if the worker is stopping."""
        delay = at - self.now()
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
        return not self._stop.is_set()
