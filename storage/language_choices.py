"""The language each person chose with the `language` command, keyed by their UPN."""

from __future__ import annotations

from sqlalchemy import select

from journey.clock import Clock, SystemClock
from journey.ports import PersonLanguages
from storage.database import Database
from storage.dialect import insert_for
from storage.tables import departures, language_choices


def _key(upn: str) -> str:
    return upn.strip().lower()


class SqlLanguageChoices:
    """journey.ports.LanguageChoices on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def chosen(self, upn: str) -> str | None:
        """The language `upn` chose, if they chose one."""
        statement = select(language_choices.c.locale).where(language_choices.c.upn == _key(upn))
        async with self._db.sessions() as session:
            return await session.scalar(statement)

    async def languages_of(self, upn: str) -> PersonLanguages:
        """Their choice and the locale of their latest departure as the leaver: one query."""
        person = _key(upn)
        chosen = (
            select(language_choices.c.locale)
            .where(language_choices.c.upn == person)
            .scalar_subquery()
        )
        registered = (
            select(departures.c.locale)
            .where(departures.c.leaver_upn == person)
            .order_by(departures.c.created_at.desc(), departures.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
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
        async with self._db.sessions.begin() as session:
            await session.execute(statement)
