"""Past departures written straight into the tables insights reads, in one transaction.

The demo's history (cli/demo_history.py) and the tests' and benchmarks' hand-built data sets
(testkit/insights_seed.py) are both written with this: a departure row per leaver and, if it
answered, its survey progress and answers, marked as the leaver chose to share them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from journey.survey import Attribution
from storage.database import Database
from storage.tables import departures, follow_ups, survey_answers, survey_progress

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

# question id -> section id in the standard set (config/default/questions.yaml)
SECTION = {
    "reasons": "reasons",
    "expectations": "job_content",
    "meaningful": "job_content",
    "development": "motivation",
    "career": "motivation",
    "team_collaboration": "relations",
    "cross_collaboration": "relations",
    "manager_collaboration": "relations",
    "management_communication": "relations",
    "physical_conditions": "work_environment",
    "recommend": "work_environment",
    "stay": "work_environment",
    "pay_satisfaction": "pay_benefits",
    "suggestions": "suggestions",
}
AREAS = ("job_content", "motivation", "relations", "work_environment", "pay_benefits")
RATINGS = tuple(q for q, s in SECTION.items() if s in AREAS and q not in ("recommend", "stay"))


@dataclass(frozen=True)
class PastFollowUp:
    """One action agreed in a past conversation, owned by the leaver's manager."""

    area: str
    what: str
    due_on: date
    done: bool = False


@dataclass
class Leaver:
    """One departure and, if `answers`, a sent survey."""

    unit: str
    last_day: date
    manager: str = "boss@contoso.example"
    accepted: bool = True
    status: str = "held"
    answers: dict[str, Any] = field(default_factory=dict)  # question id -> value
    attribution: Attribution = Attribution.ANONYMOUS_STATS
    sent: bool = True
    name: str = "Leaver Person"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    departure_type: str = "resignation"  # journey.departure.DepartureType's values
    external_id: str | None = None  # e.g. the demo's history marks its rows (cli.demo_history)
    follow_ups: tuple[PastFollowUp, ...] = ()  # issue 14: what was agreed, done or still open


def rated(score: int, *, recommend: str = "yes", reasons: Sequence[str] = ("pay",)) -> dict:
    """Answers with the same rating everywhere."""
    answers: dict[str, Any] = {q: str(score) for q in RATINGS}
    answers["recommend"] = recommend
    answers["reasons"] = list(reasons)
    return answers


def follow_up_rows(leavers: Sequence[Leaver]) -> list[dict]:
    """The follow-ups of the leavers, as rows of storage.tables.follow_ups."""
    found = []
    for leaver in leavers:
        for number, item in enumerate(leaver.follow_ups, start=1):
            done_at = datetime.combine(item.due_on, time(12), UTC) if item.done else None
            found.append(
                {
                    "id": f"{leaver.id[:56]}-f{number}",
                    "departure_id": leaver.id,
                    "unit": leaver.unit,
                    "area": item.area,
                    "what": item.what,
                    "owner_upn": leaver.manager,
                    "owner_kind": "manager",
                    "due_on": item.due_on,
                    "state": "done" if item.done else "open",
                    "outcome": None,
                    "created_by": leaver.manager,
                    "done_by": leaver.manager if item.done else None,
                    "done_at": done_at,
                    "revision": 2 if item.done else 1,
                    "created_at": NOW,
                    "updated_at": done_at or NOW,
                }
            )
    return found


def rows(leavers: Sequence[Leaver]) -> tuple[list[dict], list[dict], list[dict]]:
    d_rows, p_rows, a_rows = [], [], []
    for leaver in leavers:
        d_rows.append(
            {
                "id": leaver.id,
                "external_id": leaver.external_id,
                "leaver_upn": f"{leaver.id[:12]}@contoso.example",
                "leaver_name": leaver.name,
                "manager_upn": leaver.manager,
                "unit": leaver.unit,
                "last_working_day": leaver.last_day,
                "locale": "da",
                "time_zone": "Europe/Copenhagen",
                "status": leaver.status,
                "interviewer_pool": [],
                "accepted_at": NOW if leaver.accepted else None,
                "departure_type": leaver.departure_type,
                "version": 1,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        if not leaver.answers:
            continue
        p_rows.append(
            {
                "departure_id": leaver.id,
                "question_set": "standard",
                "attribution": leaver.attribution.value,
                "position": 6,
                "status": "sent" if leaver.sent else "in_progress",
                "revision": 3,
                "started_at": NOW,
                "updated_at": NOW,
                "sent_at": NOW if leaver.sent else None,
            }
        )
        for question_id, value in leaver.answers.items():
            a_rows.append(
                {
                    "departure_id": leaver.id,
                    "question_id": question_id,
                    "section_id": SECTION[question_id],
                    "value": value,
                    "attribution": leaver.attribution.value,
                    "updated_at": NOW,
                }
            )
    return d_rows, p_rows, a_rows


async def seed(db: Database, leavers: Sequence[Leaver], *, batch: int = 5000) -> None:
    """Write the leavers (departures, survey progress, answers) in one transaction, `batch`
    rows per statement: a running service's jobs (retention at start-up) see all or nothing,
    never a departure whose answers are still to come."""
    async with db.sessions.begin() as session:
        await write(session, leavers, batch=batch)


async def write(session: AsyncSession, leavers: Sequence[Leaver], *, batch: int = 5000) -> None:
    """What `seed` writes, inside the caller's transaction (which may write more with it)."""
    d_rows, p_rows, a_rows = rows(leavers)
    for table, values in (
        (departures, d_rows),
        (survey_progress, p_rows),
        (survey_answers, a_rows),
        (follow_ups, follow_up_rows(leavers)),
    ):
        for start in range(0, len(values), batch):
            await session.execute(insert(table), values[start : start + batch])
