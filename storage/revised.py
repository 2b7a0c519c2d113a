"""One row per departure kept with a revision: the save that refuses a stale card.

The interviewer's notes (storage.after_conversation) and what a leaver shares
(storage.sharing) are each one row keyed by the departure, saved from a card drawn at some
revision. A save at revision 0 inserts; a later one updates only the row still at the
revision the card was drawn for. Anything else (a second click, two first saves at once) is
journey.ports.ConcurrentUpdate, and nothing was written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, update
from sqlalchemy.exc import IntegrityError

from journey.ports import ConcurrentUpdate
from storage.database import Database


async def save_revised(
    db: Database, table: Table, values: dict[str, Any], *, expected_revision: int, what: str
) -> None:
    """Insert (revision 0) or update the row of `values["departure_id"]` if it is still at
    `expected_revision`; else ConcurrentUpdate naming `what` (never its content)."""
    departure_id = values["departure_id"]
    stale = ConcurrentUpdate(f"the {what} of {departure_id} changed")
    try:
        async with db.sessions.begin() as session:
            if expected_revision == 0:
                await session.execute(insert(table).values(values))
                return
            result = await session.execute(
                update(table)
                .where(
                    table.c.departure_id == departure_id,
                    table.c.revision == expected_revision,
                )
                .values(values)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                raise stale
    except IntegrityError:  # two first saves at once: the second is stale
        raise stale from None
