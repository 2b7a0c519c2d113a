"""The survey's data layer on SQLite and PostgreSQL: reads filter by attribution in the query."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from config.loader import default_config_dir, load_config
from config.survey_plan import survey_plan
from journey.access import Asker, Role
from journey.clock import FixedClock
from journey.departure import Departure, DepartureStatus, InterviewerKind
from journey.ports import ConcurrentUpdate
from journey.survey import Answer, Attribution, SurveyProgress, SurveyStatus
from journey.survey_access import readable
from journey.survey_service import Surveys
from storage.database import Database
from storage.repositories import SqlAuditLog, SqlDepartureRepository
from storage.survey import SqlSurveyStore

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LEAVER = Asker(user_id="u-leaver", upn="leaver@contoso.example")
PARTNER = Asker(user_id="u-partner", upn="hrpartner@contoso.example")
MANAGER = Asker(user_id="u-manager", upn="manager@contoso.example")
HR = Asker(user_id="u-hr", upn="hr@contoso.example", is_hr=True)
OTHER = Asker(user_id="u-other", upn="someone@contoso.example")
A = Attribution
# Which of one answer per attribution each viewer gets back from the database.
TABLE = [
    (LEAVER, {A.NAMED, A.INTERVIEWER_ONLY, A.ANONYMOUS_STATS}),
    (PARTNER, {A.NAMED, A.INTERVIEWER_ONLY}),  # the interviewer the leaver chose
    (MANAGER, set()),  # not chosen: sees nothing of the survey
    (HR, set()),
    (OTHER, set()),
]
QUESTION_OF = {A.NAMED: "stay", A.INTERVIEWER_ONLY: "culture", A.ANONYMOUS_STATS: "recommend"}


async def stored_survey(
    db: Database, *, interviewer: str = PARTNER.upn or "", status: SurveyStatus, position: int = 0
) -> tuple[Surveys, SqlSurveyStore, Departure]:
    """A booked leaver's survey at revision 1 and `position`, with one answer per attribution
    (QUESTION_OF)."""
    departures = SqlDepartureRepository(db)
    departure = await departures.add(
        Departure(
            leaver_upn=LEAVER.upn or "",
            manager_upn=MANAGER.upn or "",
            unit="social-care",
            last_working_day=date(2026, 12, 18),
            status=DepartureStatus.BOOKED,
            interviewer_upn=interviewer,
            interviewer_kind=InterviewerKind.HR_PARTNER,
        )
    )
    store = SqlSurveyStore(db)
    config = load_config(default_config_dir())
    surveys = Surveys(
        departures=departures,
        store=store,
        audit=SqlAuditLog(db),
        clock=FixedClock(T0),
        plans=lambda unit: survey_plan(config, unit),
    )
    progress = SurveyProgress(
        departure_id=departure.id,
        question_set="standard",
        attribution=A.NAMED,
        started_at=T0,
        updated_at=T0,
    )
    await store.begin(progress)
    answers = [
        Answer(question_id=question, section_id="work_environment", value=value, attribution=a)
        for a, question, value in [
            (A.NAMED, "stay", "Mere fleksibel arbejdstid"),
            (A.INTERVIEWER_ONLY, "culture", "Venlig, men travl"),
            (A.ANONYMOUS_STATS, "recommend", "no"),
        ]
    ]
    saved = progress.model_copy(update={"revision": 1, "status": status, "position": position})
    await store.save(saved, expected_revision=0, put=answers)
    return surveys, store, departure


@pytest.mark.parametrize(("viewer", "expected"), TABLE, ids=lambda v: getattr(v, "upn", None))
async def test_each_viewer_reads_only_what_the_leaver_allowed(
    db: Database, viewer: Asker, expected: set[Attribution]
) -> None:
    surveys, _, departure = await stored_survey(db, status=SurveyStatus.SENT)

    answers = await surveys.readable_answers(viewer, departure)

    assert {a.attribution for a in answers} == expected
    assert {a.question_id for a in answers} == {QUESTION_OF[a] for a in expected}


async def test_the_interviewers_query_cannot_return_a_statistics_only_answer(db: Database) -> None:
    _, store, departure = await stored_survey(db, status=SurveyStatus.SENT)

    rows = await store.answers(departure.id, readable({Role.INTERVIEWER}), sent_only=True)

    assert sorted(a.question_id for a in rows) == ["culture", "stay"]
    assert await store.answers(departure.id, readable({Role.MANAGER}), sent_only=True) == []


async def test_the_interviewer_sees_nothing_before_the_survey_is_sent(db: Database) -> None:
    surveys, _, departure = await stored_survey(db, status=SurveyStatus.IN_PROGRESS)

    assert await surveys.readable_answers(PARTNER, departure) == []
    assert len(await surveys.readable_answers(LEAVER, departure)) == 3  # their own, to go on


async def test_a_manager_chosen_to_hold_it_reads_as_the_interviewer(db: Database) -> None:
    surveys, _, departure = await stored_survey(
        db, interviewer=MANAGER.upn or "", status=SurveyStatus.SENT
    )

    answers = await surveys.readable_answers(MANAGER, departure)

    assert {a.attribution for a in answers} == {A.NAMED, A.INTERVIEWER_ONLY}


async def test_every_read_is_audited_without_the_answers(db: Database) -> None:
    surveys, _, departure = await stored_survey(db, status=SurveyStatus.SENT)

    await surveys.readable_answers(PARTNER, departure)
    await surveys.readable_answers(LEAVER, departure)

    reads = [
        e for e in await SqlAuditLog(db).for_departure(departure.id) if e.action == "survey.read"
    ]
    assert [(e.actor, e.at, e.detail["answers"]) for e in reads] == [
        (PARTNER.upn, T0, "2"),
        (LEAVER.upn, T0, "3"),
    ]
    assert "fleksibel" not in str(reads)


async def test_a_save_from_an_older_revision_stores_nothing(db: Database) -> None:
    _, store, departure = await stored_survey(db, status=SurveyStatus.IN_PROGRESS)
    progress = await store.progress(departure.id)
    assert progress is not None and progress.revision == 1
    stale = progress.model_copy(update={"revision": 1, "position": 3})
    extra = Answer(question_id="suggestions", section_id="s", value="x", attribution=A.NAMED)

    with pytest.raises(ConcurrentUpdate):
        await store.save(stale, expected_revision=0, put=[extra])

    assert await store.progress(departure.id) == progress
    everything = await store.answers(departure.id, frozenset(Attribution), sent_only=False)
    assert "suggestions" not in {a.question_id for a in everything}
