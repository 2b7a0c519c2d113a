"""A departure's stored plan of due actions as storage.due_plans compares with it: read alone
(`stored_plans`, one SELECT) or with the departure in the departure's own statement
(`plan_column`, storage/departures.py), which a turn's unit of work then keeps (`remember`) for
its re-plan (storage.due_plans.TurnPlan). Measured on both databases, a correlated JSON array
beside the departure's columns costs less than a second statement and less than a LEFT JOIN
(which repeats the departure's columns, and decodes its JSON, once per action).
"""

from __future__ import annotations

import json
from collections.abc import Collection, MutableMapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Row, Text, cast, func, literal_column, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.tables import departures, due_actions

_C = due_actions.c
# Where plan statements run: a session of the queue's own, or a caller's connection.
Executor = AsyncSession | AsyncConnection
# Within a turn's unit of work, a departure's stored plan as read with it, by departure id.
REMEMBERED = "due plan as read"
# The name of the plan's column beside a departure's (plan_column).
_PLAN = "stored_plan"
# What `recall` finds for a departure whose plan was not read with it.
_UNREAD = object()
# What the comparison needs of a stored action.
_STORED = (
    _C.departure_id,
    _C.idempotency_key,
    _C.kind,
    _C.recipient_key,
    _C.due_at,
    _C.payload,
    _C.resend_if_unknown,
    _C.expires_at,
    _C.state,
)


class StoredAction(NamedTuple):
    """A stored action as `compare` needs it (the _STORED columns), read with its departure."""

    departure_id: str
    idempotency_key: str
    kind: str
    recipient_key: str
    due_at: datetime
    payload: Any
    resend_if_unknown: bool
    expires_at: datetime | None
    state: str


def plan_column(dialect: str) -> ColumnElement[Any]:
    """The departure's stored actions as one JSON array, for a SELECT of `departures` (a
    correlated subquery: one statement reads a departure and its plan)."""
    sqlite = dialect == "sqlite"
    fields: list[ColumnElement[Any]] = []
    for column in _STORED[1:]:
        # SQLite keeps a JSON document as text: json() embeds it as the document it is.
        value = func.json(column) if sqlite and column is _C.payload else column
        fields += [literal_column(f"'{column.name}'"), value]
    if sqlite:
        array = func.json_group_array(func.json_object(*fields))
    else:  # as text, which asyncpg leaves alone: decoded only if the turn re-plans
        array = cast(func.json_agg(func.json_build_object(*fields)), Text)
    correlated = select(array).where(_C.departure_id == departures.c.id).scalar_subquery()
    # Text: decoded only by a turn that re-plans (`recall`), not by every read.
    return type_coerce(correlated, Text).label(_PLAN)


def _plan_of(departure_id: str, found: Any) -> list[StoredAction]:
    """The stored actions in what `plan_column` read."""
    if isinstance(found, str):
        found = json.loads(found)
    return [
        StoredAction(
            departure_id=departure_id,
            idempotency_key=item["idempotency_key"],
            kind=item["kind"],
            recipient_key=item["recipient_key"],
            due_at=_utc(item["due_at"]),
            payload=item["payload"],
            resend_if_unknown=bool(item["resend_if_unknown"]),
            expires_at=None if item["expires_at"] is None else _utc(item["expires_at"]),
            state=item["state"],
        )
        for item in found or ()
    ]


def _utc(text: str) -> datetime:
    """A time as the JSON of either database spells it (SQLite: naive UTC), aware in UTC."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def remember(
    remembered: MutableMapping[tuple[str, str], Any], departure_id: str, values: dict[str, Any]
) -> None:
    """Keep the stored plan `plan_column` read with a departure (taken out of its `values`)
    for the turn's TurnPlan, as read."""
    remembered[REMEMBERED, departure_id] = values.pop(_PLAN)


def recall(
    remembered: MutableMapping[tuple[str, str], Any], departure_id: str
) -> list[StoredAction] | None:
    """The departure's stored plan as read with it in the turn, if it was, forgotten now: what
    the turn writes next makes it old."""
    found = remembered.pop((REMEMBERED, departure_id), _UNREAD)
    return None if found is _UNREAD else _plan_of(departure_id, found)


def forget(remembered: MutableMapping[tuple[str, str], Any], departure_id: str) -> None:
    """Forget a departure's plan as read (it may have changed since)."""
    remembered.pop((REMEMBERED, departure_id), None)


async def stored_plan(session: Executor, departure_id: str) -> list[Row[Any]]:
    """Every action of the departure, as `compare` needs them (one SELECT)."""
    return (await stored_plans(session, [departure_id])).get(departure_id, [])


async def stored_plans(
    session: Executor, departure_ids: Collection[str]
) -> dict[str, list[Row[Any]]]:
    """Every action of these departures, as `compare` needs them, by departure (one SELECT)."""
    statement = select(*_STORED).where(_C.departure_id.in_(list(departure_ids)))
    found: dict[str, list[Row[Any]]] = {}
    for row in (await session.execute(statement)).all():
        found.setdefault(row.departure_id, []).append(row)
    return found
