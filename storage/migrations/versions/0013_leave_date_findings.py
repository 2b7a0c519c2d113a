"""Departures from Entra ID (issue 16): the leave-date check's findings and its state.

Revision ID: 0013
Revises: 0012
Created: 2026-12-03

Two new tables, no data changes: `leave_date_findings` (what the check made of each Entra
user's leave date, one row per object id) and `leave_date_check` (the check's one state row:
delta link, lease, last report). See storage/tables.py for what each column means.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.types (see 0003).
UTC_DATETIME = sa.DateTime(timezone=True)
UPN = sa.String(length=320)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "leave_date_findings",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("upn", UPN, nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("leave_date", sa.Date(), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=True),
        sa.Column("unit_value", sa.String(length=400), nullable=False),
        sa.Column("preferred_language", sa.String(length=35), nullable=True),
        sa.Column("attributes", JSON, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.String(length=100), nullable=True),
        sa.Column("departure_id", sa.String(length=64), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("seen_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_leave_date_findings"),
    )
    op.create_index("ix_leave_date_findings_state", "leave_date_findings", ["state"])
    op.create_table(
        "leave_date_check",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("delta_link", sa.Text(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("lease_holder", sa.String(length=200), nullable=True),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("checked_at", UTC_DATETIME, nullable=True),
        sa.Column("report", JSON, nullable=True),
        sa.Column("failure", sa.String(length=16), nullable=True),
        sa.Column("failed_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_leave_date_check"),
    )


def downgrade() -> None:
    op.drop_table("leave_date_check")
    op.drop_index("ix_leave_date_findings_state", table_name="leave_date_findings")
    op.drop_table("leave_date_findings")
