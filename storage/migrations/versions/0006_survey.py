"""The optional survey: each leaver's progress and their answers.

Revision ID: 0006
Revises: 0005
Created: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.types, so this revision never changes
# when the code's types do. UtcDateTime is DateTime(timezone=True) underneath.
UTC_DATETIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "survey_progress",
        sa.Column("departure_id", sa.String(length=64), nullable=False),
        sa.Column("question_set", sa.String(length=64), nullable=False),
        sa.Column("attribution", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("departure_id", name="pk_survey_progress"),
    )
    op.create_table(
        "survey_answers",
        sa.Column("departure_id", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("section_id", sa.String(length=64), nullable=False),
        sa.Column("value", JSON_DOCUMENT, nullable=False),
        sa.Column("attribution", sa.String(length=32), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("departure_id", "question_id", name="pk_survey_answers"),
    )


def downgrade() -> None:
    op.drop_table("survey_answers")
    op.drop_table("survey_progress")
