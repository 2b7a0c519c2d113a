"""On a loaded machine or a slow database the sends still go, each on time for its slot.

A send's slot is reserved in a transaction and its database work (marking it sending) is done
before the slot; a request later than the pacing's late_tolerance does not go and takes a new
slot. When that work took longer than the policy's prepare_ahead, a worker that reserved each
slot for "now" missed every one of them, and each miss spent a slot of the chat: a busy chat
was claimed and given back again and again, and nothing went out (the chaos test under load).
"""

from __future__ import annotations

import asyncio
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
