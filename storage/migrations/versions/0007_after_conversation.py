"""After the conversation: the interviewer's notes and the leaver's thank-you wishes.

Revision ID: 0007
Revises: 0006
Created: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.types, so this revision never changes
# when the code's types do. UtcDateTime is DateTime(timezone=True) underneath.
UTC_DATETIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "conversation_notes",
        sa.Column("departure_id", sa.String(length=64), nullable=False),
        sa.Column("main_points", sa.Text(), nullable=False),
        sa.Column("agreed_actions", sa.Text(), nullable=False),
        sa.Column("data_use", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("departure_id", name="pk_conversation_notes"),
    )
    op.create_table(
        "thank_you_wishes",
        sa.Column("departure_id", sa.String(length=64), nullable=False),
        sa.Column("chosen", JSON_DOCUMENT, nullable=False),
        sa.Column("answered_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("departure_id", name="pk_thank_you_wishes"),
    )


def downgrade() -> None:
    op.drop_table("thank_you_wishes")
    op.drop_table("conversation_notes")
