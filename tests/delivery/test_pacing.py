"""The shared send budget keeps Teams' limits, also for two instances on one database."""

from __future__ import annotations

import asyncio
import bisect
import math

from storage.database import Database
from storage.send_budget import (
    TEAMS_PACING,
    Ask,
    Limit,
    Pacing,
    Send,
    SendBudget,
    conversation_cells,
    tenant_cells,
)
from testkit.standins.throttling import TEAMS_CONVERSATION_LIMITS, TEAMS_TENANT_LIMITS

START = 1_800_000_000.0


class FakeTime:
    """A wall clock the test moves, shared by budgets as if they were on one machine."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


def most_in_window(times: list[float], seconds: float) -> int:
    """The most sends in any half-open window [t, t + seconds)."""
    ordered = sorted(times)
    # Unix times near 1.8e9 s carry about 0.2 µs of float rounding per step; 0.1 ms of slack
    # keeps sums of exact intervals from counting as one send too many.
    return max(bisect.bisect_left(ordered, t + seconds - 1e-4) - i for i, t in enumerate(ordered))


async def test_a_tenant_gets_its_rate_and_no_more(db: Database) -> None:
    fake = FakeTime()
    budget = SendBudget(db, Pacing(tenant=(Limit(50.0, 1),), conversation=()), now=fake)
    cells = tenant_cells(budget.pacing, "tenant-a")

    times: list[float] = []
    for _ in range(10):
        [reservation] = await budget.reserve([Ask(cells, 10)])
        times += reservation.times

    assert times[0] == START
    assert most_in_window(times, 1.0) == 50
    assert math.isclose(times[-1] - times[0], 99 / 50, abs_tol=1e-5)


async def test_two_instances_share_one_budget(database_url: str) -> None:
    fake = FakeTime()
    pacing = Pacing(tenant=(Limit(50.0, 1),), conversation=())
    async with (
        await Database.open(database_url) as first,
        await Database.open(database_url) as second,
    ):
        budgets = [SendBudget(first, pacing, now=fake), SendBudget(second, pacing, now=fake)]
        cells = tenant_cells(pacing, "tenant-a")

        async def take(budget: SendBudget) -> list[float]:
            taken: list[float] = []
            for _ in range(10):
                [reservation] = await budget.reserve([Ask(cells, 5)])
                taken += reservation.times
            return taken

        both = await asyncio.gather(*(take(budget) for budget in budgets))

    merged = both[0] + both[1]
    assert len(set(merged)) == 100  # no slot handed out twice
    assert most_in_window(merged, 1.0) == 50


async def test_default_pacing_keeps_every_teams_window(db: Database) -> None:
    # Sends as fast as the budget allows, in batches of 10, the clock jumping to each batch:
    # 2,000 into one conversation (past Teams' hourly 1,800) and 500 across a tenant.
    fake = FakeTime()
    budget = SendBudget(db, TEAMS_PACING, now=fake)
    chat = conversation_cells(TEAMS_PACING, "a:one-busy-chat") + tenant_cells(TEAMS_PACING, "t")

    async def send_all(cells: list[tuple[str, Limit]], count: int) -> list[float]:
        times: list[float] = []
        while len(times) < count:
            [reservation] = await budget.reserve([Ask(cells, 10)])
            if reservation.deferred_until is not None:
                fake.now = reservation.deferred_until
                continue
            times += reservation.times
            fake.now = reservation.times[0]
        return times

    chat_times = await send_all(chat, 2000)
    fake.now += 3600
    tenant_times = await send_all(tenant_cells(TEAMS_PACING, "t2"), 500)

    for seconds, most in TEAMS_CONVERSATION_LIMITS:
        assert most_in_window(chat_times, seconds) <= most - 1, (seconds, most)
    late = TEAMS_PACING.late_tolerance
    for seconds, most in TEAMS_TENANT_LIMITS:
        assert most_in_window(tenant_times, seconds) <= most - 2
        # A send may go up to late_tolerance after its slot, into the window of the sends after
        # it: the slots of any window that much longer still leave one request to spare.
        assert most_in_window(tenant_times, seconds + late) <= most - 1
    # ...and it is not needlessly slow: 47 a second across the tenant.
    assert math.isclose(tenant_times[-1] - tenant_times[0], 499 / 47, abs_tol=1e-3)


async def test_a_send_too_far_ahead_is_deferred_without_using_the_budget(db: Database) -> None:
    fake = FakeTime()
    pacing = Pacing(tenant=(), conversation=(Limit(1.0, 1),), horizon=5.0)
    budget = SendBudget(db, pacing, now=fake)
    cells = conversation_cells(pacing, "a:chat")
    [first] = await budget.reserve([Ask(cells, 6)])
    before = await budget.snapshot()

    [deferred] = await budget.reserve([Ask(cells)])

    assert first.times == tuple(START + n for n in range(6))
    assert deferred.times == () and deferred.deferred_until == START + 6
    assert await budget.snapshot() == before


async def test_a_chat_is_paced_at_the_time_its_message_will_really_go(db: Database) -> None:
    # The worker first gets a tenant slot, maybe a second away, then asks the chat for that
    # very time; if the chat is busy then, nothing is taken from it.
    fake = FakeTime()
    pacing = Pacing(tenant=(), conversation=(Limit(2.0, 1),))
    budget = SendBudget(db, pacing, now=fake)
    cells = conversation_cells(pacing, "a:chat")

    [first] = await budget.reserve([Ask(cells, at=START + 0.8, within=0.05)])
    [busy] = await budget.reserve([Ask(cells, at=START + 0.9, within=0.05)])
    [later] = await budget.reserve([Ask(cells, at=START + 1.3, within=0.05)])

    assert first.times == (START + 0.8,)
    assert busy.times == () and busy.deferred_until == START + 1.3
    assert later.times == (START + 1.3,)


async def test_a_batch_takes_its_slots_in_one_go_and_a_busy_chat_leaves_its_tenant_slot(
    db: Database,
) -> None:
    # One transaction for a worker's batch: each message's tenant slot, then its chat's at
    # that time; a message whose chat is busy takes no tenant slot, the next message has it.
    fake = FakeTime()
    pacing = Pacing(tenant=(Limit(10.0, 1),), conversation=(Limit(1.0, 1),))
    budget = SendBudget(db, pacing, now=fake)
    tenant = tenant_cells(pacing, "tenant-a")
    one, two = conversation_cells(pacing, "a:one"), conversation_cells(pacing, "a:two")

    first, busy, other = await budget.reserve_sends(
        [Send(tenant, one), Send(tenant, one), Send(tenant, two)]
    )

    assert first.times == (START,)
    assert busy.times == () and busy.by_chat and busy.deferred_until == START + 1.0
    assert other.times == (START + 0.1,)  # the slot `busy` did not take
    await budget.pause(tenant, START + 30)
    [paused] = await budget.reserve_sends([Send(tenant, two)])
    assert paused.times == () and not paused.by_chat and paused.deferred_until == START + 30


async def test_a_pause_holds_every_instance_until_it_ends(database_url: str) -> None:
    fake = FakeTime()
    pacing = Pacing(tenant=(Limit(50.0, 1),), conversation=())
    async with (
        await Database.open(database_url) as first,
        await Database.open(database_url) as second,
    ):
        mine, theirs = SendBudget(first, pacing, now=fake), SendBudget(second, pacing, now=fake)
        cells = tenant_cells(pacing, "tenant-a")

        await mine.pause(cells, START + 3)

        assert await theirs.paused_until(cells) == START + 3
        [reservation] = await theirs.reserve([Ask(cells, 2)])
        assert reservation.times == (START + 3, START + 3 + 1 / 50)
        fake.now = START + 3.5
        assert await theirs.paused_until(cells) is None


async def test_idle_cells_are_pruned(db: Database) -> None:
    fake = FakeTime()
    budget = SendBudget(db, TEAMS_PACING, now=fake)
    await budget.reserve([Ask(tenant_cells(TEAMS_PACING, "t"))])
    fake.now += 10
    await budget.reserve([Ask(conversation_cells(TEAMS_PACING, "a:chat"))])
    fake.now += 3600

    # The tenant cell and the chat's slow cell (its burst started long before) are idle; the
    # chat's fast cell was used 3,595 s ago and is kept.
    assert await budget.prune(idle_seconds=3600 + 5) == 2

    assert [scope[:4] for scope in await budget.snapshot()] == ["c:0:"]
