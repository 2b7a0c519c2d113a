"""The exit journey on the departure: reach of the offer, the answer, the booking, the cards.

Revision ID: 0003
Revises: 0002
Created: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.types, so this revision never changes
# when the code's types do. UtcDateTime is DateTime(timezone=True) underneath.
UTC_DATETIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


# Added columns are nullable or have a server default, so departures stored before this
# revision read back as "nothing happened yet" on both databases.
def _columns() -> list[sa.Column]:
    return [
        sa.Column("reach", sa.String(length=32), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("remind_offer_at", UTC_DATETIME, nullable=True),
        sa.Column("interviewer_kind", sa.String(length=32), nullable=True),
        sa.Column("interviewer_name", sa.String(length=400), nullable=False, server_default=""),
        sa.Column("proposed_slots", JSON_DOCUMENT, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("times_requested_at", UTC_DATETIME, nullable=True),
        sa.Column("meeting_start", UTC_DATETIME, nullable=True),
        sa.Column("meeting_end", UTC_DATETIME, nullable=True),
        sa.Column("meeting_event_id", sa.String(length=512), nullable=True),
        sa.Column("meeting_join_url", sa.Text(), nullable=True),
        sa.Column("cards", JSON_DOCUMENT, nullable=False, server_default=sa.text("'{}'")),
    ]


def upgrade() -> None:
    # batch mode: SQLite cannot add some columns in place; Alembic copies the table there.
    with op.batch_alter_table("departures") as batch:
        for column in _columns():
            batch.add_column(column)
    op.create_index("ix_departures_meeting_start", "departures", ["meeting_start"])


def downgrade() -> None:
    op.drop_index("ix_departures_meeting_start", table_name="departures")
    with op.batch_alter_table("departures") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
