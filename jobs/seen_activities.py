"""Forgetting the activity ids kept to drop Teams' re-sends, once they are past the window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from jobs.periodic import CleanupContext, every
from storage.activities import SeenActivities
from storage.database import Database


def prune_seen_activities(
    database: Callable[[], Database], window: timedelta, every_seconds: float = 600
) -> CleanupContext:
    """Forget activity ids older than Teams' re-send window needs."""

    async def prune() -> str | None:
        forgotten = await SeenActivities(database()).prune_older_than(window)
        return f"forgot {forgotten} old activity ids" if forgotten else None

    return every(every_seconds, "prune-seen-activities", prune)
