"""Anonymising one departure: what retention and erasure on request both do, in the database.

Deleted, because it names or describes the person, or links their answers to them:
- the departure row itself (its id appears in the audit log and in HR's system);
- free-text answers, answers of questions HR did not mark reportable, answers the leaver kept
  out of statistics (`interviewer_only`), and every answer of a survey never sent;
- the interviewer's notes (the leaver's words at one remove) and the thank-you wishes;
- due actions and their delivery log (recipients, payloads with names, activity ids);
- departure events recorded by the CSV import (they carry a copy of the departure);
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

Kept, blanked, for the per-area figures (issue 14): each follow-up agreed in the conversation,
under the anonymous row's id and a new random id of its own (the audit log names the old one),
with its unit, area, owner's role, state, and its due date and times to the month. Blanked:
what was promised and its outcome (the leaver's matters in the interviewer's words), and the
owner's, author's and closer's UPNs (people, and they would tie the row to the case).

Kept with the unit (issue 14): the advice for the next in the job that the leaver shared
and did not withdraw, without them (storage.sharing_retention says what goes).

Kept as it is: the leaver's consent to alumni or re-hire contact (`alumni_contacts`, issue 11),
which exists only while they consent and goes when they withdraw or ask to be erased
(storage.retention.erase_person); it is the one thing that outlives retention.

The audit log keeps its entries about the old departure id (the id itself is random and now
points at nothing): when, and what was done, stay; the actor becomes `[erased]` unless it was
the service itself, and a detail value that holds an address is dropped. One entry records the
anonymisation (counts only).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journey.ports import AuditEntry
from journey.survey import Attribution, SurveyStatus
from journey.survey_access import COUNTED
from storage.audit import entry_insert
from storage.database import Database
from storage.follow_ups import blank_for_statistics
from storage.sharing_retention import keep_shared_advice
from storage.tables import (
    alumni_contacts,
    audit_log,
    conversation_notes,
    conversation_refs,
    delivery_log,
    departures,
    due_actions,
    journey_events,
    language_choices,
    shared_summaries,
    survey_answers,
    survey_progress,
    thank_you_wishes,
)

ERASED = "[erased]"
ANONYMOUS_PREFIX = "anon-"

# Actors that are the service, not a person: kept in the audit log after retention.
_SERVICE_ACTORS = ("system",)

# Whether an answer to (question set, question id) may stay as an anonymous count.
KeepAnswer = Callable[[str, str], bool]

TABLES = (  # in the order they are reported
    "departures",
    "survey_progress",
    "survey_answers",
    "conversation_notes",
    "thank_you_wishes",
    "shared_summaries",
    "due_actions",
    "delivery_log",
    "journey_events",
    "conversation_refs",
    "language_choices",
    "audit_log",
    "alumni_contacts",
    "follow_ups",
    "leave_date_findings",  # issue 16: what the Entra check read of a person
)

# The tables that hang on a departure and go with it: what an inventory counts, too.
BY_DEPARTURE = (
    ("survey_progress", survey_progress),
    ("survey_answers", survey_answers),
    ("conversation_notes", conversation_notes),
    ("thank_you_wishes", thank_you_wishes),
    ("shared_summaries", shared_summaries),
    ("due_actions", due_actions),
    ("delivery_log", delivery_log),
    ("journey_events", journey_events),
)


def month_of(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def month_start(moment: datetime | None) -> datetime | None:
    """The start of `moment`'s month in UTC; None stays None."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def clean_detail(detail: Mapping[str, Any] | None, upns: Iterable[str] = ()) -> dict[str, Any]:
    """`detail` without the values that hold an address or one of `upns`."""
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
        """Add `other`'s rows to these."""
        for table in TABLES:
            self.removed[table] += other.removed[table]
            self.kept[table] += other.kept[table]

    def summary(self) -> str:
        """The removed rows as `table=n,...` (tables with none left out)."""
        return ",".join(f"{t}={n}" for t, n in self.removed.items() if n)


async def rowcount(session: AsyncSession, statement: Any) -> int:
    """How many rows `statement` changed."""
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def lock_named(
    session: AsyncSession, db: Database, condition: ColumnElement[bool], *, skip_locked: bool
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


@dataclass(frozen=True)
class Anonymisation:
    """Who anonymises, why, and whether the leaver's conversation reference goes too."""

    now: datetime
    actor: str
    action: str
    drop_refs: bool = True


async def anonymise(
    session: AsyncSession, row: Row[Any], keep_answer: KeepAnswer, how: Anonymisation
) -> Counts:
    """Anonymise one locked departure in `session` (see the module docstring)."""
    counts = Counts()
    new = f"{ANONYMOUS_PREFIX}{uuid.uuid4().hex}"
    # The anonymous row first: the answers kept move to it.
    await _add_anonymous_row(session, row, new)
    counts.kept["departures"] = 1
    await _move_counted_answers(session, row.id, new, keep_answer, counts)
    await keep_shared_advice(session, row.id, new, counts, month_start)
    counts.kept["follow_ups"] = await blank_for_statistics(session, row.id, new)
    await _delete_traces(session, row.id, counts)
    # The consent to be contacted later stays (see the module docstring), counted as kept.
    counts.kept["alumni_contacts"] = int(
        await session.scalar(select(func.count()).where(alumni_contacts.c.departure_id == row.id))
        or 0
    )
    if how.drop_refs and not await _still_involved(session, row.leaver_upn, row.id):
        counts.removed["conversation_refs"] = await rowcount(
            session,
            delete(conversation_refs).where(func.lower(conversation_refs.c.upn) == row.leaver_upn),
        )
        # The language they chose goes with the ways to reach them (issue 11).
        counts.removed["language_choices"] = await rowcount(
            session, delete(language_choices).where(language_choices.c.upn == row.leaver_upn)
        )
    people = [row.leaver_upn, row.manager_upn, row.interviewer_upn or ""]
    counts.removed["audit_log"] = await rewrite_audit(
        session, audit_log.c.departure_id == row.id, _unless_service, people
    )
    await session.execute(delete(departures).where(departures.c.id == row.id))
    counts.removed["departures"] = 1
    entry = AuditEntry(
        at=how.now,
        actor=how.actor,
        action=how.action,
        departure_id=row.id,
        detail={"removed": counts.summary()},
    )
    await session.execute(entry_insert(entry))
    return counts


async def _add_anonymous_row(session: AsyncSession, row: Row[Any], new: str) -> None:
    """The departure's statistics under the id `new`; every column that could name it empty."""
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
            departure_type=row.departure_type,  # counted by type in insights (issue 11)
            registered_via=row.registered_via,  # which door, not who (issue 16)
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


async def _move_counted_answers(
    session: AsyncSession, old: str, new: str, keep_answer: KeepAnswer, counts: Counts
) -> None:
    """Delete the survey of `old`; its counted answers of a sent survey go to `new`, anonymous."""
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
    if progress is None or not kept:
        counts.removed["survey_progress"] = int(progress is not None)
        return
    await _add_anonymous_survey(session, new, progress, kept)
    counts.kept["survey_progress"], counts.kept["survey_answers"] = 1, len(kept)


async def _add_anonymous_survey(
    session: AsyncSession, new: str, progress: Row[Any], kept: list[Row[Any]]
) -> None:
    """A sent survey under `new` with the `kept` answers, dated to the month."""
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


async def _delete_traces(session: AsyncSession, old: str, counts: Counts) -> None:
    """Delete the notes, wishes, events, due actions and delivery log of `old`."""
    for name, table in (
        ("conversation_notes", conversation_notes),
        ("thank_you_wishes", thank_you_wishes),
        ("journey_events", journey_events),
    ):
        counts.removed[name] = await rowcount(
            session, delete(table).where(table.c.departure_id == old)
        )
    actions = select(due_actions.c.id).where(due_actions.c.departure_id == old)
    counts.removed["delivery_log"] = await rowcount(
        session,
        delete(delivery_log).where(
            or_(delivery_log.c.departure_id == old, delivery_log.c.due_action_id.in_(actions))
        ),
    )
    counts.removed["due_actions"] = await rowcount(
        session, delete(due_actions).where(due_actions.c.departure_id == old)
    )


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


async def rewrite_audit(
    session: AsyncSession,
    condition: ColumnElement[bool],
    actor: Callable[[str], str],
    upns: list[str],
) -> int:
    """Entries matching `condition` get actor `actor(old)`, lose values naming `upns`; how many."""
    entries = (
        await session.execute(
            select(audit_log.c.id, audit_log.c.actor, audit_log.c.detail).where(condition)
        )
    ).all()
    changed = 0
    for entry in entries:
        named = actor(entry.actor)
        detail = clean_detail(entry.detail, upns)
        if named != entry.actor or detail != (entry.detail or {}):
            await session.execute(
                update(audit_log)
                .where(audit_log.c.id == entry.id)
                .values(actor=named, detail=detail)
            )
            changed += 1
    return changed


def _unless_service(actor: str) -> str:
    """A person's name erased; the service's kept (it names nobody)."""
    service = actor in _SERVICE_ACTORS or actor.startswith("system:")
    return actor if service else ERASED
