"""Due actions, their delivery log and the shared send budget (reminders that arrive once).

Revision ID: 0002
Revises: 0001
Created: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.types, so this revision never changes
# when the code's types do. UtcDateTime is DateTime(timezone=True) underneath.
UTC_DATETIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER


def upgrade() -> None:
    op.create_table(
        "due_actions",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(length=400), nullable=False),
        sa.Column("departure_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("recipient_key", sa.String(length=320), nullable=False),
        sa.Column("due_at", UTC_DATETIME, nullable=False),
        sa.Column("payload", JSON_DOCUMENT, nullable=False),
        sa.Column("resend_if_unknown", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("not_before", UTC_DATETIME, nullable=True),
        sa.Column("sent_activity_id", sa.String(length=512), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_due_actions"),
        sa.UniqueConstraint("idempotency_key", name="uq_due_actions_idempotency_key"),
    )
    op.create_index("ix_due_actions_departure_id", "due_actions", ["departure_id"])
    op.create_index("ix_due_actions_state_due_at", "due_actions", ["state", "due_at"])

    op.create_table(
        "delivery_log",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("due_action_id", ROW_ID, nullable=False),
        sa.Column("departure_id", sa.String(length=64), nullable=True),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.String(length=512), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("retry_at", UTC_DATETIME, nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_log"),
    )
    op.create_index("ix_delivery_log_departure_id_at", "delivery_log", ["departure_id", "at"])
    op.create_index("ix_delivery_log_due_action_id", "delivery_log", ["due_action_id"])

    op.create_table(
        "send_budget",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("free_at", sa.Double(), nullable=False),
        sa.Column("paused_until", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("scope", name="pk_send_budget"),
    )


def downgrade() -> None:
    op.drop_table("send_budget")
    op.drop_index("ix_delivery_log_due_action_id", table_name="delivery_log")
    op.drop_index("ix_delivery_log_departure_id_at", table_name="delivery_log")
    op.drop_table("delivery_log")
    op.drop_index("ix_due_actions_state_due_at", table_name="due_actions")
    op.drop_index("ix_due_actions_departure_id", table_name="due_actions")
    op.drop_table("due_actions")
