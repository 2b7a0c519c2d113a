"""A survey click reads what it needs in one statement and writes only what changed (issue 13),
on SQLite and PostgreSQL; who asks is checked as before, and the leaver sees the same step."""

from __future__ import annotations

import pytest

from config.loader import default_config_dir, load_config
from config.survey_plan import survey_plan
from journey.refusals import NotAllowed, StaleAction
from journey.survey import Answer, Attribution, SurveyStatus
from storage.database import Database
from storage.repositories import SqlDepartureRepository
from testkit.sql_statements import statements_run
from tests.survey.test_store import LEAVER, PARTNER, stored_survey

A = Attribution
CONFIG = load_config(default_config_dir())
SUMMARY = len(survey_plan(CONFIG, "social-care").sections)  # past the last section
# What the leaver gave (tests.survey.test_store): the interviewer may read two of them.
GIVEN = {"stay": A.NAMED, "culture": A.INTERVIEWER_ONLY, "recommend": A.ANONYMOUS_STATS}


def kinds(statements: list[str]) -> list[str]:
    return [sql.split()[0] for sql in statements]


async def test_a_step_reads_departure_progress_and_answers_in_one_statement(
    db: Database,
) -> None:
    surveys, _, departure = await stored_survey(db, status=SurveyStatus.IN_PROGRESS)

    async with db.unit_of_work():
        with statements_run(db) as seen:
            _, _, step = await surveys.current(LEAVER, departure.id)
            # The departure the step read is the one the turn goes on with, read no more.
            again = await SqlDepartureRepository(db).get(departure.id)

    assert kinds(seen) == ["SELECT"]
    assert step is not None and again == departure == step.departure
    assert (step.progress.revision, step.progress.position) == (1, 0)
    assert {a.question_id: a.attribution for a in step.answers} == GIVEN
    assert [a.question_id for a in step.answers] == sorted(GIVEN)


async def test_the_answers_come_back_exactly_as_written(db: Database) -> None:
    surveys, store, departure = await stored_survey(db, status=SurveyStatus.IN_PROGRESS)
    written = [
        Answer(
            question_id="reasons",
            section_id="reasons",
            value=["pay", "workload"],
            attribution=A.NAMED,
        ),
        Answer(
            question_id="reasons_more",
            section_id="reasons",
            value='For "more" flexibility:\nÆble, 100 %, \\ and [1, 2]',
            attribution=A.ANONYMOUS_STATS,
        ),
    ]
    progress = await store.progress(departure.id)
    assert progress is not None
    await store.save(progress.model_copy(update={"revision": 2}), expected_revision=1, put=written)

    async with db.unit_of_work():
        _, _, step = await surveys.current(LEAVER, departure.id)

    assert step is not None
    assert [a for a in step.answers if a.section_id == "reasons"] == written


async def test_someone_else_is_refused_before_anything_is_shown(db: Database) -> None:
    surveys, store, departure = await stored_survey(
        db, status=SurveyStatus.IN_PROGRESS, position=SUMMARY
    )

    async with db.unit_of_work():
        with pytest.raises(NotAllowed):
            await surveys.current(PARTNER, departure.id)
        with pytest.raises(NotAllowed):
            await surveys.attribute(PARTNER, departure.id, revision=1, changes={}, send=True)
        with pytest.raises(StaleAction):  # a card for a departure that is gone
            await surveys.current(LEAVER, "no-such-departure")

    progress = await store.progress(departure.id)
    assert progress is not None and progress.status is SurveyStatus.IN_PROGRESS


async def test_a_departure_the_turn_saved_is_the_one_the_step_shows(db: Database) -> None:
    surveys, _, departure = await stored_survey(db, status=SurveyStatus.IN_PROGRESS)
    departures = SqlDepartureRepository(db)

    async with db.unit_of_work():
        saved = await departures.update(departure.model_copy(update={"leaver_name": "Ida"}))
        with statements_run(db) as seen:
            _, _, step = await surveys.current(LEAVER, departure.id)

    assert step is not None and step.departure == saved
    assert len(seen) == 1 and "departures" not in seen[0]  # only the survey's rows


@pytest.mark.parametrize(
    ("changes", "written"),
    [
        (GIVEN, ["SELECT", "UPDATE"]),  # the choices as they were: no answer rewritten
        ({**GIVEN, "stay": A.ANONYMOUS_STATS}, ["SELECT", "UPDATE", "INSERT"]),
    ],
    ids=["unchanged", "one changed"],
)
async def test_a_send_writes_only_the_choices_that_changed(
    db: Database, changes: dict[str, Attribution], written: list[str]
) -> None:
    surveys, _, departure = await stored_survey(
        db, status=SurveyStatus.IN_PROGRESS, position=SUMMARY
    )

    async with db.unit_of_work():
        with statements_run(db) as seen:
            step = await surveys.attribute(
                LEAVER, departure.id, revision=1, changes=changes, send=True
            )

    assert kinds(seen) == written
    assert step.progress.status is SurveyStatus.SENT
    read = await surveys.readable_answers(PARTNER, departure)
    shared = {A.NAMED, A.INTERVIEWER_ONLY}
    assert {a.question_id: a.attribution for a in read} == {
        question: chosen for question, chosen in changes.items() if chosen in shared
    }


async def test_skipping_questions_deletes_only_answers_given_before(db: Database) -> None:
    work_environment = 4  # the standard set's fifth section asks `stay`, `culture`, `recommend`
    surveys, store, departure = await stored_survey(
        db, status=SurveyStatus.IN_PROGRESS, position=work_environment
    )
    raw = {"stay": "", "culture": "Kind", "recommend": "yes"}  # `stay` taken back

    async with db.unit_of_work():
        step = await surveys.answer(
            LEAVER, departure.id, revision=1, section_id="work_environment", raw=raw
        )
        with statements_run(db) as seen:  # the next section skipped whole: nothing to delete
            await surveys.answer(
                LEAVER, departure.id, revision=2, section_id="pay_benefits", raw={}
            )

    assert [(a.question_id, a.value) for a in step.answers] == [
        ("culture", "Kind"),
        ("recommend", "yes"),
    ]
    assert kinds(seen) == ["SELECT", "UPDATE"]
    stored = await store.answers(departure.id, frozenset(A), sent_only=False)
    # Each keeps the use the leaver gave it, not the survey's default.
    assert [(a.question_id, a.attribution) for a in stored] == [
        ("culture", A.INTERVIEWER_ONLY),
        ("recommend", A.ANONYMOUS_STATS),
    ]


def test_a_units_plan_is_worked_out_once_per_configuration() -> None:
    first = survey_plan(CONFIG, "social-care")

    assert survey_plan(CONFIG, "social-care") is first
    reloaded = load_config(default_config_dir())  # a reload: a new configuration
    assert survey_plan(reloaded, "social-care") is not first
    assert survey_plan(reloaded, "social-care") == first
