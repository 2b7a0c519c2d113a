"""What every property watches: the service's handles, what is stored, and what was logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import Table, select

from storage.database import Database
from storage.tables import (
    conversation_notes,
    departures,
    due_actions,
    survey_answers,
    survey_progress,
)
from tests.helpers.hr_api import Api
from tests.helpers.journey import LiveApp

# Which databases a property runs on: PostgreSQL where it refuses text SQLite keeps (NUL).
POSTGRES_TOO = pytest.mark.parametrize(
    "database_kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
SQLITE_ONLY = pytest.mark.parametrize("database_kind", ["sqlite"])

# What a refused request must leave as it was (the audit log may grow: refusals are audited).
JOURNEY = (departures, due_actions, survey_answers, survey_progress, conversation_notes)
Snapshot = dict[str, list[tuple[Any, ...]]]


class Service:
    """The running service's handles (not a dataclass: Hypothesis prints it with every failing
    example, and a dataclass is printed field by field)."""

    def __init__(self, live: LiveApp, api: Api, db: Database) -> None:
        self.live, self.api, self.db = live, api, db

    def __repr__(self) -> str:
        return f"<the service at {self.live.url}>"

    async def snapshot(self, *tables: Table) -> Snapshot:
        """Every row of `tables`, in a stable order, to compare before and after a request."""
        found: Snapshot = {}
        async with self.db.sessions() as session:
            for table in tables or JOURNEY:
                rows = (await session.execute(select(table))).all()
                found[table.name] = sorted((tuple(row) for row in rows), key=repr)
        return found

    async def audit_rows(self) -> int:
        return await self.api.audit_count()


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """The tables whose rows differ."""
    return [name for name in before if before[name] != after.get(name)]


def failures_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log records that show a failure: an error, or anything with a traceback."""
    return [
        f"{record.levelname} {record.name}: {record.getMessage()[:300]}"
        for record in caplog.records
        if record.levelno >= logging.ERROR or record.exc_info or "Traceback" in record.getMessage()
    ]


def assert_quiet(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing in the logs says a request failed; then forget them for the next example."""
    failures = failures_logged(caplog)
    caplog.clear()
    assert not failures, "\n".join(failures)


def unreadable(value: Any) -> bool:
    """Text no PostgreSQL column, log or JSON encoder can hold: NUL or a lone surrogate."""
    if isinstance(value, str):
        return "\x00" in value or value.encode("utf-8", "surrogatepass") != value.encode(
            "utf-8", "replace"
        )
    if isinstance(value, dict):
        return any(unreadable(k) or unreadable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(unreadable(item) for item in value)
    return False


def assert_clean(before: Snapshot, after: Snapshot) -> None:
    """Nothing the request stored holds NUL or a lone surrogate (cleaned or refused at the
    door)."""
    bad = []
    for name, rows in after.items():
        old = {repr(row) for row in before.get(name, ())}
        if any(unreadable(row) for row in rows if repr(row) not in old):
            bad.append(name)
    assert not bad, f"unreadable text stored in {bad}"
