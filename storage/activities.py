"""Activity ids already handled, so a re-sent activity from Teams runs only once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, exists, update

from journey.clock import Clock, SystemClock
from storage.database import Database
from storage.dialect import insert_for
from storage.tables import audit_log, seen_activities


class SeenActivities:
    """Remembers activity ids; the first caller for an id wins, also under a race."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def first_time(self, activity_id: str) -> bool:
        """True the first time `activity_id` is seen, False on every later call."""
        # The primary key decides: whoever inserts first wins, the others conflict and insert
        # nothing. No read-then-write, so concurrent re-sends cannot both pass.
        statement = (
            insert_for(self._db, seen_activities)
            .values(activity_id=activity_id, seen_at=self._clock.now())
            .on_conflict_do_nothing(index_elements=[seen_activities.c.activity_id])
        )
        async with self._db.sessions.begin() as session:
            result = await session.execute(statement)
        return result.rowcount == 1

    async def prune_older_than(self, age: timedelta) -> int:
        """Forget ids seen more than `age` ago; how many were forgotten. An audit row keeps
        its turn's id (the handled mark, storage/turns.py) only as long as the claim."""
        cutoff = self._clock.now() - age
        async with self._db.sessions.begin() as session:
            result = await session.execute(
                delete(seen_activities).where(seen_activities.c.seen_at < cutoff)
            )
            await session.execute(_MARKS_FORGOTTEN)
        return result.rowcount


# The audit rows' activity ids whose claim is gone.
_MARKS_FORGOTTEN = (
    update(audit_log)
    .where(
        audit_log.c.activity_id.is_not(None),
        ~exists().where(seen_activities.c.activity_id == audit_log.c.activity_id),
    )
    .values(activity_id=None)
)
