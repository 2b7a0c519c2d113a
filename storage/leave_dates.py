"""The leave-date check's rows: its findings (one per Entra user) and its one state row.

journey.leave_date_check.LeaveDateStore on SQLAlchemy (SQLite or PostgreSQL). Every change of a
finding is revision-checked (an insert at no revision, an update only at the revision read),
so HR's card and the check never overwrite each other's decision: the loser gets StaleFinding.
The check's lease is one conditional UPDATE of the state row: whoever's row count is 1 holds
the check until `lease_until`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from journey.clock import Clock, SystemClock
from journey.leave_date_store import CheckState
from journey.leave_dates import CheckReport, Finding, FindingState, StaleFinding
from storage.database import Database
from storage.dialect import insert_for
from storage.tables import leave_date_check, leave_date_findings

_F = leave_date_findings.c
_S = leave_date_check.c
STATE_ROW = 1
# The states whose findings are done: nothing waits for HR or for the check.
DONE: frozenset[FindingState] = frozenset(
    {FindingState.REGISTERED, FindingState.GONE, FindingState.DISMISSED}
)


class SqlLeaveDates:
    """Findings and the check's state, in the service's database."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    # ------------------------------------------------------------------ findings

    async def get(self, user_id: str) -> Finding | None:
        """The finding for one Entra user, if there is one."""
        async with self._db.reading() as connection:
            row = (
                await connection.execute(select(leave_date_findings).where(_F.user_id == user_id))
            ).first()
        return None if row is None else _finding(row)

    async def in_states(self, states: Iterable[FindingState]) -> list[Finding]:
        """Every finding in one of `states`, soonest leave date first."""
        statement = (
            select(leave_date_findings)
            .where(_F.state.in_([s.value for s in states]))
            .order_by(_F.leave_date, _F.user_id)
        )
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [_finding(row) for row in rows]

    async def for_person(self, upn: str) -> list[Finding]:
        """The findings about `upn` (a person's data export: what the check read of them)."""
        statement = select(leave_date_findings).where(_F.upn == upn.strip().lower())
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [_finding(row) for row in rows]

    async def with_leave_date_from(self, first_day: date) -> list[Finding]:
        """Every finding whose stored leave date is on or after `first_day`."""
        statement = select(leave_date_findings).where(_F.leave_date >= first_day)
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [_finding(row) for row in rows]

    async def save(self, finding: Finding, previous: int | None) -> None:
        """Store `finding`: a new row when `previous` is None, else only over the stored row at
        revision `previous`; StaleFinding when someone else saved first."""
        values = _values(finding, self._clock.now())
        if previous is None:
            try:
                async with self._db.transaction() as connection:
                    await connection.execute(leave_date_findings.insert().values(values))
            except IntegrityError:
                raise StaleFinding(finding.user_id) from None
            return
        statement = (
            update(leave_date_findings)
            .where(_F.user_id == finding.user_id, _F.revision == previous)
            .values(values)
        )
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        if result.rowcount != 1:
            raise StaleFinding(finding.user_id)

    async def delete_done(self, leave_date_before: date) -> int:
        """Delete done findings (registered, gone, dismissed) whose leave date is before
        `leave_date_before`, and done ones without a leave date last seen before it."""
        old_date = _F.leave_date < leave_date_before
        no_date_old = and_(_F.leave_date.is_(None), _F.seen_at < _midnight(leave_date_before))
        statement = delete(leave_date_findings).where(
            _F.state.in_([s.value for s in DONE]), or_(old_date, no_date_old)
        )
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        return int(result.rowcount or 0)

    # ------------------------------------------------------------------ the check's state

    async def state(self) -> CheckState:
        """The check's state row (empty before the first check)."""
        async with self._db.reading() as connection:
            row = (
                await connection.execute(select(leave_date_check).where(_S.id == STATE_ROW))
            ).first()
        if row is None:
            return CheckState()
        return CheckState(
            delta_link=row.delta_link,
            fingerprint=row.fingerprint,
            lease_holder=row.lease_holder,
            lease_until=row.lease_until,
            checked_at=row.checked_at,
            report=None if row.report is None else CheckReport.model_validate(row.report),
            failure=row.failure,
            failed_at=row.failed_at,
        )

    async def take_lease(self, holder: str, until: datetime) -> bool:
        """Hold the check until `until`: True when it was free, expired or already `holder`'s."""
        await self._ensure_row()
        now = self._clock.now()
        free = or_(_S.lease_holder.is_(None), _S.lease_until < now, _S.lease_holder == holder)
        statement = (
            update(leave_date_check)
            .where(_S.id == STATE_ROW, free)
            .values(lease_holder=holder, lease_until=until)
        )
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        return result.rowcount == 1

    async def release_lease(self, holder: str) -> None:
        """Let the check go (only `holder`'s own lease)."""
        statement = (
            update(leave_date_check)
            .where(_S.id == STATE_ROW, _S.lease_holder == holder)
            .values(lease_holder=None, lease_until=None)
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)

    async def finish(
        self, holder: str, delta_link: str, fingerprint: str, report: CheckReport
    ) -> bool:
        """Keep the link for the next check and how this one went; False (nothing saved) when
        `holder` no longer holds the check."""
        statement = (
            update(leave_date_check)
            .where(_S.id == STATE_ROW, _S.lease_holder == holder)
            .values(
                delta_link=delta_link,
                fingerprint=fingerprint,
                checked_at=self._clock.now(),
                report=report.model_dump(mode="json"),
                failure=None,
                failed_at=None,
            )
        )
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        return result.rowcount == 1

    async def forget_link(self) -> None:
        """The delta link expired: the next check reads everything again."""
        await self._set(delta_link=None, fingerprint=None)

    async def fail(self, failure: str) -> None:
        """Record why the last attempt failed (not_allowed, unavailable)."""
        await self._set(failure=failure, failed_at=self._clock.now())

    async def _set(self, **values: Any) -> None:
        await self._ensure_row()
        statement = update(leave_date_check).where(_S.id == STATE_ROW).values(**values)
        async with self._db.transaction() as connection:
            await connection.execute(statement)

    async def _ensure_row(self) -> None:
        statement = (
            insert_for(self._db, leave_date_check)
            .values(id=STATE_ROW)
            .on_conflict_do_nothing(index_elements=[_S.id])
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _values(finding: Finding, now: datetime) -> dict[str, Any]:
    return {
        "user_id": finding.user_id,
        "upn": finding.upn,
        "name": finding.name,
        "leave_date": finding.leave_date,
        "unit": finding.unit,
        "unit_value": finding.unit_value,
        "preferred_language": finding.preferred_language,
        "attributes": dict(finding.attributes),
        "state": finding.state.value,
        "problem": finding.problem,
        "departure_id": finding.departure_id,
        "revision": finding.revision,
        "seen_at": finding.seen_at,
        "updated_at": now,
    }


def _finding(row: Row[Any]) -> Finding:
    return Finding(
        user_id=row.user_id,
        upn=row.upn,
        name=row.name,
        leave_date=row.leave_date,
        unit=row.unit,
        unit_value=row.unit_value,
        preferred_language=row.preferred_language,
        attributes=dict(row.attributes or {}),
        state=FindingState(row.state),
        problem=row.problem,
        departure_id=row.departure_id,
        revision=row.revision,
        seen_at=row.seen_at,
    )
