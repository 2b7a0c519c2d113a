"""A database with three leavers in every table, for the retention and privacy tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select

from journey.departure import DepartureStatus
from journey.leave_dates import Finding, FindingState
from storage.database import Database
from storage.departures import SqlDepartureRepository
from storage.leave_dates import SqlLeaveDates
from storage.tables import (
    audit_log,
    conversation_notes,
    conversation_refs,
    delivery_log,
    departures,
    due_actions,
    follow_ups,
    journey_events,
    metadata,
    shared_summaries,
    survey_answers,
    survey_progress,
    thank_you_wishes,
)
from tests.storage import samples

NOW = datetime(2027, 6, 15, 3, 0, tzinfo=UTC)  # with 12 months: the cutoff is 2026-06-15
T = datetime(2026, 4, 20, 9, 30, tzinfo=UTC)
MANAGER = "mads.manager@contoso.dk"
INTERVIEWER = "hanne.hr@contoso.dk"
# Reportable in the shipped question set "standard"; reasons_more is free text.
REPORTABLE = {("standard", "expectations"), ("standard", "meaningful"), ("standard", "reasons")}


def keep(question_set: str, question_id: str) -> bool:
    return (question_set, question_id) in REPORTABLE


@dataclass(frozen=True)
class Leaver:
    upn: str
    name: str
    unit: str
    last_day: date
    departure_id: str = ""


IDA = Leaver("ida.leaver@contoso.dk", "Ida Ærø-Ødegård", "Borgerservice", date(2026, 4, 30))
OLE = Leaver("ole.old@contoso.dk", "Ole Oldsen", "Borgerservice", date(2026, 6, 14))
KIM = Leaver("kim.recent@contoso.dk", "Kim Kimsen", "Skoler", date(2026, 6, 15))


async def _departure(db: Database, leaver: Leaver, number: int, status: DepartureStatus) -> str:
    saved = await SqlDepartureRepository(db).add(
        samples.departure(
            external_id=f"HR-{number}",
            leaver_upn=leaver.upn,
            leaver_name=leaver.name,
            unit=leaver.unit,
            last_working_day=leaver.last_day,
            status=status,
            manager_upn=MANAGER,
            interviewer_upn=INTERVIEWER,
            decline_reason=f"private words of {leaver.name}",
            handover_successor=f"successor of {leaver.name}",
            accepted_at=T if status is DepartureStatus.HELD else None,
        )
    )
    return saved.id


async def _survey(
    db: Database, departure_id: str, status: str, answers: list[tuple[str, Any, str]]
) -> None:
    async with db.sessions.begin() as session:
        await session.execute(
            insert(survey_progress).values(
                departure_id=departure_id,
                question_set="standard",
                attribution="named",
                position=3,
                status=status,
                revision=4,
                started_at=T,
                updated_at=T,
                sent_at=T if status == "sent" else None,
            )
        )
        await session.execute(
            insert(survey_answers),
            [
                {
                    "departure_id": departure_id,
                    "question_id": question,
                    "section_id": "s",
                    "value": value,
                    "attribution": attribution,
                    "updated_at": T,
                }
                for question, value, attribution in answers
            ],
        )


async def _around(db: Database, departure_id: str, leaver: Leaver, number: int) -> None:
    """Notes, wishes, a due action with its log, a journey event, a chat, audit entries."""
    async with db.sessions.begin() as session:
        await session.execute(
            insert(conversation_notes).values(
                departure_id=departure_id,
                main_points=f"{leaver.name} said the workload was too high",
                agreed_actions="none",
                data_use="anonymous",
                revision=1,
                updated_at=T,
            )
        )
        await session.execute(
            insert(thank_you_wishes).values(
                departure_id=departure_id, chosen=["reference"], answered_at=T
            )
        )
        # What the leaver shared (issue 14): their summary and the hiring manager go at
        # retention; the advice for the next person in the job stays with the unit.
        await session.execute(
            insert(shared_summaries).values(
                departure_id=departure_id,
                unit=leaver.unit,
                with_manager=True,
                with_hiring_manager=True,
                hiring_manager_upn="hiring.manager@contoso.dk",
                summary=f"{leaver.name} wants the rota fixed",
                advice=f"Advice {number}: ask about the case system in the first week",
                answers_included=True,
                chosen_at=T,
                revision=1,
                updated_at=T,
            )
        )
        # A follow-up (issue 14): its words and people go at retention, its figures stay.
        await session.execute(
            insert(follow_ups).values(
                id=f"fu-{number}",
                departure_id=departure_id,
                unit=leaver.unit,
                area="work_environment",
                what=f"Take {leaver.name}'s rota question to the unit meeting",
                owner_upn=MANAGER,
                owner_kind="manager",
                due_on=leaver.last_day,
                state="done",
                outcome=f"Rota changed after {leaver.name}'s conversation",
                created_by=INTERVIEWER,
                done_by=MANAGER,
                done_at=T,
                revision=2,
                created_at=T,
                updated_at=T,
            )
        )
        action = await session.execute(
            insert(due_actions)
            .values(
                idempotency_key=f"{departure_id}:reminder:{leaver.upn}",
                departure_id=departure_id,
                kind="reminder",
                recipient_key=leaver.upn,
                due_at=T,
                payload={"name": leaver.name},
                resend_if_unknown=False,
                state="sent",
                attempts=1,
                created_at=T,
                updated_at=T,
            )
            .returning(due_actions.c.id)
        )
        await session.execute(
            insert(delivery_log).values(
                due_action_id=action.scalar_one(),
                departure_id=departure_id,
                at=T,
                outcome="sent",
                attempt=1,
                worker="w1",
            )
        )
        await session.execute(
            insert(journey_events).values(
                departure_id=departure_id,
                event="registered",
                before={"leaver_name": leaver.name},
                created_at=T,
            )
        )
        await session.execute(
            insert(conversation_refs).values(
                user_key=f"key-{number}",
                user_id=f"29:user-{number}",
                upn=leaver.upn.upper(),  # compared case-insensitively
                name=leaver.name,
                conversation_id=f"a:conv-{number}",
                service_url="https://smba.trafficmanager.net/emea/",
                channel_id="msteams",
                bot_id="28:bot",
                updated_at=T,
            )
        )
        for actor, action_name in (
            ("system", "offer.sent"),
            (leaver.upn, "offer.accepted"),
            (f"teams:29:user-{number}", "survey.started"),
            (INTERVIEWER, "notes.read"),
            (f"csv:{number}", "departure.registered"),
        ):
            await session.execute(
                insert(audit_log).values(
                    at=T,
                    actor=actor,
                    action=action_name,
                    departure_id=departure_id,
                    detail={"door": "teams", "interviewer": INTERVIEWER},
                )
            )


async def _finding(db: Database, departure_id: str, leaver: Leaver, number: int) -> None:
    """What the Entra check read of the leaver (issue 16): their leave date and department."""
    finding = Finding(
        user_id=f"entra-user-{number}",
        upn=leaver.upn,
        name=leaver.name,
        leave_date=leaver.last_day,
        unit=leaver.unit,
        unit_value=leaver.unit,
        attributes={"department": leaver.unit},
        state=FindingState.REGISTERED,
        departure_id=departure_id,
        seen_at=T,
    )
    await SqlLeaveDates(db).save(finding, None)


async def seed(db: Database) -> dict[str, Leaver]:
    """Ida (past the limit, sent survey), Ole (past, survey never sent), Kim (within)."""
    leavers = {}
    for number, (leaver, status) in enumerate(
        ((IDA, DepartureStatus.HELD), (OLE, DepartureStatus.DECLINED), (KIM, DepartureStatus.HELD))
    ):
        departure_id = await _departure(db, leaver, number, status)
        leavers[leaver.upn] = Leaver(**{**leaver.__dict__, "departure_id": departure_id})
        await _around(db, departure_id, leaver, number)
        await _finding(db, departure_id, leaver, number)
    await _survey(
        db,
        leavers[IDA.upn].departure_id,
        "sent",
        [
            ("expectations", "4", "named"),
            ("meaningful", "5", "anonymous_stats"),
            ("reasons", ["pay", "commute"], "named"),
            ("reasons_more", f"{IDA.name} wrote this freely", "named"),  # free text
            ("tasks_rating", "2", "named"),  # not reportable
            ("other_rating", "3", "interviewer_only"),  # kept out of statistics
        ],
    )
    await _survey(
        db, leavers[OLE.upn].departure_id, "in_progress", [("expectations", "1", "named")]
    )
    await _survey(
        db,
        leavers[KIM.upn].departure_id,
        "sent",
        [("expectations", "3", "named"), ("reasons_more", "Kim's words", "named")],
    )
    # The manager's own chat: they are still an employee.
    async with db.sessions.begin() as session:
        await session.execute(
            insert(conversation_refs).values(
                user_key="key-manager",
                user_id="29:manager",
                upn=MANAGER,
                name="Mads Manager",
                conversation_id="a:conv-manager",
                service_url="https://smba.trafficmanager.net/emea/",
                channel_id="msteams",
                bot_id="28:bot",
                updated_at=T,
            )
        )
    return leavers


async def released_counts(db: Database) -> dict[tuple[str, str, str], int]:
    """What insights count (storage/insights.py), per unit and month: departures by status and
    whether accepted; released answers of sent surveys to reportable questions."""
    statement = (
        select(
            departures.c.unit,
            departures.c.last_working_day,
            survey_answers.c.section_id,
            survey_answers.c.question_id,
            survey_answers.c.value,
        )
        .join(departures, departures.c.id == survey_answers.c.departure_id)
        .join(survey_progress, survey_progress.c.departure_id == survey_answers.c.departure_id)
        .where(
            survey_progress.c.status == "sent",
            survey_answers.c.attribution.in_(["named", "anonymous_stats"]),
        )
    )
    per_departure = select(
        departures.c.unit,
        departures.c.last_working_day,
        departures.c.status,
        departures.c.accepted_at.is_not(None),
    )
    counts: dict[tuple[str, str, str], int] = {}
    async with db.sessions() as session:
        for unit, day, status, accepted in (await session.execute(per_departure)).all():
            key = (unit, day.strftime("%Y-%m"), f"departures:{status}:{accepted}")
            counts[key] = counts.get(key, 0) + 1
        for unit, day, section, question, value in (await session.execute(statement)).all():
            if ("standard", question) in REPORTABLE:
                key = (unit, day.strftime("%Y-%m"), f"{section}:{question}={value}")
                counts[key] = counts.get(key, 0) + 1
    return counts


async def snapshot(db: Database) -> dict[str, list[str]]:
    """Every row of every table, as sorted text, for comparing whole databases."""
    tables: dict[str, list[str]] = {}
    async with db.sessions() as session:
        for table in metadata.sorted_tables:
            rows = (await session.execute(select(table))).all()
            tables[table.name] = sorted(repr(tuple(row)) for row in rows)
    return tables


def mentions(tables: dict[str, list[str]], *needles: str) -> dict[str, int]:
    """Rows per table whose text holds one of `needles` (case-insensitively)."""
    lowered = [needle.lower() for needle in needles]
    found = {}
    for name, rows in tables.items():
        hits = sum(1 for row in rows if any(needle in row.lower() for needle in lowered))
        if hits:
            found[name] = hits
    return found
