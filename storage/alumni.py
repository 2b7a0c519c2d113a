"""Leavers' consents to alumni and re-hire contact, with their private e-mail (issue 11).

The one table that outlives a departure's retention (storage.anonymise leaves it alone): the
row exists only while the person consents, and withdrawing deletes it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from sqlalchemy import delete, select

from journey.farewell import AlumniContact
from storage.database import Database
from storage.dialect import insert_for
from storage.export_cells import export_row
from storage.tables import alumni_contacts

EXPORT_COLUMNS = ("name", "unit", "private_email", "consented_at")


class SqlAlumni:
    """journey.farewell.AlumniStore on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def contact(self, departure_id: str) -> AlumniContact | None:
        """The consent given on one departure, None without one."""
        statement = select(alumni_contacts).where(alumni_contacts.c.departure_id == departure_id)
        async with self._db.sessions() as session:
            row = (await session.execute(statement)).first()
        return AlumniContact.model_validate(dict(row._mapping)) if row is not None else None

    async def save(self, contact: AlumniContact) -> None:
        """Insert or replace the consent (a changed e-mail replaces the old one)."""
        values = contact.model_dump(mode="python")
        statement = insert_for(self._db, alumni_contacts).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[alumni_contacts.c.departure_id],
            set_={
                name: statement.excluded[name]
                for name in ("name", "unit", "private_email", "consented_at")
            },
        )
        async with self._db.sessions.begin() as session:
            await session.execute(statement)

    async def delete(self, departure_id: str) -> bool:
        """Withdraw: delete the consent; whether there was one."""
        statement = delete(alumni_contacts).where(alumni_contacts.c.departure_id == departure_id)
        async with self._db.sessions.begin() as session:
            result = await session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete_email(self, email: str) -> int:
        """Withdraw by address (the person asks HR after their departure is gone)."""
        statement = delete(alumni_contacts).where(
            alumni_contacts.c.private_email == email.strip().lower()
        )
        async with self._db.sessions.begin() as session:
            result = await session.execute(statement)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def listed(self, unit: str | None = None) -> list[AlumniContact]:
        """Every consent (or one unit's), by unit, then name."""
        statement = select(alumni_contacts).order_by(
            alumni_contacts.c.unit, alumni_contacts.c.name, alumni_contacts.c.departure_id
        )
        if unit:
            statement = statement.where(alumni_contacts.c.unit == unit)
        async with self._db.sessions() as session:
            rows = (await session.execute(statement)).all()
        return [AlumniContact.model_validate(dict(row._mapping)) for row in rows]


def alumni_csv(contacts: Sequence[AlumniContact]) -> str:
    """The alumni list as CSV (UTF-8 text, a header row); formulas are defused for Excel."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(export_row(EXPORT_COLUMNS))
    for contact in contacts:
        writer.writerow(
            export_row(
                [
                    contact.name,
                    contact.unit,
                    contact.private_email,
                    contact.consented_at.date().isoformat(),
                ]
            )
        )
    return out.getvalue()
