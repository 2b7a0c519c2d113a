"""Registration on a real database: the demo leaver's request, a recording journey, the setup."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from config.loader import LoadedConfig
from journey.clock import FixedClock
from journey.departure import Departure
from journey.registration import RegistrationService
from journey.registration_rules import RegistrationRequest
from storage.database import Database
from storage.repositories import SqlAuditLog, SqlDepartureRepository
from storage.tables import audit_log, departures

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_PEOPLE = REPO_ROOT / "config" / "demo" / "people.yaml"
# Monday 2 March 2026, 09:00 in Copenhagen.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LAST_DAY = date(2026, 4, 30)
HR = "hr@contoso.example"


@dataclass
class RecordingEvents:
    """DepartureEvents that remembers what it was told (the journey itself is not under test)."""

    calls: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    fail: bool = False

    async def registered(self, departure: Departure) -> None:
        self._note("registered", departure)

    async def changed(self, before: Departure, after: Departure) -> None:
        self._note("changed", before, after)

    async def cancelled(self, departure: Departure) -> None:
        self._note("cancelled", departure)

    def _note(self, name: str, *departures: Departure) -> None:
        self.calls.append((name, tuple(d.id for d in departures)))
        if self.fail:
            raise RuntimeError("the journey is down")

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


@dataclass
class Setup:
    service: RegistrationService
    db: Database
    repository: SqlDepartureRepository
    audit: SqlAuditLog
    events: RecordingEvents
    clock: FixedClock
    config: LoadedConfig

    async def count_departures(self) -> int:
        async with self.db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(departures)) or 0)

    async def count_audit(self) -> int:
        async with self.db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(audit_log)) or 0)

    async def audit_actions(self, departure_id: str) -> list[str]:
        return [entry.action for entry in await self.audit.for_departure(departure_id)]


def request(**changes: Any) -> RegistrationRequest:
    """Sofie Andersen (the demo's Danish leaver) leaving social care on 30 April 2026."""
    values: dict[str, Any] = {
        "leaver": "leaver@contoso.example",
        "unit": "social-care",
        "last_working_day": LAST_DAY,
    }
    values.update(changes)
    return RegistrationRequest(**values)
