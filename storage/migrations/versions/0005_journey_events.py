"""Journey events from doors outside the service (the CSV import), for the service to act on.

Revision ID: 0005
Revises: 0004
Created: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.types, so this revision never changes
# when the code's types do. UtcDateTime is DateTime(timezone=True) underneath.
UTC_DATETIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER


def upgrade() -> None:
    op.create_table(
        "journey_events",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("departure_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("before", JSON_DOCUMENT, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("done_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_journey_events"),
    )
    op.create_index(
        "ix_journey_events_done_at_id", "journey_events", ["done_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_journey_events_done_at_id", table_name="journey_events")
    op.drop_table("journey_events")
