"""The language each person chose with the `language` command, keyed by their UPN."""

from __future__ import annotations

from sqlalchemy import ColumnElement, ScalarSelect, select

from journey.clock import Clock, SystemClock
from journey.ports import PersonLanguages
from storage.database import Database
from storage.dialect import insert_for
from storage.people_in_view import LANGUAGE, look_up
from storage.people_in_view import person_key as _key
from storage.senders import senders_of
from storage.tables import departures, language_choices
from storage.unit_of_work import current_unit


def person_languages(
    person: ColumnElement[str] | str,
) -> tuple[ScalarSelect[str], ScalarSelect[str]]:
    """A person's chosen language and the locale of their latest departure as the leaver, as
    scalar subqueries on `person` (a lowercased UPN: a value, or a column of an outer query)."""
    chosen = (
        select(language_choices.c.locale).where(language_choices.c.upn == person).scalar_subquery()
    )
    registered = (
        select(departures.c.locale)
        .where(departures.c.leaver_upn == person)
        .order_by(departures.c.created_at.desc(), departures.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return chosen, registered


class SqlLanguageChoices:
    """journey.ports.LanguageChoices on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def chosen(self, upn: str) -> str | None:
        """The language `upn` chose, if they chose one; within a turn's unit of work read once,
        with the other people in view (storage.people_in_view)."""
        person = _key(upn)
        unit = current_unit(self._db)
        if unit is not None:
            if (LANGUAGE, person) not in unit.remembered:
                await look_up(self._db, unit, person)
            chosen: str | None = unit.remembered[LANGUAGE, person]
            return chosen
        statement = select(language_choices.c.locale).where(language_choices.c.upn == person)
        async with self._db.reading() as connection:
            return await connection.scalar(statement)

    async def languages_of(self, upn: str) -> PersonLanguages:
        """Their choice and the locale of their latest departure as the leaver: one query."""
        chosen, registered = person_languages(_key(upn))
        async with self._db.sessions() as session:
            row = (await session.execute(select(chosen.label("c"), registered.label("r")))).one()
        return PersonLanguages(chosen=row.c or None, registered=row.r or None)

    async def choose(self, upn: str, language: str) -> None:
        """Keep `language` for `upn`, replacing an earlier choice."""
        values = {"upn": _key(upn), "locale": language, "chosen_at": self._clock.now()}
        statement = insert_for(self._db, language_choices).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[language_choices.c.upn],
            set_={"locale": statement.excluded.locale, "chosen_at": statement.excluded.chosen_at},
        )
        async with self._db.transaction() as connection:
            await connection.execute(statement)
        senders_of(self._db).chose(values["upn"], language)  # their next turn speaks it
        unit = current_unit(self._db)
        if unit is not None:
            unit.remembered[LANGUAGE, values["upn"]] = language
