"""The closing job: departures whose case is over close by themselves (journey.closing).

Every instance runs it; a departure closed by one is found closed by the others, which then
do nothing (the version check in journey.kernel), so each closes once and is audited once.
"""

from __future__ import annotations

from collections.abc import Callable

from config.loaded import LoadedConfig
from config.rules import closing_rules, shortest_closing_days
from jobs.periodic import CleanupContext, every
from journey.clock import Clock, SystemClock
from journey.closing import CaseClosing
from storage.database import Database
from storage.due_actions import DueActionQueue
from storage.repositories import SqlAuditLog, SqlDepartureRepository

HOUR_SECONDS = 60 * 60


def case_closing(db: Database, config: Callable[[], LoadedConfig], clock: Clock) -> CaseClosing:
    """The closing service on the database, with HR's closing days as they are now."""
    departures = SqlDepartureRepository(db, clock)
    return CaseClosing(
        departures=departures,
        candidates=departures,
        audit=SqlAuditLog(db),
        clock=clock,
        due=DueActionQueue(db, clock),
        rules=lambda unit: closing_rules(config(), unit),
        shortest_days=lambda: shortest_closing_days(config()),
    )


def closing_job(
    database: Callable[[], Database],
    config: Callable[[], LoadedConfig],
    clock: Clock | None = None,
    every_seconds: float = HOUR_SECONDS,
) -> CleanupContext:
    """Close what is due at start-up and then every hour (safe with several instances)."""

    async def work() -> str | None:
        closed = await case_closing(database(), config, clock or SystemClock()).close_due()
        return f"{closed} departures closed" if closed else None

    return every(every_seconds, "closing", work)
