"""Data retention, and erasure on request: both anonymise (see storage.anonymise).

Several instances may run the retention job at once: each departure is handled in its own
transaction that first locks its row (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED; SQLite:
BEGIN IMMEDIATE) and re-checks it is still a named departure past the limit. The named row is
gone when the transaction commits, so a second run (or instance) finds nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import delete, func, or_, select

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
from storage.tables import (
    alumni_contacts,
    audit_log,
    conversation_refs,
    departures,
    language_choices,
)
from storage.transactions import write_transaction

RETENTION_ACTOR = "system:retention"
AUDIT_RETENTION = "retention.anonymised"
AUDIT_ERASE = "privacy.erase"


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative: back), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


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
        if not self.departures:
            return None
        return f"anonymised {self.departures} departures past retention ({self.counts.summary()})"


async def apply_retention(
    db: Database, *, months: int, now: datetime, keep_answer: KeepAnswer, batch: int = 500
) -> RetentionReport:
    """Anonymise every named departure whose last working day is past `months`; idempotent."""
    cutoff = retention_cutoff(now.astimezone(UTC).date(), months)
    past = departures.c.last_working_day < cutoff
    how = Anonymisation(now=now, actor=RETENTION_ACTOR, action=AUDIT_RETENTION)
    report = RetentionReport()
    async with db.sessions() as session:
        ids = (
            await session.scalars(
                select(departures.c.id)
                .where(past, departures.c.leaver_upn != "")
                .order_by(departures.c.last_working_day, departures.c.id)
                .limit(batch)
            )
        ).all()
    for departure_id in ids:
        async with write_transaction(db) as session:
            row = await lock_named(
                session, db, (departures.c.id == departure_id) & past, skip_locked=True
            )
            if row is None:  # another instance took it, or it changed meanwhile
                continue
            counts = await anonymise(session, row, keep_answer, how)
        report.departures += 1
        report.counts.add(counts)
    return report


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
