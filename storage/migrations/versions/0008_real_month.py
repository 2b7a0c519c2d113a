"""A real organisation's month (issue 11): departure type, regret, in-person and outside
conversations, closing; the language a person chose; alumni contacts.

Revision ID: 0008
Revises: 0007
Created: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.types (see 0003).
UTC_DATETIME = sa.DateTime(timezone=True)


# Nullable or with a server default: departures stored before are resignations, still open.
def _columns() -> list[sa.Column]:
    return [
        sa.Column(
            "departure_type", sa.String(length=32), nullable=False, server_default="resignation"
        ),
        sa.Column("regrettable", sa.Boolean(), nullable=True),
        sa.Column("meeting_mode", sa.String(length=16), nullable=True),
        sa.Column("meeting_place", sa.String(length=200), nullable=True),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("departures") as batch:
        for column in _columns():
            batch.add_column(column)
    # Notes are their author's: another interviewer later does not see them.
    with op.batch_alter_table("conversation_notes") as batch:
        batch.add_column(
            sa.Column("author_upn", sa.String(length=320), nullable=False, server_default="")
        )
    # A reminder that lost its moment is skipped, not sent late.
    with op.batch_alter_table("due_actions") as batch:
        batch.add_column(sa.Column("expires_at", UTC_DATETIME, nullable=True))
    op.create_table(
        "language_choices",
        sa.Column("upn", sa.String(length=320), nullable=False),
        sa.Column("locale", sa.String(length=35), nullable=False),
        sa.Column("chosen_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("upn", name="pk_language_choices"),
    )
    op.create_table(
        "alumni_contacts",
        sa.Column("departure_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("private_email", sa.String(length=320), nullable=False),
        sa.Column("consented_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("departure_id", name="pk_alumni_contacts"),
    )


def downgrade() -> None:
    with op.batch_alter_table("conversation_notes") as batch:
        batch.drop_column("author_upn")
    with op.batch_alter_table("due_actions") as batch:
        batch.drop_column("expires_at")
    op.drop_table("alumni_contacts")
    op.drop_table("language_choices")
    with op.batch_alter_table("departures") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
