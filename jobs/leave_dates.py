"""The check of leave dates in Entra ID (issue 16) as a background job: once at start, then at
HR's interval, while HR's YAML takes departures from Entra ID.

The job looks every minute whether a check is due, rather than sleeping the interval: HR's
`check_every_minutes` and whether the source is on at all are read each round, so a reload
of HR's YAML changes them without a restart. A check is due when none has been tried for the
interval, by this instance or another (the stored status says when the last one finished or
failed); the check's own lease makes sure one instance at a time runs it. After a check that
found leave dates for HR, `found` is told (outbox.leave_date_notifier sends HR's contact the
card).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from config.loaded import LoadedConfig
from jobs.periodic import CleanupContext, every
from journey.clock import Clock
from journey.leave_dates import CheckReport, CheckStatus

NAME = "entra-leave-dates"
TICK_SECONDS = 60.0  # how often the job looks whether a check is due


class LeaveDateRun(Protocol):
    """What the job asks of the check (journey.leave_date_check.LeaveDateCheck)."""

    async def run(self) -> CheckReport: ...

    async def status(self) -> CheckStatus: ...


def last_tried(status: CheckStatus) -> datetime | None:
    """When a check last finished or failed, whichever is later."""
    moments = [m for m in (status.checked_at, status.failed_at) if m is not None]
    return max(moments) if moments else None


def leave_date_job(
    check: Callable[[], LeaveDateRun | None],
    config: Callable[[], LoadedConfig],
    clock: Clock,
    found: Callable[[CheckReport], Awaitable[object]] | None = None,
    tick_seconds: float = TICK_SECONDS,
) -> CleanupContext:
    """Check at start and then every `check_every_minutes` while the source is on."""
    started = False

    async def work() -> str | None:
        nonlocal started
        settings, running = config().leave_dates, check()
        if settings is None or running is None:
            return None
        if started:
            last = last_tried(await running.status())
            interval = timedelta(minutes=settings.check_every_minutes)
            if last is not None and clock.now() - last < interval:
                return None
        started = True
        report = await running.run()  # a failure is logged by jobs.periodic, tried again later
        if report.skipped_check:
            return None
        if found is not None:
            await found(report)
        return report.summary() or None

    return every(tick_seconds, NAME, work)
