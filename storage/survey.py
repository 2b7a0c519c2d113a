"""Survey progress and answers in the database; reads filter by attribution in SQL."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Row, Select, String, and_, bindparam, cast, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from journey.ports import AlreadyExists, ConcurrentUpdate
from journey.survey import Answer, Attribution, SurveyProgress, SurveyStatus
from storage.database import Database
from storage.dialect import insert_for
from storage.tables import survey_answers, survey_progress
from storage.unit_of_work import current_unit

# Within a turn's unit of work (storage/unit_of_work.py) the leaver's own answers, all of them
# drafts included, are read once: a survey step reads them, saves, and reads them again.
_OWN = "own answers"


def _after_save(
    before: list[Answer], put: Sequence[Answer], remove: Collection[str], *, remove_all: bool
) -> list[Answer]:
    """The own answers as stored after a save, in the order SQLite's key gives them."""
    gone = {answer.question_id for answer in put} | set(remove)
    kept = [] if remove_all else [answer for answer in before if answer.question_id not in gone]
    return sorted([*kept, *put], key=lambda answer: answer.question_id)


def _answer_rows(progress: SurveyProgress, put: Sequence[Answer]) -> list[dict[str, Any]]:
    return [
        {
            "departure_id": progress.departure_id,
            "question_id": answer.question_id,
            "section_id": answer.section_id,
            "value": answer.value,
            "attribution": answer.attribution.value,
            "updated_at": progress.updated_at,
        }
        for answer in put
    ]


def _progress_values(progress: SurveyProgress) -> dict[str, Any]:
    values = progress.model_dump(mode="python")
    # Plain strings for the drivers (asyncpg does not take str subclasses for every type).
    values["attribution"] = progress.attribution.value
    values["status"] = progress.status.value
    return values


def _progress(row: Row[Any]) -> SurveyProgress:
    return SurveyProgress.model_validate(dict(row._mapping))


def _progress_and_answers() -> Select[Any]:
    """A leaver's progress (or NULLs) and each of their own answers (or one row of NULLs), in
    the order of the answers' key; built once, the departure id as a parameter."""
    wanted = select(cast(bindparam("departure_id"), String(64)).label("wanted")).subquery()
    progress, answers = survey_progress, survey_answers
    joined = wanted.outerjoin(progress, progress.c.departure_id == wanted.c.wanted).outerjoin(
        answers, answers.c.departure_id == wanted.c.wanted
    )
    own = [
        answers.c[name].label(f"answer_{name}")
        for name in ("question_id", "section_id", "value", "attribution")
    ]
    return select(*progress.c, *own).select_from(joined).order_by(answers.c.question_id)


_PROGRESS_AND_ANSWERS = _progress_and_answers()


class SqlSurveyStore:
    """journey.survey_service.SurveyStore on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def progress(self, departure_id: str) -> SurveyProgress | None:
        """The leaver's progress, None before they started. Within a turn's unit of work the
        leaver's own answers are read with it, in the same query, and kept for `answers`."""
        unit = current_unit(self._db)
        if unit is not None:
            return await self._progress_and_answers(departure_id, unit.remembered)
        statement = select(survey_progress).where(survey_progress.c.departure_id == departure_id)
        async with self._db.reading() as connection:
            row = (await connection.execute(statement)).first()
        return _progress(row) if row is not None else None

    async def _progress_and_answers(
        self, departure_id: str, remembered: dict[tuple[str, str], Any]
    ) -> SurveyProgress | None:
        async with self._db.reading() as connection:
            rows = (
                await connection.execute(_PROGRESS_AND_ANSWERS, {"departure_id": departure_id})
            ).all()
        first = rows[0]._mapping  # the wanted id joins at least one row, if to nothing
        found = None
        if first[survey_progress.c.departure_id] is not None:
            found = SurveyProgress.model_validate({c.name: first[c] for c in survey_progress.c})
        remembered[_OWN, departure_id] = [
            Answer(
                question_id=row.answer_question_id,
                section_id=row.answer_section_id,
                value=row.answer_value,
                attribution=row.answer_attribution,
            )
            for row in rows
            if row.answer_question_id is not None
        ]
        return found

    async def begin(self, progress: SurveyProgress) -> SurveyProgress:
        """Store a new progress; AlreadyExists if the leaver started meanwhile."""
        try:
            async with self._db.transaction() as connection:
                await connection.execute(insert(survey_progress).values(_progress_values(progress)))
        except IntegrityError:
            raise AlreadyExists(f"the survey of {progress.departure_id} is started") from None
        return progress

    async def save(
        self,
        progress: SurveyProgress,
        *,
        expected_revision: int,
        put: Sequence[Answer] = (),
        remove: Collection[str] = (),
        remove_all: bool = False,
    ) -> SurveyProgress:
        """Save progress and answers together, if nobody saved since `expected_revision`.

        ConcurrentUpdate (and nothing stored) when the stored revision differs: the card that
        asked was replayed or is older than the latest.
        """
        key = survey_answers.c.departure_id == progress.departure_id
        unit = current_unit(self._db)
        own = (_OWN, progress.departure_id)
        before = None if unit is None else unit.remembered.pop(own, None)
        async with self._db.transaction() as connection:
            result = await connection.execute(
                update(survey_progress)
                .where(
                    survey_progress.c.departure_id == progress.departure_id,
                    survey_progress.c.revision == expected_revision,
                )
                .values(_progress_values(progress))
            )
            if result.rowcount != 1:
                raise ConcurrentUpdate(f"the survey of {progress.departure_id} changed")
            if remove_all:
                await connection.execute(delete(survey_answers).where(key))
            elif remove:
                await connection.execute(
                    delete(survey_answers).where(key, survey_answers.c.question_id.in_(remove))
                )
            if put:
                await connection.execute(self._upsert(), _answer_rows(progress, put))
        if unit is not None and before is not None:
            unit.remembered[own] = _after_save(before, put, remove, remove_all=remove_all)
        return progress

    def _upsert(self) -> Any:
        """Insert answers, replacing those already given to the same questions."""
        statement = insert_for(self._db, survey_answers)
        replaced = ("section_id", "value", "attribution", "updated_at")
        return statement.on_conflict_do_update(
            index_elements=[survey_answers.c.departure_id, survey_answers.c.question_id],
            set_={column: statement.excluded[column] for column in replaced},
        )

    async def answers(
        self, departure_id: str, attributions: Collection[Attribution], *, sent_only: bool
    ) -> list[Answer]:
        """The answers with one of `attributions`; with `sent_only`, only of a sent survey.

        The filter is in the query, so an answer nobody may read never leaves the database.
        """
        if not attributions:
            return []
        unit = current_unit(self._db)
        own = (
            (_OWN, departure_id)
            if set(attributions) == set(Attribution) and not sent_only
            else None
        )
        if unit is not None and own in unit.remembered:
            return list(unit.remembered[own])
        conditions = [
            survey_answers.c.departure_id == departure_id,
            survey_answers.c.attribution.in_([a.value for a in attributions]),
        ]
        if sent_only:
            conditions.append(
                survey_answers.c.departure_id.in_(
                    select(survey_progress.c.departure_id).where(
                        survey_progress.c.departure_id == departure_id,
                        survey_progress.c.status == SurveyStatus.SENT.value,
                    )
                )
            )
        statement = select(
            survey_answers.c.question_id,
            survey_answers.c.section_id,
            survey_answers.c.value,
            survey_answers.c.attribution,
        ).where(and_(*conditions))
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        found = [Answer.model_validate(dict(row._mapping)) for row in rows]
        if unit is not None and own is not None:
            unit.remembered[own] = list(found)
        return found
