"""Data retention, erasure on request, export on request and the audit trail, in the database.

What retention (and erasure, which anonymises the same way at once) does to one departure:

Deleted, because it names or describes the person, or links their answers to them:
- the departure row itself (its id appears in the audit log and in HR's system);
- free-text answers, answers of questions HR did not mark reportable, answers the leaver kept
  out of statistics (`interviewer_only`), and every answer of a survey never sent;
- the interviewer's notes (the leaver's words at one remove) and the thank-you wishes;
- due actions and their delivery log (recipients, payloads with names, activity ids);
- journey events recorded by the CSV import (they carry a copy of the departure);
- the leaver's conversation reference (Teams ids, name, UPN), unless the same person is still
  in another departure that is kept.

Kept, anonymously, so HR's statistics stay true (insights count released answers per unit and
month):
- one minimal departure row under a new random id (`anon-...`): unit, the month of the last
  working day (its first day), the status the journey ended in, the month it was accepted in
  (if it was), how the offer reached the leaver, who held the conversation by kind, the
  locale. No name, no UPN, no external id, no meeting, no exact dates; every other column
  empty;
- the sent survey's progress row and its counted answers (reportable, not free text, shared
  as `named` or `anonymous_stats`) under that random id, dated to the month, all marked
  `anonymous_stats` so nobody ever reads them one by one again.

The audit log keeps its entries about the old departure id (the id itself is random and now
points at nothing): when, and what was done, stay; the actor becomes `[erased]` unless it was
the service itself, and a detail value that holds an address is dropped. One entry records the
anonymisation (counts only).

Several instances may run the retention job at once: each departure is handled in its own
transaction that first locks its row (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED; SQLite:
BEGIN IMMEDIATE) and re-checks it is still a named departure past the limit. The named row is
gone when the transaction commits, so a second run (or instance) finds nothing to do.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journey.survey import Attribution, SurveyStatus
from journey.survey_access import COUNTED
from storage.database import Database
from storage.tables import (
    audit_log,
    conversation_notes,
    conversation_refs,
    delivery_log,
    departures,
    due_actions,
    journey_events,
    survey_answers,
    survey_progress,
    thank_you_wishes,
)
from storage.transactions import write_transaction

ERASED = "[erased]"
ANONYMOUS_PREFIX = "anon-"
RETENTION_ACTOR = "system:retention"
AUDIT_RETENTION = "retention.anonymised"
AUDIT_ERASE = "privacy.erase"
AUDIT_EXPORT = "privacy.export"
AUDIT_READ = "audit.read"

# Actors that are the service, not a person: kept in the audit log after retention.
_SERVICE_ACTORS = ("system",)

# Whether an answer to (question set, question id) may stay as an anonymous count.
KeepAnswer = Callable[[str, str], bool]

# The tables in the order they are reported.
TABLES = (
    "departures",
    "survey_progress",
    "survey_answers",
    "conversation_notes",
    "thank_you_wishes",
    "due_actions",
    "delivery_log",
    "journey_events",
    "conversation_refs",
    "audit_log",
)


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


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_start(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def _is_service(actor: str) -> bool:
    return actor in _SERVICE_ACTORS or actor.startswith("system:")


def _clean_detail(detail: Mapping[str, Any] | None, upns: Iterable[str] = ()) -> dict[str, Any]:
    names = {upn.lower() for upn in upns if upn}
    return {
        key: value
        for key, value in (detail or {}).items()
        if "@" not in str(value) and str(value).lower() not in names
    }


@dataclass
class Counts:
    """Rows per table: deleted (or, for audit_log, pseudonymised) and kept anonymously."""

    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    kept: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))

    def add(self, other: Counts) -> None:
        for table in TABLES:
            self.removed[table] += other.removed[table]
            self.kept[table] += other.kept[table]

    def summary(self) -> str:
        return ",".join(f"{t}={n}" for t, n in self.removed.items() if n)


async def _rowcount(session: AsyncSession, statement: Any) -> int:
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _lock_named(
    session: AsyncSession, db: Database, condition: Any, *, skip_locked: bool
) -> Row[Any] | None:
    """The named departure matching `condition`, locked for this transaction; None if gone.

    `skip_locked`: None too when another transaction holds the row (the retention job leaves it
    to whoever has it, or to tomorrow); else wait for it (an erasure must not miss one).
    SQLite has no row locks: write_transaction's BEGIN IMMEDIATE serializes the writers.
    """
    statement = select(departures).where(condition, departures.c.leaver_upn != "")
    if db.dialect == "postgresql":
        statement = statement.with_for_update(skip_locked=skip_locked)
    return (await session.execute(statement)).first()


async def _still_involved(session: AsyncSession, upn: str, besides: str) -> bool:
    """Whether `upn` is in a named departure other than `besides`."""
    statement = select(func.count()).where(
        departures.c.id != besides,
        departures.c.leaver_upn != "",
        or_(
            departures.c.leaver_upn == upn,
            departures.c.manager_upn == upn,
            departures.c.interviewer_upn == upn,
        ),
    )
    return bool(await session.scalar(statement))


async def _anonymise(
    session: AsyncSession,
    row: Row[Any],
    keep_answer: KeepAnswer,
    *,
    now: datetime,
    actor: str,
    action: str,
    drop_refs: bool = True,
) -> Counts:
    """Anonymise one locked departure in `session` (see the module docstring)."""
    counts = Counts()
    old = row.id
    new = f"{ANONYMOUS_PREFIX}{uuid.uuid4().hex}"
    # The anonymous row first: the answers kept move to it.
    await session.execute(
        insert(departures).values(
            id=new,
            external_id=None,
            leaver_upn="",
            leaver_name="",
            manager_upn="",
            unit=row.unit,
            last_working_day=month_of(row.last_working_day),
            locale=row.locale,
            time_zone="UTC",
            status=row.status,
            interviewer_upn=None,
            interviewer_pool=[],
            reach=row.reach,
            decline_reason=None,
            remind_offer_at=None,
            interviewer_kind=row.interviewer_kind,
            interviewer_name="",
            proposed_slots=[],
            times_requested_at=None,
            meeting_start=None,
            meeting_end=None,
            meeting_event_id=None,
            meeting_join_url=None,
            accepted_at=month_start(row.accepted_at),  # insights count who accepted
            handover_done=[],
            handover_successor=None,
            cards={},
            version=1,
            created_at=month_start(row.created_at),
            updated_at=month_start(row.created_at),
        )
    )
    counts.kept["departures"] = 1

    progress = (
        await session.execute(select(survey_progress).where(survey_progress.c.departure_id == old))
    ).first()
    answers = (
        await session.execute(select(survey_answers).where(survey_answers.c.departure_id == old))
    ).all()
    sent = progress is not None and progress.status == SurveyStatus.SENT.value
    counted = {a.value for a in COUNTED}
    kept = [
        answer
        for answer in answers
        if sent
        and answer.attribution in counted
        and keep_answer(progress.question_set, answer.question_id)  # type: ignore[union-attr]
    ]
    await session.execute(delete(survey_answers).where(survey_answers.c.departure_id == old))
    counts.removed["survey_answers"] = len(answers) - len(kept)
    await session.execute(delete(survey_progress).where(survey_progress.c.departure_id == old))
    if progress is not None and kept:
        await session.execute(
            insert(survey_progress).values(
                departure_id=new,
                question_set=progress.question_set,
                attribution=Attribution.ANONYMOUS_STATS.value,
                position=0,
                status=SurveyStatus.SENT.value,
                revision=0,
                started_at=month_start(progress.started_at),
                updated_at=month_start(progress.updated_at),
                sent_at=month_start(progress.sent_at),
            )
        )
        await session.execute(
            insert(survey_answers),
            [
                {
                    "departure_id": new,
                    "question_id": answer.question_id,
                    "section_id": answer.section_id,
                    "value": answer.value,
                    "attribution": Attribution.ANONYMOUS_STATS.value,
                    "updated_at": month_start(answer.updated_at),
                }
                for answer in kept
            ],
        )
        counts.kept["survey_progress"], counts.kept["survey_answers"] = 1, len(kept)
    else:
        counts.removed["survey_progress"] = int(progress is not None)

    for name, table in (
        ("conversation_notes", conversation_notes),
        ("thank_you_wishes", thank_you_wishes),
        ("journey_events", journey_events),
    ):
        counts.removed[name] = await _rowcount(
            session, delete(table).where(table.c.departure_id == old)
        )
    actions = select(due_actions.c.id).where(due_actions.c.departure_id == old)
    counts.removed["delivery_log"] = await _rowcount(
        session,
        delete(delivery_log).where(
            or_(delivery_log.c.departure_id == old, delivery_log.c.due_action_id.in_(actions))
        ),
    )
    counts.removed["due_actions"] = await _rowcount(
        session, delete(due_actions).where(due_actions.c.departure_id == old)
    )

    leaver = row.leaver_upn
    if drop_refs and not await _still_involved(session, leaver, old):
        counts.removed["conversation_refs"] = await _rowcount(
            session,
            delete(conversation_refs).where(func.lower(conversation_refs.c.upn) == leaver),
        )

    people = [leaver, row.manager_upn, row.interviewer_upn or ""]
    entries = (
        await session.execute(
            select(audit_log.c.id, audit_log.c.actor, audit_log.c.detail).where(
                audit_log.c.departure_id == old
            )
        )
    ).all()
    for entry in entries:
        named = entry.actor if _is_service(entry.actor) else ERASED
        detail = _clean_detail(entry.detail, people)
        if named != entry.actor or detail != (entry.detail or {}):
            await session.execute(
                update(audit_log)
                .where(audit_log.c.id == entry.id)
                .values(actor=named, detail=detail)
            )
            counts.removed["audit_log"] += 1

    await session.execute(delete(departures).where(departures.c.id == old))
    counts.removed["departures"] = 1
    await session.execute(
        insert(audit_log).values(
            at=now,
            actor=actor,
            action=action,
            departure_id=old,
            detail={"removed": counts.summary()},
        )
    )
    return counts


@dataclass
class RetentionReport:
    departures: int = 0
    counts: Counts = field(default_factory=Counts)

    def summary(self) -> str | None:
        if not self.departures:
            return None
        return f"anonymised {self.departures} departures past retention ({self.counts.summary()})"


async def apply_retention(
    db: Database, *, months: int, now: datetime, keep_answer: KeepAnswer, batch: int = 500
) -> RetentionReport:
    """Anonymise every named departure whose last working day is past `months`; idempotent."""
    cutoff = retention_cutoff(now.astimezone(UTC).date(), months)
    past = departures.c.last_working_day < cutoff
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
            row = await _lock_named(
                session, db, (departures.c.id == departure_id) & past, skip_locked=True
            )
            if row is None:  # another instance took it, or it changed meanwhile
                continue
            counts = await _anonymise(
                session, row, keep_answer, now=now, actor=RETENTION_ACTOR, action=AUDIT_RETENTION
            )
        report.departures += 1
        report.counts.add(counts)
    return report


# --- The person: inventory, erasure, export -------------------------------------------------


def _person(upn: str) -> str:
    return upn.strip().lower()


async def _ref_user_ids(session: AsyncSession, upn: str) -> list[str]:
    rows = await session.scalars(
        select(conversation_refs.c.user_id).where(func.lower(conversation_refs.c.upn) == upn)
    )
    return list(rows)


def _actor_names(upn: str, user_ids: Iterable[str]) -> list[str]:
    return [upn, *(f"teams:{user_id}" for user_id in user_ids)]


def _is_actor(names: list[str]) -> Any:
    return func.lower(audit_log.c.actor).in_([name.lower() for name in names])


@dataclass
class Inventory:
    """What the bot holds about a person, as row counts per table."""

    upn: str
    leaver_of: list[str]
    other_roles: int  # named departures where they are the manager or the interviewer
    rows: dict[str, int]

    @property
    def empty(self) -> bool:
        return not any(self.rows.values()) and not self.other_roles


async def inventory(db: Database, upn: str) -> Inventory:
    """Rows about `upn`: their departures as leaver and what hangs on them, refs, audit."""
    person = _person(upn)
    async with db.sessions() as session:
        leaver_of = list(
            await session.scalars(
                select(departures.c.id)
                .where(departures.c.leaver_upn == person)
                .order_by(departures.c.last_working_day, departures.c.id)
            )
        )
        other_roles = await session.scalar(
            select(func.count()).where(
                departures.c.leaver_upn != person,
                departures.c.leaver_upn != "",
                or_(departures.c.manager_upn == person, departures.c.interviewer_upn == person),
            )
        )
        user_ids = await _ref_user_ids(session, person)
        rows = {"departures": len(leaver_of)}
        for name, table in (
            ("survey_progress", survey_progress),
            ("survey_answers", survey_answers),
            ("conversation_notes", conversation_notes),
            ("thank_you_wishes", thank_you_wishes),
            ("due_actions", due_actions),
            ("delivery_log", delivery_log),
            ("journey_events", journey_events),
        ):
            rows[name] = int(
                await session.scalar(
                    select(func.count()).where(table.c.departure_id.in_(leaver_of))
                )
                or 0
            )
        rows["conversation_refs"] = len(user_ids)
        rows["audit_log"] = int(
            await session.scalar(
                select(func.count()).where(
                    or_(
                        _is_actor(_actor_names(person, user_ids)),
                        audit_log.c.departure_id.in_(leaver_of),
                    )
                )
            )
            or 0
        )
    return Inventory(person, leaver_of, int(other_roles or 0), rows)


async def erase_person(
    db: Database, upn: str, *, keep_answer: KeepAnswer, actor: str, now: datetime
) -> Counts:
    """Anonymise `upn`'s departures as leaver, drop their conversation references, and erase
    their name as an actor from the audit log; one audit entry (without the UPN) says so.

    Departures where they are the manager or the interviewer belong to another leaver and stay
    until that leaver's retention (the caller says so).
    """
    person = _person(upn)
    total = Counts()
    erased: list[str] = []
    async with db.sessions() as session:
        ids = list(
            await session.scalars(select(departures.c.id).where(departures.c.leaver_upn == person))
        )
    for departure_id in ids:
        async with write_transaction(db) as session:
            row = await _lock_named(session, db, departures.c.id == departure_id, skip_locked=False)
            if row is None:
                continue
            total.add(
                await _anonymise(
                    session,
                    row,
                    keep_answer,
                    now=now,
                    actor=actor,
                    action=AUDIT_ERASE,
                    drop_refs=False,
                )
            )
            erased.append(departure_id)
    async with write_transaction(db) as session:
        user_ids = await _ref_user_ids(session, person)
        names = _actor_names(person, user_ids)
        total.removed["conversation_refs"] += await _rowcount(
            session, delete(conversation_refs).where(func.lower(conversation_refs.c.upn) == person)
        )
        entries = (
            await session.execute(
                select(audit_log.c.id, audit_log.c.actor, audit_log.c.detail).where(
                    or_(_is_actor(names), audit_log.c.action.like("privacy.%"))
                )
            )
        ).all()
        lowered = {name.lower() for name in names}
        for entry in entries:
            detail = _clean_detail(entry.detail, [person])
            is_actor = entry.actor.lower() in lowered
            if not is_actor and detail == (entry.detail or {}):
                continue
            await session.execute(
                update(audit_log)
                .where(audit_log.c.id == entry.id)
                .values(actor=ERASED if is_actor else entry.actor, detail=detail)
            )
            total.removed["audit_log"] += 1
        await session.execute(
            insert(audit_log).values(
                at=now,
                actor=actor,
                action=AUDIT_ERASE,
                departure_id=None,
                detail={"departures": ",".join(erased), "removed": total.summary()},
            )
        )
    return total


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _rows(rows: Iterable[Row[Any]], columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    wanted = list(columns) if columns is not None else None
    out = []
    for row in rows:
        mapping = dict(row._mapping)
        if wanted is not None:
            mapping = {key: mapping[key] for key in wanted}
        out.append(_plain(mapping))
    return out


# The departure as the leaver's own record: not the interviewer pool (other people), not the
# bot's technical bookkeeping (posted cards, meeting ids and links, proposed slots).
_EXPORTED_DEPARTURE = (
    "id",
    "external_id",
    "leaver_upn",
    "leaver_name",
    "manager_upn",
    "unit",
    "last_working_day",
    "locale",
    "time_zone",
    "status",
    "reach",
    "decline_reason",
    "interviewer_kind",
    "interviewer_upn",
    "interviewer_name",
    "meeting_start",
    "meeting_end",
    "accepted_at",
    "handover_done",
    "handover_successor",
    "created_at",
    "updated_at",
)


async def export_person(db: Database, upn: str, *, actor: str, now: datetime) -> dict[str, Any]:
    """What the bot holds about `upn`, as plain JSON values; an audit entry (counts only)."""
    person = _person(upn)
    async with db.sessions() as session:
        own = (
            await session.execute(
                select(departures)
                .where(departures.c.leaver_upn == person)
                .order_by(departures.c.last_working_day, departures.c.id)
            )
        ).all()
        ids = [row.id for row in own]

        async def by_departure(table: Any, *order: Any) -> list[dict[str, Any]]:
            statement = select(table).where(table.c.departure_id.in_(ids)).order_by(*order)
            return _rows((await session.execute(statement)).all())

        user_ids = await _ref_user_ids(session, person)
        refs = (
            await session.execute(
                select(conversation_refs)
                .where(func.lower(conversation_refs.c.upn) == person)
                .order_by(conversation_refs.c.updated_at)
            )
        ).all()
        audit = (
            await session.execute(
                select(
                    audit_log.c.at,
                    audit_log.c.actor,
                    audit_log.c.action,
                    audit_log.c.departure_id,
                    audit_log.c.detail,
                )
                .where(_is_actor(_actor_names(person, user_ids)))
                .order_by(audit_log.c.at, audit_log.c.id)
            )
        ).all()
        document = {
            "person": person,
            "exported_at": now.isoformat(),
            "departures": _rows(own, _EXPORTED_DEPARTURE),
            "survey_progress": await by_departure(survey_progress, survey_progress.c.departure_id),
            "survey_answers": await by_departure(
                survey_answers, survey_answers.c.departure_id, survey_answers.c.question_id
            ),
            "conversation_notes": await by_departure(
                conversation_notes, conversation_notes.c.departure_id
            ),
            "thank_you_wishes": await by_departure(
                thank_you_wishes, thank_you_wishes.c.departure_id
            ),
            "conversation_refs": _rows(refs),
            "audit_entries": _rows(audit),
        }
    counts = {key: str(len(value)) for key, value in document.items() if isinstance(value, list)}
    async with db.sessions.begin() as session:
        await session.execute(
            insert(audit_log).values(
                at=now,
                actor=actor,
                action=AUDIT_EXPORT,
                departure_id=None,
                detail={"person": person, **counts},
            )
        )
    return document


# --- The audit trail ----------------------------------------------------------------------


@dataclass(frozen=True)
class TrailEntry:
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


async def departure_known(db: Database, departure_id: str) -> bool:
    """Whether the departure is stored or the audit log mentions it."""
    async with db.sessions() as session:
        stored = await session.scalar(select(func.count()).where(departures.c.id == departure_id))
        mentioned = await session.scalar(
            select(func.count()).where(audit_log.c.departure_id == departure_id)
        )
    return bool(stored or mentioned)


async def audit_trail(db: Database, departure_id: str) -> list[TrailEntry]:
    """Every audit entry about `departure_id`, oldest first."""
    statement = (
        select(audit_log.c.at, audit_log.c.actor, audit_log.c.action, audit_log.c.detail)
        .where(audit_log.c.departure_id == departure_id)
        .order_by(audit_log.c.at, audit_log.c.id)
    )
    async with db.sessions() as session:
        rows = (await session.execute(statement)).all()
    return [TrailEntry(row.at, row.actor, row.action, dict(row.detail or {})) for row in rows]


async def record(db: Database, *, at: datetime, actor: str, action: str, **fields: Any) -> None:
    """One audit entry written by these tools."""
    async with db.sessions.begin() as session:
        await session.execute(insert(audit_log).values(at=at, actor=actor, action=action, **fields))
