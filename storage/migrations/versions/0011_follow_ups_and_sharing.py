"""From what is said to what is done (issue 14): follow-ups and the summaries leavers share.

Revision ID: 0011
Revises: 0010
Created: 2026-12-03

Two new tables, no data changes: `follow_ups` (each agreed action with its owner, due date,
area and outcome) and `shared_summaries` (what a leaver chose to share with their manager and
with whoever hires their successor). See storage/tables.py for what each column means.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.types (see 0003).
UTC_DATETIME = sa.DateTime(timezone=True)
UPN = sa.String(length=320)


def _follow_ups() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("departure_id", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=100), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("owner_upn", UPN, nullable=False),
        sa.Column("owner_kind", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_by", UPN, nullable=False),
        sa.Column("done_by", UPN, nullable=True),
        sa.Column("done_at", UTC_DATETIME, nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_follow_ups"),
    )
    op.create_index("ix_follow_ups_departure_id", "follow_ups", ["departure_id"])
    op.create_index("ix_follow_ups_unit_state_due_on", "follow_ups", ["unit", "state", "due_on"])
    op.create_index("ix_follow_ups_owner_upn_state", "follow_ups", ["owner_upn", "state"])


def _shared_summaries() -> None:
    false = sa.text("false")
    op.create_table(
        "shared_summaries",
        sa.Column("departure_id", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("with_manager", sa.Boolean(), nullable=False, server_default=false),
        sa.Column("with_hiring_manager", sa.Boolean(), nullable=False, server_default=false),
        sa.Column("hiring_manager_upn", UPN, nullable=True),
        sa.Column("summary", sa.Text(), nullable=False, server_default=""),
        sa.Column("advice", sa.Text(), nullable=False, server_default=""),
        sa.Column("answers_included", sa.Boolean(), nullable=False, server_default=false),
        sa.Column("chosen_at", UTC_DATETIME, nullable=True),
        sa.Column("withdrawn_at", UTC_DATETIME, nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("departure_id", name="pk_shared_summaries"),
    )
    op.create_index("ix_shared_summaries_unit", "shared_summaries", ["unit"])


def upgrade() -> None:
    _follow_ups()
    _shared_summaries()


def downgrade() -> None:
    op.drop_index("ix_shared_summaries_unit", table_name="shared_summaries")
    op.drop_table("shared_summaries")
    for name in (
        "ix_follow_ups_owner_upn_state",
        "ix_follow_ups_unit_state_due_on",
        "ix_follow_ups_departure_id",
    ):
        op.drop_index(name, table_name="follow_ups")
    op.drop_table("follow_ups")
