"""Where the leave-date check keeps its findings and its own state: the port
(storage.leave_dates.SqlLeaveDates implements it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from journey.leave_dates import CheckReport, Finding, FindingState


@dataclass(frozen=True)
class CheckState:
    """The check's stored state: the delta link and what it was made for, the lease, and how
    the last check went."""

    delta_link: str | None = None
    fingerprint: str | None = None
    lease_holder: str | None = None
    lease_until: datetime | None = None
    checked_at: datetime | None = None
    report: CheckReport | None = None
    failure: Literal["not_allowed", "unavailable"] | str | None = None
    failed_at: datetime | None = None


class LeaveDateStore(Protocol):
    """Where findings and the check's state are kept (storage.leave_dates.SqlLeaveDates)."""

    async def get(self, user_id: str) -> Finding | None: ...

    async def in_states(self, states: Iterable[FindingState]) -> list[Finding]: ...

    async def with_leave_date_from(self, first_day: date) -> list[Finding]: ...

    async def save(self, finding: Finding, previous: int | None) -> None:
        """Insert (previous None) or update at revision `previous`; StaleFinding if not."""
        ...

    async def delete_done(self, leave_date_before: date) -> int: ...

    async def state(self) -> CheckState: ...

    async def take_lease(self, holder: str, until: datetime) -> bool: ...

    async def release_lease(self, holder: str) -> None: ...

    async def finish(
        self, holder: str, delta_link: str, fingerprint: str, report: CheckReport
    ) -> bool: ...

    async def fail(self, failure: str) -> None: ...
