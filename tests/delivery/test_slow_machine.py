"""On a loaded machine or a slow database the sends still go, each on time for its slot.

A send's slot is reserved in a transaction and its database work (marking it sending) is done
before the slot; a request later than the pacing's late_tolerance does not go and takes a new
slot. When that work took longer than the policy's prepare_ahead, a worker that reserved each
slot for "now" missed every one of them, and each miss spent a slot of the chat: a busy chat
was claimed and given back again and again, and nothing went out (the chaos test under load).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from journey.clock import SystemClock
from journey.ports import ConversationRef
from outbox.pacing import ChatBusy, Later, Pacer
from outbox.policy import DeliveryPolicy
from storage.database import Database
from storage.send_budget import Reservation, Send, SendBudget

# Longer than the policy's prepare_ahead (0.3 s): the reservation's commit, on a busy machine.
RESERVING = 0.4
MARKING = 0.2  # marking the action sending, just before its slot


class SlowBudget(SendBudget):
    """The shared budget of a slow database: a reservation's answer arrives late."""

    async def reserve_sends(self, sends: Sequence[Send], *args: float) -> list[Reservation]:
        reserved = await super().reserve_sends(sends, *args)
        await asyncio.sleep(RESERVING)
        return reserved


async def _send(pacer: Pacer, ref: ConversationRef, sent: list[tuple[float, float]]) -> bool:
    """The delivery worker's steps for one action (outbox.worker._deliver); whether it went."""
    [plan] = await pacer.plan([ref])
    if isinstance(plan, Later):
        return False
    at, free = (None, plan.free_at) if isinstance(plan, ChatBusy) else (plan, None)
    for _ in range(3):
        slot = await pacer.send_time(ref, at, free)
        if isinstance(slot, Later):
            return False
        await asyncio.sleep(MARKING)
        if await pacer.go_ahead(ref.tenant_id, slot) is True:
            sent.append((slot, pacer.now()))
            return True
        at = free = None
    return False


async def test_a_busy_chat_gets_its_messages_out_on_a_slow_database(db: Database) -> None:
    pacer = Pacer(SlowBudget(db), DeliveryPolicy(), SystemClock())
    busy = ConversationRef(
        user_key="hr-person",
        user_id="29:hr-person",
        conversation_id="a:chat-hr-person",
        service_url="http://teams",
        tenant_id="tenant-a",
    )
    sent: list[tuple[float, float]] = []

    for n in range(6):
        assert await _send(pacer, busy, sent), f"message {n} did not go"
    # Each on time for its slot: nothing bunched up with the sends after it.
    tolerance = SendBudget(db).pacing.late_tolerance
    assert all(at - slot <= tolerance for slot, at in sent), sent


def _chat(n: int) -> ConversationRef:
    return ConversationRef(
        user_key=f"person-{n}",
        user_id=f"29:person-{n}",
        conversation_id=f"a:chat-person-{n}",
        service_url="http://teams",
        tenant_id="tenant-a",
    )


class SlowPauses(SendBudget):
    """A slow database: reading the tenant's pauses, just before each slot, takes 0.15 s."""

    async def paused_until(self, *args: object, **kwargs: object) -> float | None:
        await asyncio.sleep(0.15)
        return await super().paused_until(*args, **kwargs)  # type: ignore[arg-type]


async def _due_in_one_stall(pacer: Pacer, count: int, stall: float = 0.0) -> list[bool | Later]:
    """`count` sends to as many chats (the worker's steps up to the request); with `stall`, the
    event loop is blocked that long just before their first slot (the machine ran something
    else). What go_ahead answered for each."""
    refs = [_chat(n) for n in range(count)]
    slots = await pacer.plan(refs)
    assert all(isinstance(slot, float) for slot in slots), slots

    async def one(ref: ConversationRef, at: float) -> bool | Later:
        slot = await pacer.send_time(ref, at, None)
        assert isinstance(slot, float)
        return await pacer.go_ahead(ref.tenant_id, slot)

    if stall:
        # Just after the first slot: the other sends have read the pauses and wait for theirs.
        first = min(slot for slot in slots if isinstance(slot, float))
        asyncio.get_running_loop().call_later(first - pacer.now() + 0.002, time.sleep, stall)
    answers = await asyncio.gather(
        *(one(ref, at) for ref, at in zip(refs, slots, strict=True) if isinstance(at, float))
    )
    # The reads of the pauses still under way in the background end before the database does.
    await asyncio.gather(*pacer._budget._refreshing.values(), return_exceptions=True)
    return answers


async def _next_fresh_slot_ahead(pacer: Pacer) -> float:
    """How far ahead of now the next message's slot lies."""
    [slot] = await pacer.plan([_chat(99)])
    assert isinstance(slot, float)
    return slot - pacer.now()


async def test_a_stall_of_the_machine_costs_the_slots_it_missed_and_no_more(db: Database) -> None:
    # The pauses are read well before each slot (a quiet database).
    policy = DeliveryPolicy(pause_check_seconds=0.12)
    pacer = Pacer(SendBudget(db), policy, SystemClock())

    answers = await _due_in_one_stall(pacer, 3, stall=0.15)

    # The sends after it woke over 0.1 s late for their slots and did not go (each takes a new
    # slot; the first may have gone before the stall)...
    assert answers[1:] == [False, False]
    # ...and the next message's slot is not pushed further off: the database work was done in
    # time, so an earlier start would not have helped, and a longer lead would leave the
    # tenant's slots before it unused.
    assert await _next_fresh_slot_ahead(pacer) < policy.prepare_ahead + 0.1


async def test_a_slow_database_lengthens_the_lead_once_per_stall(db: Database) -> None:
    policy = DeliveryPolicy()
    pacer = Pacer(SlowPauses(db), policy, SystemClock())

    answers = await _due_in_one_stall(pacer, 4)

    # The pause reads overran the slots: none went, and the sends start earlier from now on,
    # by one step (x1.5) for the one slow spell, not one for each of its four misses (x5).
    assert answers == [False] * 4
    assert 1.4 * policy.prepare_ahead < pacer.lead < 2 * policy.prepare_ahead
