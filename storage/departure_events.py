"""Departure events kept in the database, for doors that run outside the service.

The CSV import is a separate process with no chat to Teams and no delivery worker. It records
what the journey must do next (DepartureEvents) as rows; the service claims each row with a lease
and hands it to the journey. A row stays until the journey has run it, so a crash on either
side loses nothing; the journey's events are safe to run twice (they read the current state).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, insert, or_, select, update

from journey.clock import Clock, SystemClock
from journey.departure import Departure
from storage.database import Database
from storage.leases import claim_rows
from storage.tables import journey_events

_C = journey_events.c
# After this many failed runs an event is set aside (done, not retried) and logged for HR.
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class DepartureEvent:
    """One recorded event, as claimed by a service instance."""

    id: int
    departure_id: str
    event: str
    before: Departure | None
    attempts: int


class StoredDepartureEvents:
    """journey.ports.DepartureEvents that records each event for the service to run."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def registered(self, departure: Departure) -> None:
        """Record that the leaver is to get the offer."""
        await self._add("registered", departure.id)

    async def changed(self, before: Departure, after: Departure) -> None:
        """Record that bookings and cards are to follow the change."""
        await self._add("changed", after.id, before.model_dump(mode="json"))

    async def cancelled(self, departure: Departure) -> None:
        """Record that the meeting, messages and cards are to be withdrawn."""
        await self._add("cancelled", departure.id)

    async def _add(self, event: str, departure_id: str, before: Any = None) -> None:
        async with self._db.sessions.begin() as session:
            await session.execute(
                insert(journey_events).values(
                    departure_id=departure_id,
                    event=event,
                    before=before,
                    created_at=self._clock.now(),
                )
            )

    async def claim(self, limit: int, lease_seconds: float) -> list[DepartureEvent]:
        """Up to `limit` events no other instance holds, oldest first, leased to the caller."""
        now = self._clock.now()
        free = and_(_C.done_at.is_(None), or_(_C.lease_until.is_(None), _C.lease_until < now))
        lease = {"lease_until": now + timedelta(seconds=lease_seconds), "attempts": _C.attempts + 1}
        rows = await claim_rows(
            self._db, journey_events, free, order_by=[_C.id], limit=limit, lease=lease
        )
        claimed = [
            DepartureEvent(
                id=row.id,
                departure_id=row.departure_id,
                event=row.event,
                before=None if row.before is None else Departure.model_validate(row.before),
                attempts=row.attempts,
            )
            for row in rows
        ]
        return sorted(claimed, key=lambda e: e.id)

    async def done(self, event_id: int) -> None:
        """The journey ran the event; it is not handed out again."""
        async with self._db.sessions.begin() as session:
            await session.execute(
                update(journey_events).where(_C.id == event_id).values(done_at=self._clock.now())
            )

    async def pending(self) -> int:
        """How many events wait for the service."""
        async with self._db.sessions() as session:
            count = select(func.count()).select_from(journey_events).where(_C.done_at.is_(None))
            return int(await session.scalar(count) or 0)
