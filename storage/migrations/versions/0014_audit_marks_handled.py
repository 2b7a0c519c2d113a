"""A card click in one transaction (issue 13): the audit row marks its activity handled.

Revision ID: 0014
Revises: 0013
Created: 2026-12-03

`audit_log.activity_id` (nullable, indexed): the activity key (conversation id | activity id)
of the turn that wrote the row, when that turn was handled. A committed row carrying it is
the turn's handled mark, so the turn writes no UPDATE of `seen_activities` (storage/turns.py).
Existing rows keep NULL: their turns were marked in `seen_activities` as before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_audit_log_activity_id"


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("activity_id", sa.String(length=512), nullable=True))
    op.create_index(INDEX, "audit_log", ["activity_id"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("activity_id")
