"""Survey progress and answers in the database; reads filter by attribution in SQL."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Row, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from journey.ports import AlreadyExists, ConcurrentUpdate
from journey.survey import Answer, Attribution, SurveyProgress, SurveyStatus
from storage.database import Database
from storage.tables import survey_answers, survey_progress


def _progress_values(progress: SurveyProgress) -> dict[str, Any]:
    values = progress.model_dump(mode="python")
    # Plain strings for the drivers (asyncpg does not take str subclasses for every type).
    values["attribution"] = progress.attribution.value
    values["status"] = progress.status.value
    return values


def _progress(row: Row[Any]) -> SurveyProgress:
    return SurveyProgress.model_validate(dict(row._mapping))


class SqlSurveyStore:
    """journey.survey_service.SurveyStore on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def progress(self, departure_id: str) -> SurveyProgress | None:
        """The leaver's progress, None before they started."""
        statement = select(survey_progress).where(survey_progress.c.departure_id == departure_id)
        async with self._db.sessions() as session:
            row = (await session.execute(statement)).first()
        return _progress(row) if row is not None else None

    async def begin(self, progress: SurveyProgress) -> SurveyProgress:
        """Store a new progress; AlreadyExists if the leaver started meanwhile."""
        try:
            async with self._db.sessions.begin() as session:
                await session.execute(insert(survey_progress).values(_progress_values(progress)))
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
        async with self._db.sessions.begin() as session:
            result = await session.execute(
                update(survey_progress)
                .where(
                    survey_progress.c.departure_id == progress.departure_id,
                    survey_progress.c.revision == expected_revision,
                )
                .values(_progress_values(progress))
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise ConcurrentUpdate(f"the survey of {progress.departure_id} changed")
            gone = {answer.question_id for answer in put} | set(remove)
            if remove_all:
                await session.execute(delete(survey_answers).where(key))
            elif gone:
                await session.execute(
                    delete(survey_answers).where(key, survey_answers.c.question_id.in_(gone))
                )
            if put:
                await session.execute(
                    insert(survey_answers),
                    [
                        {
                            "departure_id": progress.departure_id,
                            "question_id": answer.question_id,
                            "section_id": answer.section_id,
                            "value": answer.value,
                            "attribution": answer.attribution.value,
                            "updated_at": progress.updated_at,
                        }
                        for answer in put
                    ],
                )
        return progress

    async def answers(
        self, departure_id: str, attributions: Collection[Attribution], *, sent_only: bool
    ) -> list[Answer]:
        """The answers with one of `attributions`; with `sent_only`, only of a sent survey.

        The filter is in the query, so an answer nobody may read never leaves the database.
        """
        if not attributions:
            return []
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
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).all()
        return [Answer.model_validate(dict(row._mapping)) for row in rows]
