"""Nobody speaks for someone else (issue 12): one active departure per leaver, enforced by the
database.

Revision ID: 0009
Revises: 0008
Created: 2026-12-02

A partial unique index allows one departure per leaver that is neither closed nor cancelled
(an anonymised row has no leaver: `leaver_upn = ''`, and is left out). Concurrent registrations
could store several before; the upgrade keeps the one furthest along in the journey (the
earliest registered among equals) and cancels the others, with their unsent reminders and
pending journey events, and writes an audit row for each (`departure.cancelled`, door
`migration`, reason `duplicate`, the id kept). It never fails on such data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from storage.tables (see 0003).
UTC_DATETIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ONE_ACTIVE_INDEX = "uq_departures_one_active_per_leaver"
USER_ID_INDEX = "ix_conversation_refs_user_id"
ACTIVE = "status NOT IN ('closed', 'cancelled') AND leaver_upn <> ''"

# Further along in the journey first: the departure kept among duplicates.
_PROGRESS = ("held", "booked", "accepted", "declined", "offered", "registered")

_departures = sa.table(
    "departures",
    sa.column("id", sa.String),
    sa.column("leaver_upn", sa.String),
    sa.column("status", sa.String),
    sa.column("version", sa.Integer),
    sa.column("created_at", UTC_DATETIME),
    sa.column("updated_at", UTC_DATETIME),
)
_due_actions = sa.table(
    "due_actions",
    sa.column("departure_id", sa.String),
    sa.column("state", sa.String),
    sa.column("updated_at", UTC_DATETIME),
)
_journey_events = sa.table(
    "journey_events",
    sa.column("departure_id", sa.String),
    sa.column("done_at", UTC_DATETIME),
)
_audit_log = sa.table(
    "audit_log",
    sa.column("at", UTC_DATETIME),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("departure_id", sa.String),
    sa.column("detail", JSON_DOCUMENT),
)


def _rank(row: Any) -> tuple[int, Any, str]:
    status = row.status if row.status in _PROGRESS else "registered"
    created = row.created_at
    if created is not None and created.tzinfo is not None:
        created = created.astimezone(UTC).replace(tzinfo=None)
    return (_PROGRESS.index(status), created or datetime.min, row.id)


def _duplicates(connection: sa.Connection) -> dict[str, list[str]]:
    """The ids to cancel, by the id kept, for every leaver with more than one active row."""
    c = _departures.c
    rows = connection.execute(
        sa.select(c.id, c.leaver_upn, c.status, c.created_at).where(sa.text(ACTIVE))
    ).all()
    by_leaver: dict[str, list[Any]] = {}
    for row in rows:
        by_leaver.setdefault(row.leaver_upn, []).append(row)
    cancelled: dict[str, list[str]] = {}
    for group in by_leaver.values():
        if len(group) > 1:
            kept, *others = sorted(group, key=_rank)
            cancelled[kept.id] = [other.id for other in others]
    return cancelled


def _cancel_duplicates(connection: sa.Connection) -> None:
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # how storage.types.UtcDateTime stores UTC there
    for kept, others in _duplicates(connection).items():
        d = _departures.c
        connection.execute(
            sa.update(_departures)
            .where(d.id.in_(others))
            .values(status="cancelled", version=d.version + 1, updated_at=now)
        )
        a = _due_actions.c
        connection.execute(
            sa.update(_due_actions)
            .where(a.departure_id.in_(others), a.state.in_(("pending", "claimed")))
            .values(state="cancelled", updated_at=now)
        )
        e = _journey_events.c
        connection.execute(
            sa.update(_journey_events)
            .where(e.departure_id.in_(others), e.done_at.is_(None))
            .values(done_at=now)
        )
        detail = {"door": "migration", "reason": "duplicate", "kept": kept}
        connection.execute(
            sa.insert(_audit_log),
            [
                {
                    "at": now,
                    "actor": "exitbot",
                    "action": "departure.cancelled",
                    "departure_id": other,
                    "detail": detail,
                }
                for other in others
            ],
        )


def upgrade() -> None:
    _cancel_duplicates(op.get_bind())
    op.create_index(
        ONE_ACTIVE_INDEX,
        "departures",
        ["leaver_upn"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )
    # Every turn also looks its sender up by Teams user id (storage/turns.py): nobody speaks
    # for someone else.
    op.create_index(USER_ID_INDEX, "conversation_refs", ["user_id"])
    # A turn that failed on the database is not "seen": Teams' retry runs it (NULL: handled).
    with op.batch_alter_table("seen_activities") as batch:
        batch.add_column(sa.Column("pending_until", UTC_DATETIME, nullable=True))


def downgrade() -> None:
    op.drop_index(USER_ID_INDEX, table_name="conversation_refs")
    with op.batch_alter_table("seen_activities") as batch:
        batch.drop_column("pending_until")
    # The duplicates cancelled on the way up stay cancelled.
    op.drop_index(ONE_ACTIVE_INDEX, table_name="departures")
