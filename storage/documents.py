"""A small JSON document store with eTag optimistic concurrency (for botbuilder state)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select, update

from journey.clock import Clock, SystemClock
from journey.ports import ConcurrentUpdate
from storage.database import Database
from storage.dialect import insert_for
from storage.tables import bot_state

ANY_ETAG = "*"

JsonObject = dict[str, Any]


def _check_json(key: str, document: JsonObject) -> None:
    # Plain JSON only: never pickled objects that could run code when read back.
    try:
        json.dumps(document, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"document {key!r} is not plain JSON: {exc}") from None


class DocumentStore:
    """Documents by key, each with an eTag that changes on every write."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def read(self, keys: Iterable[str]) -> dict[str, tuple[str, JsonObject]]:
        """{key: (etag, document)} for the keys that are stored; missing keys are left out."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        statement = select(bot_state.c.key, bot_state.c.etag, bot_state.c.document).where(
            bot_state.c.key.in_(wanted)
        )
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).all()
        return {row.key: (row.etag, row.document) for row in rows}

    async def write(self, key: str, document: JsonObject, expected_etag: str | None = None) -> str:
        """Store `document`; the new etag.

        With `expected_etag` None or "*" the write always wins (last writer wins). With an
        etag, the write happens only if the stored document still has it; otherwise (also
        when the document was deleted meanwhile) ConcurrentUpdate.
        """
        _check_json(key, document)
        etag = uuid.uuid4().hex
        values = {"etag": etag, "document": document, "updated_at": self._clock.now()}
        async with self._db.sessions.begin() as session:
            if expected_etag is None or expected_etag == ANY_ETAG:
                statement = insert_for(self._db, bot_state).values(key=key, **values)
                statement = statement.on_conflict_do_update(
                    index_elements=[bot_state.c.key],
                    set_={name: statement.excluded[name] for name in values},
                )
                await session.execute(statement)
                return etag
            result = await session.execute(
                update(bot_state)
                .where(bot_state.c.key == key, bot_state.c.etag == expected_etag)
                .values(values)
            )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"document {key!r} changed since etag {expected_etag} was read")
        return etag

    async def delete(self, keys: Iterable[str]) -> None:
        """Remove the documents under `keys`; keys not stored are ignored."""
        doomed = list(dict.fromkeys(keys))
        if not doomed:
            return
        async with self._db.sessions.begin() as session:
            await session.execute(delete(bot_state).where(bot_state.c.key.in_(doomed)))
