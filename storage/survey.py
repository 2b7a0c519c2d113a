"""Survey progress and answers in the database; reads filter by attribution in SQL."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Row,
    Select,
    String,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError

from journey.ports import AlreadyExists, ConcurrentUpdate
from journey.survey import Answer, Attribution, SurveyProgress, SurveyStatus
from storage.database import Database
from storage.departures import remember, remembered
from storage.dialect import insert_for
from storage.tables import departures, survey_answers, survey_progress
from storage.types import JsonDocument
from storage.unit_of_work import current_unit

# Within a turn's unit of work (storage/unit_of_work.py) the leaver's own answers, all of them
# drafts included, are read once: a survey step reads them, saves, and reads them again.
_OWN = "own answers"
_ANSWER_COLUMNS = ("question_id", "section_id", "value", "attribution")


def _after_save(
    before: list[Answer], put: Sequence[Answer], remove: Collection[str], *, remove_all: bool
) -> list[Answer]:
    """The own answers as stored after a save, in the order of the answers' key."""
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


# --- the statements, built once (SQLAlchemy reuses their compiled form) ---------------------

_WANTED = bindparam("wanted_id")
_PROGRESS_BY_ID = select(survey_progress).where(survey_progress.c.departure_id == _WANTED)
_BEGIN = insert(survey_progress)
# The SET clause comes from the parameters (every column of the progress).
_SAVE = update(survey_progress).where(
    survey_progress.c.departure_id == _WANTED,
    survey_progress.c.revision == bindparam("expected_revision"),
)
_REMOVE_ALL = delete(survey_answers).where(survey_answers.c.departure_id == _WANTED)
_REMOVE = _REMOVE_ALL.where(
    survey_answers.c.question_id.in_(bindparam("questions", expanding=True))
)


def _answers_statement(*, sent_only: bool) -> Select[Any]:
    """The answers of one departure with one of the attributions asked for; with `sent_only`,
    only of a sent survey."""
    statement = select(*(survey_answers.c[name] for name in _ANSWER_COLUMNS)).where(
        survey_answers.c.departure_id == _WANTED,
        survey_answers.c.attribution.in_(bindparam("attributions", expanding=True)),
    )
    if not sent_only:
        return statement
    return statement.where(
        survey_answers.c.departure_id.in_(
            select(survey_progress.c.departure_id).where(
                survey_progress.c.departure_id == _WANTED,
                survey_progress.c.status == SurveyStatus.SENT.value,
            )
        )
    )


_ANSWERS = {sent_only: _answers_statement(sent_only=sent_only) for sent_only in (False, True)}


def _own_answers(dialect: str, departure_id: Any) -> Any:
    """The leaver's own answers as one JSON array of [question, section, value, attribution]
    (in no particular order; empty: NULL or []), for the row of a step's read."""
    a = survey_answers
    if dialect == "postgresql":
        item = func.jsonb_build_array(a.c.question_id, a.c.section_id, a.c.value, a.c.attribution)
        aggregated = func.jsonb_agg(item)
    else:  # SQLite keeps the value as JSON text: json() embeds it as JSON, not as a string
        item = func.json_array(
            a.c.question_id, a.c.section_id, func.json(a.c.value), a.c.attribution
        )
        aggregated = func.json_group_array(item)
    own = select(aggregated).where(a.c.departure_id == departure_id).scalar_subquery()
    return type_coerce(own, JsonDocument).label("own_answers")


@lru_cache(maxsize=4)
def _step_read(dialect: str, *, with_departure: bool) -> Select[Any]:
    """What a survey step reads, in one row: the leaver's progress (NULLs before they
    started), their own answers, and with `with_departure` the departure (no row: there is
    no such departure). Built once per dialect."""
    progress = [c.label(f"progress_{c.name}") for c in survey_progress.c]
    if with_departure:
        joined = departures.outerjoin(
            survey_progress, survey_progress.c.departure_id == departures.c.id
        )
        own = _own_answers(dialect, departures.c.id)
        return (
            select(*departures.c, *progress, own)
            .select_from(joined)
            .where(departures.c.id == _WANTED)
        )
    wanted = select(cast(_WANTED, String(64)).label("wanted")).subquery()
    joined = wanted.outerjoin(survey_progress, survey_progress.c.departure_id == wanted.c.wanted)
    own = _own_answers(dialect, wanted.c.wanted)
    return select(*progress, own).select_from(joined)


def _answers_of(row: Any) -> list[Answer]:
    """The own answers of a step's row, in the order of the answers' key."""
    found = [
        Answer(question_id=q, section_id=section, value=value, attribution=attribution)
        for q, section, value, attribution in row["own_answers"] or ()
    ]
    return sorted(found, key=lambda answer: answer.question_id)


class SqlSurveyStore:
    """journey.survey_service.SurveyStore on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._upsert = _upsert(db)

    async def progress(self, departure_id: str) -> SurveyProgress | None:
        """The leaver's progress, None before they started. Within a turn's unit of work one
        statement reads with it the leaver's own answers (kept for `answers`) and, unless the
        turn has it already, the departure (kept for storage.departures `get`)."""
        unit = current_unit(self._db)
        if unit is None:
            async with self._db.reading() as connection:
                row = (
                    await connection.execute(_PROGRESS_BY_ID, {"wanted_id": departure_id})
                ).first()
            return _progress(row) if row is not None else None
        with_departure = not remembered(self._db, departure_id)
        statement = _step_read(self._db.dialect, with_departure=with_departure)
        async with self._db.reading() as connection:
            row = (await connection.execute(statement, {"wanted_id": departure_id})).first()
        if row is None:  # no such departure: its `get` says so
            unit.remembered[_OWN, departure_id] = []
            return None
        values = row._mapping
        if with_departure:
            remember(self._db, values)
        unit.remembered[_OWN, departure_id] = _answers_of(values)
        if values["progress_departure_id"] is None:
            return None
        return SurveyProgress.model_validate(
            {c.name: values[f"progress_{c.name}"] for c in survey_progress.c}
        )

    async def begin(self, progress: SurveyProgress) -> SurveyProgress:
        """Store a new progress; AlreadyExists if the leaver started meanwhile."""
        try:
            async with self._db.transaction() as connection:
                await connection.execute(_BEGIN, _progress_values(progress))
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
        key = {"wanted_id": progress.departure_id}
        unit = current_unit(self._db)
        own = (_OWN, progress.departure_id)
        before = None if unit is None else unit.remembered.pop(own, None)
        async with self._db.transaction() as connection:
            values = {**_progress_values(progress), **key, "expected_revision": expected_revision}
            result = await connection.execute(_SAVE, values)
            if result.rowcount != 1:
                raise ConcurrentUpdate(f"the survey of {progress.departure_id} changed")
            if remove_all:
                await connection.execute(_REMOVE_ALL, key)
            elif remove:
                await connection.execute(_REMOVE, {**key, "questions": list(remove)})
            if put:
                await connection.execute(self._upsert, _answer_rows(progress, put))
        if unit is not None and before is not None:
            unit.remembered[own] = _after_save(before, put, remove, remove_all=remove_all)
        return progress

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
        parameters = {
            "wanted_id": departure_id,
            "attributions": [a.value for a in attributions],
        }
        async with self._db.reading() as connection:
            rows = (await connection.execute(_ANSWERS[sent_only], parameters)).all()
        found = [Answer.model_validate(dict(row._mapping)) for row in rows]
        if unit is not None and own is not None:
            unit.remembered[own] = list(found)
        return found


def _upsert(db: Database) -> Any:
    """Insert answers, replacing those already given to the same questions (in the dialect of
    `db`, built once per store)."""
    statement = insert_for(db, survey_answers)
    replaced = ("section_id", "value", "attribution", "updated_at")
    return statement.on_conflict_do_update(
        index_elements=[survey_answers.c.departure_id, survey_answers.c.question_id],
        set_={column: statement.excluded[column] for column in replaced},
    )
