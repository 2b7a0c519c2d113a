"""Where a departure came from (issue 16): HR's Teams form, the API, the CSV import or Entra ID.

Revision ID: 0012
Revises: 0011
Created: 2026-12-03

One new column, `departures.registered_via` (storage.tables), which HR's status list, the
departure's card, the API and the leaver's own data export show. Departures stored before it
take the door their `departure.registered` audit row names (its detail holds `door`: teams,
api, csv or entra); a departure without one (anonymised, or registered by a seed) is `teams`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported from journey.departure.Door (see 0003).
DOORS = ("teams", "api", "csv", "entra")
DEFAULT_DOOR = "teams"
REGISTERED = "departure.registered"
# Ids per UPDATE: well under SQLite's and asyncpg's limits on bound parameters.
BATCH = 500

UTC_DATETIME = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

_departures = sa.table(
    "departures",
    sa.column("id", sa.String),
    sa.column("registered_via", sa.String),
)
_audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("at", UTC_DATETIME),
    sa.column("action", sa.String),
    sa.column("departure_id", sa.String),
    sa.column("detail", JSON_DOCUMENT),
)


def _doors(connection: sa.Connection) -> dict[str, list[str]]:
    """The departure ids by the door of their first `departure.registered` entry, other than
    the default (a departure registered once keeps that door when registered again)."""
    a = _audit_log.c
    rows = connection.execute(
        sa.select(a.departure_id, a.detail)
        .where(a.action == REGISTERED, a.departure_id.is_not(None))
        .order_by(a.at, a.id)
    )
    first: dict[str, str] = {}
    for departure_id, detail in rows:
        door = detail.get("door") if isinstance(detail, dict) else None
        first.setdefault(departure_id, door if door in DOORS else DEFAULT_DOOR)
    by_door: dict[str, list[str]] = {}
    for departure_id, door in first.items():
        if door != DEFAULT_DOOR:
            by_door.setdefault(door, []).append(departure_id)
    return by_door


def upgrade() -> None:
    op.add_column(
        "departures",
        sa.Column(
            "registered_via", sa.String(length=16), nullable=False, server_default=DEFAULT_DOOR
        ),
    )
    connection = op.get_bind()
    d = _departures.c
    for door, ids in _doors(connection).items():
        for start in range(0, len(ids), BATCH):
            connection.execute(
                sa.update(_departures)
                .where(d.id.in_(ids[start : start + BATCH]))
                .values(registered_via=door)
            )


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place; batch mode would copy the table and its
    # partial indexes (0009, 0010) for nothing.
    op.execute("ALTER TABLE departures DROP COLUMN registered_via")
