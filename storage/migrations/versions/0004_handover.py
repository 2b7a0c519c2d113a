"""Reminders: when the leaver accepted, and the handover checklist on the departure.

Revision ID: 0004
Revises: 0003
Created: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.types (see 0003).
UTC_DATETIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


# Nullable or with a server default: departures stored before read back as "nothing ticked".
def _columns() -> list[sa.Column]:
    return [
        sa.Column("accepted_at", UTC_DATETIME, nullable=True),
        sa.Column("handover_done", JSON_DOCUMENT, nullable=False, server_default=sa.text("'[]'")),
        sa.Column("handover_successor", sa.String(length=200), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("departures") as batch:
        for column in _columns():
            batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("departures") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
