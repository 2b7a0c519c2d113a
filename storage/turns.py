"""The database work at the start of every turn, in one transaction."""

from __future__ import annotations

from sqlalchemy import select

from journey.clock import Clock, SystemClock
from journey.ports import ConversationRef
from storage.database import Database
from storage.dialect import insert_for
from storage.tables import conversation_refs, seen_activities


class TurnStart:
    """Claims an activity id against Teams' re-sends and loads the sender's reference."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def begin(
        self, activity_key: str | None, user_key: str
    ) -> tuple[bool, ConversationRef | None]:
        """(first time this activity is seen, the stored reference of its sender)."""
        # One connection and one transaction instead of two sessions: this runs on every turn.
        async with self._db.engine.begin() as connection:
            if activity_key is not None:
                claimed = await connection.execute(
                    insert_for(self._db, seen_activities)
                    .values(activity_id=activity_key, seen_at=self._clock.now())
                    .on_conflict_do_nothing(index_elements=[seen_activities.c.activity_id])
                )
                if claimed.rowcount != 1:
                    return False, None
            row = (
                await connection.execute(
                    select(conversation_refs).where(conversation_refs.c.user_key == user_key)
                )
            ).one_or_none()
        return True, None if row is None else ConversationRef.model_validate(dict(row._mapping))
