"""A person's access to their data: what the bot holds about them, and its export."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Table, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from journey.ports import AuditEntry
from storage.anonymise import BY_DEPARTURE
from storage.audit import (
    ENTRY_COLUMNS,
    SqlAuditLog,
    actor_names,
    by_actor,
    person_key,
    ref_user_ids,
)
from storage.database import Database
from storage.tables import (
    alumni_contacts,
    audit_log,
    conversation_notes,
    conversation_refs,
    departures,
    follow_ups,
    language_choices,
    leave_date_findings,
    shared_summaries,
    survey_answers,
    survey_progress,
    thank_you_wishes,
)

AUDIT_EXPORT = "privacy.export"

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
    # Issue 11: HR's or the manager's assessment is data about the person (GDPR Art. 15), so
    # their own export holds it, though no card ever shows it to them.
    "departure_type",
    "regrettable",
    # Issue 16: where the departure came from (teams, api, csv or entra).
    "registered_via",
    "created_at",
    "updated_at",
)


# A leave-date finding's columns in the person's export: all but the internal revision.
_EXPORTED_FINDING = (
    "user_id",
    "upn",
    "name",
    "leave_date",
    "unit",
    "unit_value",
    "preferred_language",
    "attributes",
    "state",
    "departure_id",
    "seen_at",
)

# A follow-up's columns in the leaver's export: not the owner's, author's or closer's UPN.
_EXPORTED_FOLLOW_UP = (
    "id",
    "departure_id",
    "area",
    "what",
    "owner_kind",
    "due_on",
    "state",
    "outcome",
    "done_at",
    "created_at",
)


@dataclass
class Inventory:
    """What the bot holds about a person, as row counts per table."""

    upn: str
    leaver_of: list[str]
    other_roles: int  # named departures where they are the manager or the interviewer
    rows: dict[str, int]

    @property
    def empty(self) -> bool:
        """Whether the bot holds nothing about them."""
        return not any(self.rows.values()) and not self.other_roles


async def inventory(db: Database, upn: str) -> Inventory:
    """Rows about `upn`: their departures as leaver and what hangs on them, refs, audit."""
    person = person_key(upn)
    async with db.sessions() as session:
        leaver_of = await _leaver_of(session, person)
        other_roles = await session.scalar(
            select(func.count()).where(
                departures.c.leaver_upn != person,
                departures.c.leaver_upn != "",
                or_(departures.c.manager_upn == person, departures.c.interviewer_upn == person),
            )
        )
        user_ids = await ref_user_ids(session, person)
        rows = {"departures": len(leaver_of)}
        for name, table in BY_DEPARTURE:
            rows[name] = await _count(session, table.c.departure_id.in_(leaver_of))
        rows["conversation_refs"] = len(user_ids)
        rows["language_choices"] = await _count(session, language_choices.c.upn == person)
        rows["alumni_contacts"] = await _count(
            session, alumni_contacts.c.departure_id.in_(leaver_of)
        )
        rows["follow_ups"] = await _count(session, follow_ups.c.departure_id.in_(leaver_of))
        rows["leave_date_findings"] = await _count(session, leave_date_findings.c.upn == person)
        rows["audit_log"] = await _count(
            session,
            or_(
                by_actor(actor_names(person, user_ids)),
                audit_log.c.departure_id.in_(leaver_of),
            ),
        )
    return Inventory(person, leaver_of, int(other_roles or 0), rows)


async def _leaver_of(session: AsyncSession, person: str) -> list[str]:
    """The ids of the departures `person` leaves, soonest last working day first."""
    return list(
        await session.scalars(
            select(departures.c.id)
            .where(departures.c.leaver_upn == person)
            .order_by(departures.c.last_working_day, departures.c.id)
        )
    )


async def _count(session: AsyncSession, condition: Any) -> int:
    return int(await session.scalar(select(func.count()).where(condition)) or 0)


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


async def export_person(db: Database, upn: str, *, actor: str, now: datetime) -> dict[str, Any]:
    """What the bot holds about `upn`, as plain JSON values; an audit entry (counts only)."""
    person = person_key(upn)
    async with db.sessions() as session:
        document = {
            "person": person,
            "exported_at": now.isoformat(),
            **await _own_records(session, person),
            **await _conversations_and_acts(session, person),
        }
    counts = {key: str(len(value)) for key, value in document.items() if isinstance(value, list)}
    detail = {"person": person, **counts}
    entry = AuditEntry(at=now, actor=actor, action=AUDIT_EXPORT, detail=detail)
    await SqlAuditLog(db).record(entry)
    return document


async def _own_records(session: AsyncSession, person: str) -> dict[str, list[dict[str, Any]]]:
    """The departures `person` leaves, with their survey, notes and wishes."""
    own = (
        await session.execute(
            select(departures)
            .where(departures.c.leaver_upn == person)
            .order_by(departures.c.last_working_day, departures.c.id)
        )
    ).all()
    ids = [row.id for row in own]
    return {
        "departures": _rows(own, _EXPORTED_DEPARTURE),
        "survey_progress": await _about(session, ids, survey_progress),
        "survey_answers": await _about(session, ids, survey_answers, survey_answers.c.question_id),
        "conversation_notes": await _about(session, ids, conversation_notes),
        "thank_you_wishes": await _about(session, ids, thank_you_wishes),
        # The consent to alumni or re-hire contact and the private e-mail given with it.
        "alumni_contacts": await _about(session, ids, alumni_contacts),
        # What they chose to share with their manager or a hiring manager (issue 14).
        "shared_summaries": await _shared_of(session, ids),
        # What was promised after their conversation (issue 14): the owner by role, as the
        # leaver sees it; who owns, wrote or closed it are colleagues' addresses, not theirs.
        "follow_ups": await _follow_ups_of(session, ids),
        # What the check read of them in Entra ID (issue 16): their leave date, department and
        # language, and what became of it.
        "leave_date_findings": await _findings_of(session, person),
    }


async def _findings_of(session: AsyncSession, person: str) -> list[dict[str, Any]]:
    """What the Entra check read of `person`, whether or not a departure came of it."""
    statement = select(leave_date_findings).where(leave_date_findings.c.upn == person)
    return _rows((await session.execute(statement)).all(), _EXPORTED_FINDING)


async def _follow_ups_of(session: AsyncSession, ids: list[str]) -> list[dict[str, Any]]:
    """The follow-ups of the departures `ids`, with the columns the leaver may have."""
    statement = (
        select(follow_ups)
        .where(follow_ups.c.departure_id.in_(ids))
        .order_by(follow_ups.c.departure_id, follow_ups.c.created_at)
    )
    return _rows((await session.execute(statement)).all(), _EXPORTED_FOLLOW_UP)


async def _about(
    session: AsyncSession, ids: list[str], table: Table, *then: Any
) -> list[dict[str, Any]]:
    """The rows of `table` about the departures `ids`, by departure and then `then`."""
    statement = (
        select(table).where(table.c.departure_id.in_(ids)).order_by(table.c.departure_id, *then)
    )
    return _rows((await session.execute(statement)).all())


async def _conversations_and_acts(
    session: AsyncSession, person: str
) -> dict[str, list[dict[str, Any]]]:
    """`person`'s conversation references, and the audit entries of what they did."""
    user_ids = await ref_user_ids(session, person)
    refs = (
        await session.execute(
            select(conversation_refs)
            .where(func.lower(conversation_refs.c.upn) == person)
            .order_by(conversation_refs.c.updated_at)
        )
    ).all()
    audit = (
        await session.execute(
            select(*ENTRY_COLUMNS)
            .where(by_actor(actor_names(person, user_ids)))
            .order_by(audit_log.c.at, audit_log.c.id)
        )
    ).all()
    chosen = (
        await session.execute(select(language_choices).where(language_choices.c.upn == person))
    ).all()
    return {
        "conversation_refs": _rows(refs),
        "language_choices": _rows(chosen),
        "audit_entries": _rows(audit),
    }


async def _shared_of(session: AsyncSession, ids: list[str]) -> list[dict[str, Any]]:
    """What the leaver chose to share: not the hiring manager's address (a colleague's)."""
    statement = (
        select(shared_summaries)
        .where(shared_summaries.c.departure_id.in_(ids))
        .order_by(shared_summaries.c.departure_id)
    )
    columns = [c.name for c in shared_summaries.columns if c.name != "hiring_manager_upn"]
    return _rows((await session.execute(statement)).all(), columns)
