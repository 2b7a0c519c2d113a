"""Conversation references: how to write to a person later."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update

from journey.clock import Clock, SystemClock
from journey.ports import ConversationRef
from storage.database import Database
from storage.dialect import insert_for
from storage.people_in_view import REF, look_up, person_key
from storage.senders import senders_of
from storage.tables import conversation_refs
from storage.unit_of_work import current_unit

_BY_UPN = (
    select(conversation_refs)
    .where(func.lower(conversation_refs.c.upn) == bindparam("upn"))
    .order_by(conversation_refs.c.updated_at.desc())
    .limit(1)
)


def provisional(ref: ConversationRef) -> bool:
    """A reference the bot opened itself, before the person wrote: its user id is not Teams'.

    outbox/reach.py opens a chat with the Entra object id as the member when the directory
    knows no Teams user id (Graph), so the first activity of that person brings the real one.
    """
    return ref.user_id.casefold() == ref.user_key.casefold()


def speaks_for_another(known: list[ConversationRef], user_key: str, user_id: str) -> bool:
    """True when an activity's sender ids contradict the stored people.

    `known` holds the references stored under `user_key` (the Entra object id when Teams gives
    it, else the Teams user id) and those whose Teams user id is `user_id` (`from.id`). Teams'
    user id is stable per person and bot, so a person known with another user id, or a user id
    stored for another person, is someone speaking for someone else: never a new address.
    A reference stored under the user id itself (an activity without an object id) names
    nobody else.
    """
    for ref in known:
        if ref.user_key == user_key:
            if ref.user_id != user_id and not provisional(ref):
                return True
        elif ref.user_id == user_id and ref.user_key != user_id:
            return True
    return False


class SqlConversationRefStore:
    """journey.ports.ConversationRefStore on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def save(self, ref: ConversationRef) -> None:
        """Insert or replace the reference stored under `ref.user_key`.

        Within a turn, the references found by UPN are forgotten; a person who had none when
        the turn looked them up (the turn opened a chat with them) is found as saved."""
        values = ref.model_dump(mode="python", exclude={"welcomed_at"})
        values["updated_at"] = ref.updated_at or self._clock.now()
        statement = insert_for(self._db, conversation_refs).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[conversation_refs.c.user_key],
            set_={k: statement.excluded[k] for k in values if k != "user_key"},
        )
        unit = current_unit(self._db)
        key = (REF, person_key(ref.upn or ""))
        opened = unit is not None and bool(ref.upn) and unit.remembered.get(key, False) is None
        self._forget_found()
        async with self._db.transaction() as connection:
            row = (await connection.execute(statement.returning(*conversation_refs.c))).one()
        saved = ConversationRef.model_validate(dict(row._mapping))
        senders_of(self._db).saved(saved)  # the next turn of its sender starts from it
        if unit is not None and opened:
            unit.remembered[key] = saved

    async def mark_welcomed(self, user_key: str) -> bool:
        """Set welcomed_at if it is unset; True only for the caller that set it."""
        now = self._clock.now()
        statement = (
            update(conversation_refs)
            .where(conversation_refs.c.user_key == user_key)
            .where(conversation_refs.c.welcomed_at.is_(None))
            .values(welcomed_at=now)
        )
        self._forget_found()
        async with self._db.transaction() as connection:
            result = await connection.execute(statement)
        welcomed = result.rowcount == 1
        senders_of(self._db).welcomed(user_key, now if welcomed else None)
        return welcomed

    def _forget_found(self) -> None:
        unit = current_unit(self._db)
        if unit is not None:
            unit.forget(REF)

    async def get(self, user_key: str) -> ConversationRef | None:
        """The reference stored under `user_key`, if any."""
        async with self._db.reading() as session:
            row = (
                await session.execute(
                    select(conversation_refs).where(conversation_refs.c.user_key == user_key)
                )
            ).one_or_none()
        return None if row is None else ConversationRef.model_validate(dict(row._mapping))

    async def find_by_upn(self, upn: str) -> ConversationRef | None:
        """The most recently saved reference for `upn`, compared case-insensitively; within a
        turn's unit of work read once, with the other people in view (storage.people_in_view),
        until a reference is saved."""
        person = person_key(upn)
        unit = current_unit(self._db)
        if unit is not None:
            if (REF, person) not in unit.remembered:
                await look_up(self._db, unit, person)
            return unit.remembered[REF, person]
        async with self._db.reading() as connection:
            row = (await connection.execute(_BY_UPN, {"upn": person})).one_or_none()
        return None if row is None else ConversationRef.model_validate(dict(row._mapping))

    async def latest_service_url(self) -> tuple[str, str | None] | None:
        """The service URL and tenant of the most recent conversation, if the bot has any.

        A chat with someone who never wrote to the bot must be opened at a service URL; Teams
        gives it with every activity, and it is the same for the whole tenant (its region):
        that of the latest sender a turn read or saved within a minute, else the stored
        reference saved last.
        """
        recent = senders_of(self._db).latest_service_url()
        if recent is not None:
            return recent
        statement = (
            select(conversation_refs.c.service_url, conversation_refs.c.tenant_id)
            .order_by(conversation_refs.c.updated_at.desc())
            .limit(1)
        )
        async with self._db.reading() as session:
            row = (await session.execute(statement)).one_or_none()
        return None if row is None else (row.service_url, row.tenant_id)
