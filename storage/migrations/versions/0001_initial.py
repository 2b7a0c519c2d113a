"""The initial schema: departures, conversation references, audit log, seen activities, state.

Revision ID: 0001
Revises:
Created: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.types, so this revision never changes
# when the code's types do. UtcDateTime is DateTime(timezone=True) underneath.
UTC_DATETIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UPN = sa.String(length=320)


def upgrade() -> None:
    op.create_table(
        "departures",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("leaver_upn", UPN, nullable=False),
        sa.Column("leaver_name", sa.String(length=400), nullable=False),
        sa.Column("manager_upn", UPN, nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("last_working_day", sa.Date(), nullable=False),
        sa.Column("locale", sa.String(length=35), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("interviewer_upn", UPN, nullable=True),
        sa.Column("interviewer_pool", JSON_DOCUMENT, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_departures"),
        sa.UniqueConstraint("external_id", name="uq_departures_external_id"),
    )
    op.create_index("ix_departures_leaver_upn", "departures", ["leaver_upn"])
    op.create_index("ix_departures_manager_upn", "departures", ["manager_upn"])
    op.create_index("ix_departures_interviewer_upn", "departures", ["interviewer_upn"])
    op.create_index("ix_departures_status", "departures", ["status"])

    op.create_table(
        "conversation_refs",
        sa.Column("user_key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("upn", UPN, nullable=True),
        sa.Column("name", sa.String(length=400), nullable=True),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("service_url", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("bot_id", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=35), nullable=True),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("welcomed_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("user_key", name="pk_conversation_refs"),
    )
    # find_by_upn compares lower(upn); both databases can index the expression.
    op.create_index("ix_conversation_refs_lower_upn", "conversation_refs", [sa.text("lower(upn)")])

    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("departure_id", sa.String(length=64), nullable=True),
        sa.Column("detail", JSON_DOCUMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_departure_id_at", "audit_log", ["departure_id", "at"])

    op.create_table(
        "seen_activities",
        sa.Column("activity_id", sa.String(length=512), nullable=False),
        sa.Column("seen_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("activity_id", name="pk_seen_activities"),
    )
    op.create_index("ix_seen_activities_seen_at", "seen_activities", ["seen_at"])

    op.create_table(
        "bot_state",
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("etag", sa.String(length=64), nullable=False),
        sa.Column("document", JSON_DOCUMENT, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_bot_state"),
    )


def downgrade() -> None:
    op.drop_table("bot_state")
    op.drop_index("ix_seen_activities_seen_at", table_name="seen_activities")
    op.drop_table("seen_activities")
    op.drop_index("ix_audit_log_departure_id_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_conversation_refs_lower_upn", table_name="conversation_refs")
    op.drop_table("conversation_refs")
    op.drop_index("ix_departures_status", table_name="departures")
    op.drop_index("ix_departures_interviewer_upn", table_name="departures")
    op.drop_index("ix_departures_manager_upn", table_name="departures")
    op.drop_index("ix_departures_leaver_upn", table_name="departures")
    op.drop_table("departures")
