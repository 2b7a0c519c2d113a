"""What bench.hr_actions prepares before a door and how it waits: the day the leavers leave,
HR's settings written over the shipped ones, a migrated database, and waiting on a condition
with a deadline."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from storage.migrate import upgrade

POLL = 0.1  # seconds between looks while waiting for the service
DEADLINE = 60.0


def last_working_day(today: date, days: int = 21) -> date:
    """A weekday `days` or a few more after `today`: far enough for every calendar to have
    free hours, near enough to be inside any look-ahead."""
    day = today + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def merged(shipped: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """`shipped` with `changes` written over it, mapping by mapping (the shipped unit mapping
    stays when a change adds one value to it)."""
    result = dict(shipped)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            value = merged(result[key], value)
        result[key] = value
    return result


async def migrated(path: Path, template: Path | None) -> None:
    """A database at the newest schema at `path`: a copy of `template`, or migrated here."""
    if template is not None:
        shutil.copyfile(template, path)
        return
    await upgrade(f"sqlite+aiosqlite:///{path}")


async def migrated_template(work: Path) -> Path:
    """A database migrated once, in `work` (a folder), for every door of a run to copy."""
    path = work / "migrated.sqlite3"
    await migrated(path, None)
    return path


async def until(found: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    """Poll `found` (sync or async) until it gives something truthy; RuntimeError at the end."""
    ends = time.monotonic() + deadline
    while True:
        value = found()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > ends:
            raise RuntimeError(f"waited {deadline:.0f} s for {what}")
        await asyncio.sleep(POLL)
