"""Time as the domain sees it: always aware, always UTC inside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and for moving time forward in a demo."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        self._at += timedelta(**delta)


class ShiftedClock:
    """Real time moved forward by hand (`EXITBOT_TEST_CLOCK`): days pass in seconds for a demo
    or an end-to-end test, while time still flows between the moves."""

    def __init__(self, base: Clock | None = None) -> None:
        self._base = base or SystemClock()
        self._offset = timedelta()

    def now(self) -> datetime:
        return self._base.now() + self._offset

    def advance(self, **delta: float) -> datetime:
        """Move forward (never back); the new now."""
        step = timedelta(**delta)
        if step < timedelta():
            raise ValueError("the clock only moves forward")
        self._offset += step
        return self.now()

    def advance_to(self, moment: datetime) -> datetime:
        """Move forward to `moment` (a moment already past leaves the clock as it is)."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("a moment to move to must be timezone-aware")
        return self.advance(seconds=max(0.0, (moment - self.now()).total_seconds()))
