"""Data retention, and erasure on request: both anonymise (see storage.anonymise).

Retention works through everything due in one run, a small batch at a time: each batch is one
short transaction, and the run pauses between batches so the turns waiting for SQLite's one
write lock get it (a click waits for at most one batch, never for the whole run). Progress is
logged as counts only.

Several instances may run the retention job at once: in its batch's transaction each departure
is first locked (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED; SQLite: BEGIN IMMEDIATE) and
re-checked to be still a named departure past the limit. The named row is gone when the
transaction commits, so a second run (or instance) finds nothing to do.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, delete, func, or_, select, tuple_

from journey.periods import add_months
from journey.ports import AuditEntry
from storage.anonymise import (
    ERASED,
    Anonymisation,
    Counts,
    KeepAnswer,
    anonymise,
    lock_named,
    rewrite_audit,
    rowcount,
)
from storage.audit import actor_names, by_actor, entry_insert, person_key, ref_user_ids
from storage.database import Database
from storage.leave_dates import SqlLeaveDates
from storage.senders import senders_of
from storage.tables import (
    alumni_contacts,
    audit_log,
    conversation_refs,
    departures,
    language_choices,
    leave_date_findings,
)
from storage.transactions import write_transaction

RETENTION_ACTOR = "system:retention"
AUDIT_RETENTION = "retention.anonymised"
AUDIT_ERASE = "privacy.erase"

log = logging.getLogger(__name__)

# Departures anonymised in one transaction (each takes about 16 ms of CPU, 18 statements), and
# the longest a transaction goes on taking more: a turn waits for the lock at most about that.
RETENTION_BATCH = 20
BATCH_SECONDS = 0.25
# The pause between batches: longer than SQLite's longest busy-handler sleep (100 ms), so a turn
# waiting for the write lock polls while it is free.
RETENTION_PAUSE_SECONDS = 0.15
# How often a long run says how far it got.
PROGRESS_EVERY_SECONDS = 30.0


def retention_cutoff(today: date, months: int) -> date:
    """Departures whose last working day is before this are past the limit.

    The data is kept through the last working day plus `months` months and goes the day after.
    """
    return add_months(today, -months)


@dataclass
class RetentionReport:
    """How many departures one retention run anonymised, and their rows."""

    departures: int = 0
    counts: Counts = field(default_factory=Counts)

    def summary(self) -> str | None:
        """One line for the log; None when there was nothing to do."""
        if not self.departures and not self.counts.removed["leave_date_findings"]:
            return None
        return f"anonymised {self.departures} departures past retention ({self.counts.summary()})"


async def apply_retention(
    db: Database,
    *,
    months: int,
    now: datetime,
    keep_answer: KeepAnswer,
    batch: int = RETENTION_BATCH,
    pause: float = RETENTION_PAUSE_SECONDS,
) -> RetentionReport:
    """Anonymise every named departure whose last working day is past `months`: at most
    `batch` (and BATCH_SECONDS) per short transaction, `pause` seconds between them;
    idempotent."""
    cutoff = retention_cutoff(now.astimezone(UTC).date(), months)
    due = (departures.c.last_working_day < cutoff) & (departures.c.leaver_upn != "")
    how = Anonymisation(now=now, actor=RETENTION_ACTOR, action=AUDIT_RETENTION)
    report = RetentionReport()
    progress = _Progress(await _count(db, due))
    after: tuple[date, str] | None = None
    while keys := await _next_due(db, due, after, batch):
        async with write_transaction(db) as session:
            ends = time.monotonic() + BATCH_SECONDS
            for key in keys:
                after = key  # handled, or skipped for good in this run
                row = await lock_named(
                    session, db, (departures.c.id == key[1]) & due, skip_locked=True
                )
                if row is not None:  # else another instance took it, or it changed meanwhile
                    report.counts.add(await anonymise(session, row, keep_answer, how))
                    report.departures += 1
                if time.monotonic() >= ends:  # a slow machine: commit what is done
                    break
        senders_of(db).forget_all()  # the next turns read their senders again
        progress.tell(report.departures)
        if len(keys) < batch and after == keys[-1]:
            break
        await asyncio.sleep(pause)  # the write lock is free: turns waiting for it go first
    # What the Entra check read of people whose leave date is as old (issue 16), also when the
    # check is off now; findings HR still has to act on stay.
    gone = await SqlLeaveDates(db).delete_done(cutoff)
    report.counts.removed["leave_date_findings"] += gone
    return report


async def _count(db: Database, due: ColumnElement[bool]) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).where(due)) or 0)


async def _next_due(
    db: Database, due: ColumnElement[bool], after: tuple[date, str] | None, batch: int
) -> list[tuple[date, str]]:
    """The (last working day, id) of the next `batch` due departures after the key `after`:
    one skipped (another instance holds it) is not asked for again in this run."""
    c = departures.c
    statement = select(c.last_working_day, c.id).where(due)
    if after is not None:
        statement = statement.where(tuple_(c.last_working_day, c.id) > tuple_(*after))
    statement = statement.order_by(c.last_working_day, c.id).limit(batch)
    async with db.sessions() as session:
        return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


class _Progress:
    """Logs how far a long run got (counts only), at most every PROGRESS_EVERY_SECONDS."""

    def __init__(self, due: int) -> None:
        self._due = due
        self._said = time.monotonic()
        if due:
            log.info("retention: %d departures past the limit", due)

    def tell(self, done: int) -> None:
        if time.monotonic() - self._said >= PROGRESS_EVERY_SECONDS:
            self._said = time.monotonic()
            log.info("retention: %d of %d departures anonymised", done, self._due)


async def erase_person(
    db: Database, upn: str, *, keep_answer: KeepAnswer, actor: str, now: datetime
) -> Counts:
    """Anonymise `upn`'s departures as leaver and erase them as an actor; one audit entry.

    Their conversation references and consents to be contacted later go too; the audit entry
    does not name them. Departures where
    they are the manager or the interviewer belong to another leaver and stay until that
    leaver's retention (the caller says so).
    """
    person = person_key(upn)
    total = Counts()
    how = Anonymisation(now=now, actor=actor, action=AUDIT_ERASE, drop_refs=False)
    erased = await _anonymise_as_leaver(db, person, keep_answer, how, total)
    async with write_transaction(db) as session:
        # Erasure on request takes the consent to be contacted later too (retention keeps it).
        total.removed["alumni_contacts"] += await rowcount(
            session, delete(alumni_contacts).where(alumni_contacts.c.departure_id.in_(erased))
        )
        names = actor_names(person, await ref_user_ids(session, person))
        total.removed["conversation_refs"] += await rowcount(
            session, delete(conversation_refs).where(func.lower(conversation_refs.c.upn) == person)
        )
        total.removed["language_choices"] += await rowcount(
            session, delete(language_choices).where(language_choices.c.upn == person)
        )
        total.removed["leave_date_findings"] += await rowcount(
            session, delete(leave_date_findings).where(leave_date_findings.c.upn == person)
        )
        lowered = {name.lower() for name in names}
        total.removed["audit_log"] += await rewrite_audit(
            session,
            or_(by_actor(names), audit_log.c.action.like("privacy.%")),
            lambda named: ERASED if named.lower() in lowered else named,
            [person],
        )
        detail = {"departures": ",".join(erased), "removed": total.summary()}
        await session.execute(
            entry_insert(AuditEntry(at=now, actor=actor, action=AUDIT_ERASE, detail=detail))
        )
    senders_of(db).forget_people([person])  # what a turn read of them here is gone too
    return total


async def _anonymise_as_leaver(
    db: Database, person: str, keep_answer: KeepAnswer, how: Anonymisation, total: Counts
) -> list[str]:
    """Anonymise each departure `person` leaves, one transaction each; the ids done."""
    erased: list[str] = []
    async with db.sessions() as session:
        ids = list(
            await session.scalars(select(departures.c.id).where(departures.c.leaver_upn == person))
        )
    for departure_id in ids:
        async with write_transaction(db) as session:
            row = await lock_named(session, db, departures.c.id == departure_id, skip_locked=False)
            if row is None:
                continue
            total.add(await anonymise(session, row, keep_answer, how))
            erased.append(departure_id)
    return erased
