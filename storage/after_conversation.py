"""The interviewer's notes and the leaver's thank-you wishes in the database."""

from __future__ import annotations

from sqlalchemy import select

from journey.after_conversation import ConversationNotes, Gesture, Wishes
from storage.database import Database
from storage.dialect import insert_for
from storage.revised import save_revised
from storage.tables import conversation_notes, thank_you_wishes


class SqlNotesStore:
    """journey.after_conversation.NotesStore on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def notes(self, departure_id: str) -> ConversationNotes | None:
        """The notes of one conversation, None before any were written."""
        statement = select(conversation_notes).where(
            conversation_notes.c.departure_id == departure_id
        )
        async with self._db.sessions() as session:
            row = (await session.execute(statement)).first()
        return ConversationNotes.model_validate(dict(row._mapping)) if row is not None else None

    async def save_notes(
        self, notes: ConversationNotes, *, expected_revision: int
    ) -> ConversationNotes:
        """Store the notes if nobody saved since `expected_revision`; else ConcurrentUpdate."""
        values = notes.model_dump(mode="python")
        await save_revised(
            self._db, conversation_notes, values, expected_revision=expected_revision, what="notes"
        )
        return notes

    async def wishes(self, departure_id: str) -> Wishes | None:
        """What the leaver asked for, None before they answered."""
        statement = select(thank_you_wishes).where(thank_you_wishes.c.departure_id == departure_id)
        async with self._db.sessions() as session:
            row = (await session.execute(statement)).first()
        if row is None:
            return None
        return Wishes(
            departure_id=row.departure_id,
            chosen=tuple(Gesture(value) for value in row.chosen),
            answered_at=row.answered_at,
        )

    async def save_wishes(self, wishes: Wishes) -> None:
        """Insert or replace the leaver's latest answer."""
        values = {
            "departure_id": wishes.departure_id,
            "chosen": [gesture.value for gesture in wishes.chosen],
            "answered_at": wishes.answered_at,
        }
        statement = insert_for(self._db, thank_you_wishes).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[thank_you_wishes.c.departure_id],
            set_={
                "chosen": statement.excluded.chosen,
                "answered_at": statement.excluded.answered_at,
            },
        )
        async with self._db.sessions.begin() as session:
            await session.execute(statement)
