"""The demo's past: about 200 made-up departures over the two years before today.

`exitbot demo` (and so `make run`) writes them once into its own database, so a newcomer who
asks for insights sees figures and charts instead of "too few answers". Nothing else writes
them: `serve`, the HR API and every other command never do.

They are marked as demo data: each has the external id `demo-history-NNN` (HR's views and the
HR API show it) and a name that says so, and one audit entry (`demo.history_written`, by
`system:demo`) records that they were written. That entry is also how a later start knows they
are there: retention anonymises the older half at the service's start (their counts stay, the
external id goes), so the rows themselves cannot tell. Written with the entry in one
transaction: all or nothing, once.

Deterministic: a fixed random seed and the month the demo starts in decide every row.
The rows are written with cli.past_departures, the writer the insights tests' data sets
(testkit.insights_seed) use too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from cli.past_departures import AREAS, RATINGS, SECTION, Leaver, PastFollowUp, write
from journey.departure import DepartureType
from journey.periods import Month
from journey.ports import AuditEntry
from journey.survey import Attribution
from storage.audit import entry_insert
from storage.database import Database
from storage.tables import audit_log

EXTERNAL_PREFIX = "demo-history-"
NAME_PREFIX = "Demo history"
AUDIT_ACTION = "demo.history_written"
AUDIT_ACTOR = "system:demo"
SEED = 14  # issue 14
MONTHS = 24

R, P, F = DepartureType.RESIGNATION, DepartureType.RETIREMENT, DepartureType.FIXED_TERM_END
# Unit -> its departures per month (both included: about 200 in all) and the types its leavers
# take in turn. Regular, so every half-year each type a unit has counts at least 5: insights
# show a split by type only when every band does (journey.insights), and the demo should show one.
UNITS: dict[str, tuple[tuple[int, int], tuple[DepartureType, ...]]] = {
    "social-care": ((3, 4), (R, R, F)),  # substitutes on fixed terms
    "home-care": ((3, 3), (R, R, P)),
    "technical-services": ((2, 2), (R,)),
}
# What the leavers of each unit tend to say.
REASONS: dict[str, dict[str, float]] = {
    "social-care": {"workload": 4, "pay": 3, "working_hours": 3, "leadership": 1, "career": 2},
    "home-care": {"workload": 4, "working_hours": 4, "work_environment": 2, "commute": 2},
    "technical-services": {"career": 4, "pay": 3, "new_challenge": 3, "development": 2},
}
COMMON_REASONS = {"personal": 1.0, "education": 0.6, "tasks": 0.8, "other": 0.4}
# Unit -> the mean rating (1..5) its leavers give, per area of the standard question set.
MOODS: dict[str, dict[str, float]] = {
    "social-care": {"job_content": 3.9, "motivation": 3.3, "relations": 3.8,
                    "work_environment": 3.0, "pay_benefits": 2.4},
    "home-care": {"job_content": 3.6, "motivation": 2.9, "relations": 3.4,
                  "work_environment": 2.6, "pay_benefits": 2.3},
    "technical-services": {"job_content": 3.7, "motivation": 3.1, "relations": 4.0,
                           "work_environment": 3.8, "pay_benefits": 3.2},
}  # fmt: skip


# Issue 14: what the conversations agreed, per area (in Danish, as the demo's managers write).
ACTIONS: dict[str, str] = {
    "job_content": "Gennemgå opgavefordelingen i teamet",
    "motivation": "Tilbyde alle i teamet en udviklingssamtale",
    "relations": "Tage samarbejdet op på næste personalemøde",
    "work_environment": "Se på vagtplanen og arbejdsbelastningen",
    "pay_benefits": "Tage lønniveauet for stillingen op med HR",
}


@dataclass(frozen=True)
class Draw:
    """The demo's random choices, from one seeded generator."""

    rng: random.Random

    def pick(self, weights: dict[Any, float]) -> Any:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def rating(self, mean: float) -> str:
        return str(min(5, max(1, round(self.rng.gauss(mean, 0.9)))))


def _answers(draw: Draw, unit: str, kind: DepartureType) -> dict[str, Any]:
    """A sent survey of the standard question set: reasons, ratings, would recommend."""
    weights = {**COMMON_REASONS, **REASONS[unit]}
    if kind is DepartureType.RETIREMENT:
        weights = {"retirement": 8.0, **weights}
    reasons = sorted({draw.pick(weights) for _ in range(draw.rng.randint(1, 3))})
    answers: dict[str, Any] = {"reasons": reasons}
    for question in RATINGS:
        if draw.chance(0.9):  # now and then a question is left out
            answers[question] = draw.rating(MOODS[unit][SECTION[question]])
    mood = sum(MOODS[unit].values()) / len(MOODS[unit])
    answers["recommend"] = "yes" if draw.chance(mood / 5 + 0.05) else "no"
    return answers


def _leaver(draw: Draw, number: int, month: Month, unit: str, kind: DepartureType) -> Leaver:
    accepted = draw.chance(0.75)
    answered = draw.chance(0.8 if accepted else 0.35)
    attribution = draw.pick(
        {
            Attribution.ANONYMOUS_STATS: 0.7,
            Attribution.NAMED: 0.2,
            Attribution.INTERVIEWER_ONLY: 0.1,
        }
    )
    return Leaver(
        unit,
        month.first_day.replace(day=draw.rng.randint(1, month.last_day.day)),
        manager="manager@contoso.example",
        accepted=accepted,
        status="closed",
        answers=_answers(draw, unit, kind) if answered else {},
        attribution=attribution,
        name=f"{NAME_PREFIX} {number:03d}",
        id=f"demo{number:04d}{draw.rng.getrandbits(48):012x}",
        departure_type=kind.value,
        external_id=f"{EXTERNAL_PREFIX}{number:03d}",
    )


def _agreed(leaver: Leaver, today: date) -> Leaver:
    """A held conversation agreed 0 to 2 actions, due a month after the last day; those due
    more than four months ago are done, of the later ones most. Drawn from the leaver's own
    seed, so the rest of the history stays."""
    if not leaver.accepted:
        return leaver
    draw = Draw(random.Random(f"{SEED}:{leaver.id}"))
    areas = sorted({draw.pick(dict.fromkeys(AREAS, 1.0)) for _ in range(draw.rng.randint(0, 2))})
    due = leaver.last_day + timedelta(days=30)
    long_ago = due < today - timedelta(days=120)  # what stayed open is from the last months
    agreed = tuple(
        PastFollowUp(area, ACTIONS[area], due, done=due < today and (long_ago or draw.chance(0.6)))
        for area in areas
    )
    return replace(leaver, follow_ups=agreed)


def history(today: date) -> list[Leaver]:
    """The departures of the demo's past: each of the MONTHS months before today's month."""
    draw = Draw(random.Random(SEED))
    first = Month.of(today).plus(-MONTHS)
    leavers: list[Leaver] = []
    taken = dict.fromkeys(UNITS, 0)  # each unit's leavers so far: whose turn is which type
    for offset in range(MONTHS):
        month = first.plus(offset)
        for unit, (per_month, types) in UNITS.items():
            for _ in range(draw.rng.randint(*per_month)):
                kind = types[taken[unit] % len(types)]
                taken[unit] += 1
                leavers.append(_leaver(draw, len(leavers) + 1, month, unit, kind))
    return [_agreed(leaver, today) for leaver in leavers]


async def write_history(db: Database, now: datetime) -> int:
    """Write the demo's past unless an earlier start did; how many departures were written."""
    leavers = history(now.astimezone(UTC).date())
    async with db.sessions.begin() as session:
        written = select(func.count()).where(audit_log.c.action == AUDIT_ACTION)
        if await session.scalar(written):
            return 0
        await write(session, leavers)
        detail = {"departures": str(len(leavers)), "external_ids": f"{EXTERNAL_PREFIX}*"}
        entry = AuditEntry(at=now, actor=AUDIT_ACTOR, action=AUDIT_ACTION, detail=detail)
        await session.execute(entry_insert(entry))
    return len(leavers)
