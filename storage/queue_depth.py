"""How far behind the delivery queue is: what is due and not yet delivered, and since when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from journey.due import DueState
from storage.database import Database
from storage.tables import due_actions

UNFINISHED = (DueState.PENDING.value, DueState.CLAIMED.value, DueState.SENDING.value)


@dataclass(frozen=True)
class QueueDepth:
    """Actions due by now and not settled (waiting, claimed or being sent), and the oldest due
    time among them (None when there are none)."""

    due: int
    oldest_due_at: datetime | None

    def oldest_age_seconds(self, now: datetime) -> float:
        """How long the oldest of them has been due; 0 when nothing is."""
        if self.oldest_due_at is None:
            return 0.0
        return max((now - self.oldest_due_at).total_seconds(), 0.0)


async def queue_depth(db: Database, now: datetime) -> QueueDepth:
    """One statement on the (state, due_at) index."""
    query = select(func.count(), func.min(due_actions.c.due_at)).where(
        due_actions.c.state.in_(UNFINISHED), due_actions.c.due_at <= now
    )
    async with db.sessions() as session:
        count, oldest = (await session.execute(query)).one()
    return QueueDepth(due=int(count), oldest_due_at=oldest)
