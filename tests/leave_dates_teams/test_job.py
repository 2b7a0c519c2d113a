"""The leave-date check's job (jobs.leave_dates): once at start, then at HR's interval, only while
HR's YAML takes departures from Entra ID, read each round so a reload turns it on, off or
changes the interval; and what HR is told after a check that found leave dates for them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from aiohttp import web

from bot.typedefs import LEAVE_DATES
from jobs.leave_dates import leave_date_job
from journey.clock import FixedClock
from journey.leave_dates import CheckReport, CheckStatus, LeaveDateSettings
from testkit.waiting import wait_until
from tests.helpers.journey import HR, LiveApp, cards_of, texts_of

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@dataclass
class Check:
    """Stands in for LeaveDateCheck: counts runs, and says when the last one finished."""

    clock: FixedClock
    report: CheckReport = field(default_factory=lambda: CheckReport(to_confirm=2))
    runs: list[datetime] = field(default_factory=list)
    looks: int = 0  # rounds of the job: each reads HR's YAML

    async def run(self) -> CheckReport:
        self.runs.append(self.clock.now())
        return self.report

    async def status(self) -> CheckStatus:
        return CheckStatus(checked_at=self.runs[-1] if self.runs else None)


@asynccontextmanager
async def job(
    check: Check, settings: Callable[[], LeaveDateSettings | None], found: list[CheckReport]
) -> AsyncIterator[None]:
    async def told(report: CheckReport) -> None:
        found.append(report)

    def config() -> Any:  # HR's YAML as loaded now: only what the job reads of it
        check.looks += 1
        return SimpleNamespace(leave_dates=settings())

    context = leave_date_job(lambda: check, config, check.clock, told, tick_seconds=0.01)
    async with asynccontextmanager(context)(web.Application()):
        yield


async def a_few_rounds(check: Check) -> None:
    """Wait until the job has looked whether a check is due a few more times."""
    looked = check.looks
    await wait_until(lambda: check.looks >= looked + 3, what="the job looked again")


async def test_once_at_start_then_at_the_interval_and_a_reload_changes_it() -> None:
    clock = FixedClock(T0)
    check, found = Check(clock), []
    settings = LeaveDateSettings(check_every_minutes=60)
    async with job(check, lambda: settings, found):
        await wait_until(lambda: len(check.runs) == 1, what="the check at start")
        clock.advance(minutes=59)
        await a_few_rounds(check)
        assert len(check.runs) == 1  # not due yet
        clock.advance(minutes=1)
        await wait_until(lambda: len(check.runs) == 2, what="the check an hour later")
        settings = LeaveDateSettings(check_every_minutes=5)  # HR's YAML reloaded
        clock.advance(minutes=5)
        await wait_until(lambda: len(check.runs) == 3, what="the check at the new interval")
    assert found == [check.report] * 3


async def test_off_while_hr_takes_no_departures_from_entra_on_after_a_reload() -> None:
    clock = FixedClock(T0)
    check, found = Check(clock), []
    settings: LeaveDateSettings | None = None
    async with job(check, lambda: settings, found):
        await a_few_rounds(check)
        assert check.runs == [] and found == []
        settings = LeaveDateSettings()
        await wait_until(lambda: len(check.runs) == 1, what="the check once the source is on")


async def test_a_check_another_instance_holds_tells_nobody() -> None:
    clock = FixedClock(T0)
    check, found = Check(clock, report=CheckReport(skipped_check=True)), []
    async with job(check, LeaveDateSettings, found):
        await wait_until(lambda: len(check.runs) == 1, what="the check at start")
        await a_few_rounds(check)
    assert found == []


async def test_hr_contact_who_chats_with_the_bot_gets_the_card_once_in_their_language(
    app: LiveApp,
) -> None:
    entra = app.app[LEAVE_DATES]

    async def waiting() -> bool:
        return len(await entra.check.waiting()) == 2

    await app.until(waiting, what="the check at start found the demo's two leave dates")
    await app.settled()
    assert app.sent_to(HR) == []  # HR never chatted: the bot does not install itself to say it

    await app.say(HR, "hjælp", locale="da-DK")
    report = CheckReport(to_confirm=1, no_unit=1)
    assert await entra.notifier.found(report) == 1  # HR, who chats; not the others
    title = app.text("leave_dates.found_new", "da", count=2)
    card = await app.card_for(HR, title)
    assert card["lang"] == "da" and "Karen Jensen" in texts_of(card)
    await app.settled()
    assert not await entra.notifier.found(report)  # the same check: no second card
    await app.settled()
    told = [c for a in app.sent_to(HR) for c in cards_of(a) if title in texts_of(c)]
    assert len(told) == 1
    assert not await entra.notifier.found(CheckReport(moved=1))  # nothing new for HR
