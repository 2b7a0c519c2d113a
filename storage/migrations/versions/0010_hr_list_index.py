"""HR's `status` reads through an index in the order it shows (issue 13).

Revision ID: 0010
Revises: 0009
Created: 2026-12-03

A partial index on the active departures (neither closed nor cancelled, not anonymised: the
predicate of 0009's one-active index) by last working day, registration and id: the list's
filter and order (storage/hr_list.py), so a page reads as many rows as it shows instead of
sorting every departure. Schema only; no data changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.tables (see 0003).
HR_LIST_INDEX = "ix_departures_hr_list"
ACTIVE = "status NOT IN ('closed', 'cancelled') AND leaver_upn <> ''"


def upgrade() -> None:
    op.create_index(
        HR_LIST_INDEX,
        "departures",
        ["last_working_day", "created_at", "id"],
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )


def downgrade() -> None:
    op.drop_index(HR_LIST_INDEX, table_name="departures")
