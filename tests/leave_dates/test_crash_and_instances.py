"""A crash before the delta link is saved, two instances at once, and a large tenant."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest

from config.loader import LoadedConfig
from journey.leave_dates import CheckReport, EntraUser
from storage.database import Database
from storage.leave_dates import SqlLeaveDates
from tests.leave_dates.helpers import SETTINGS, SOON, FakeEntra, Rig, build_rig, user

AUTO = SETTINGS.model_copy(update={"mode": "auto"})


class CrashBeforeTheLink:
    """The store, but the process dies when the check saves its delta link (once)."""

    def __init__(self, store: SqlLeaveDates) -> None:
        self._store = store
        self.crashes = 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def finish(self, *args: Any) -> bool:
        if self.crashes:
            self.crashes -= 1
            raise RuntimeError("the instance died")
        return await self._store.finish(*args)


async def test_a_crash_before_saving_the_link_reads_again_and_registers_nothing_twice(
    db: Database, default_config: LoadedConfig
) -> None:
    rig = build_rig(db, default_config, settings=AUTO, store_wrapper=CrashBeforeTheLink)
    rig.entra.put(*(user(n) for n in range(1, 6)))

    with pytest.raises(RuntimeError):
        await rig.check.run()
    assert await rig.count() == 5
    rig.entra.set_leave(3, date(2026, 4, 17))  # and something changes meanwhile
    report = await rig.check.run()

    assert report.full_read and report.registered == 0 and report.moved == 1
    assert await rig.count() == 5
    for n in range(1, 6):
        assert len(await rig.all_for(n)) == 1
    moved = await rig.departure_of(3)
    assert moved is not None and moved.last_working_day == date(2026, 4, 17)


async def test_a_crash_after_registering_but_before_the_finding_finds_the_departure(
    rig: Rig,
) -> None:
    rig.use(AUTO)
    rig.entra.put(user(1))
    await rig.check.run()
    departure = await rig.departure_of(1)
    assert departure is not None
    # As if the finding was never saved after the registration.
    async with db_transaction(rig) as connection:
        await connection.exec_driver_sql("DELETE FROM leave_date_findings")
        await connection.exec_driver_sql("UPDATE leave_date_check SET delta_link = NULL")

    report = await rig.check.run()

    assert report.registered == 0 and await rig.count() == 1
    finding = await rig.store.get(user(1).id)
    assert finding is not None and finding.departure_id == departure.id


def db_transaction(rig: Rig) -> Any:
    return rig.db.engine.begin()


class GatedEntra(FakeEntra):
    """Entra that holds the first read until one of the two checks has finished, so both
    checks run at the same time whichever wins the lease."""

    def __init__(self) -> None:
        super().__init__()
        self.one_finished = asyncio.Event()

    async def start_delta(self, attributes: tuple[str, ...]) -> str:
        await asyncio.wait_for(self.one_finished.wait(), timeout=30)
        return await super().start_delta(attributes)


async def _two_at_once(url: str, config: LoadedConfig) -> tuple[list[CheckReport], Rig]:
    entra = GatedEntra()
    entra.put(*(user(n) for n in range(1, 21)))
    first, second = await Database.open(url), await Database.open(url)
    try:
        rigs = [
            build_rig(first, config, entra=entra, settings=AUTO, holder="instance-a"),
            build_rig(second, config, entra=entra, settings=AUTO, holder="instance-b"),
        ]

        async def run(rig: Rig) -> CheckReport:
            try:
                return await rig.check.run()
            finally:
                entra.one_finished.set()

        reports = await asyncio.gather(*(run(r) for r in rigs))
        counted = [len(await rigs[0].all_for(n)) for n in range(1, 21)]
        assert counted == [1] * 20
        return list(reports), rigs[0]
    finally:
        await first.close()
        await second.close()


async def test_two_instances_at_once_one_checks_every_leaver_registered_once(
    database_url: str, default_config: LoadedConfig
) -> None:
    reports, _ = await _two_at_once(database_url, default_config)

    assert sorted(r.skipped_check for r in reports) == [False, True]
    assert sum(r.registered for r in reports) == 20


async def test_after_one_instance_finishes_the_other_may_check(
    db: Database, default_config: LoadedConfig
) -> None:
    entra = FakeEntra()
    entra.put(user(1))
    a = build_rig(db, default_config, entra=entra, settings=AUTO, holder="instance-a")
    b = build_rig(db, default_config, entra=entra, settings=AUTO, holder="instance-b")
    assert (await a.check.run()).registered == 1
    entra.put(user(2))
    assert (await b.check.run()).registered == 1
    assert await a.count() == 2


async def test_a_crashed_instances_lease_runs_out(rig: Rig, db: Database) -> None:
    rig.use(AUTO)
    rig.entra.put(user(1))
    assert await rig.store.take_lease("crashed", rig.clock.now() + timedelta(minutes=10))
    assert (await rig.check.run()).skipped_check
    rig.clock.advance(minutes=11)
    assert (await rig.check.run()).registered == 1


class StoppedAfterTheLease:
    """The store, but the service is stopped right after the lease is stored (the task is
    cancelled while the lease UPDATE's answer is on its way back)."""

    def __init__(self, store: SqlLeaveDates) -> None:
        self._store = store
        self.stored = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def take_lease(self, holder: str, until: Any) -> bool:
        assert await self._store.take_lease(holder, until)
        self.stored.set()
        await asyncio.Event().wait()  # cancelled here, with the lease stored
        return True


async def test_a_service_stopped_just_after_taking_the_lease_lets_it_go(
    db: Database, default_config: LoadedConfig
) -> None:
    wrapped: list[StoppedAfterTheLease] = []

    def wrap(store: SqlLeaveDates) -> StoppedAfterTheLease:
        wrapped.append(StoppedAfterTheLease(store))
        return wrapped[0]

    stopped = build_rig(db, default_config, settings=AUTO, store_wrapper=wrap)
    stopped.entra.put(user(1))
    running = asyncio.create_task(stopped.check.run())
    await asyncio.wait_for(wrapped[0].stored.wait(), timeout=60)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    # The next start (another instance, same clock: the lease would hold for ten minutes)
    # checks at once.
    other = build_rig(db, default_config, settings=AUTO, entra=stopped.entra, holder="instance-b")
    assert (await other.check.run()).registered == 1


async def test_five_thousand_users_with_three_hundred_leave_dates(
    db: Database, default_config: LoadedConfig
) -> None:
    rig = build_rig(db, default_config, settings=AUTO)
    users = [
        user(n, leave=SOON + timedelta(days=n % 20) if n % 50 < 3 else None) for n in range(5000)
    ]
    rig.entra.put(*users)
    with_date = [u for u in users if u.leave_date is not None]
    assert len(with_date) == 300

    report = await rig.check.run()

    assert report.registered == 300 and await rig.count() == 300
    rig.entra.put(*(EntraUser(**{**u.model_dump(), "display_name": "x"}) for u in users[:1000]))
    again = await rig.check.run()
    assert not again.full_read and again.read == 1000 and again.registered == 0
    assert await rig.count() == 300
