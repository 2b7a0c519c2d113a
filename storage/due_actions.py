"""The due-action queue: idempotent scheduling through the domain's port, and reading.

What the delivery worker does with the rows (claims with a lease, compare-and-set state
changes) is in storage.delivery_queue; what happened to each is in storage.delivery_log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, insert, select, update

from journey.due import (
    DeliveryEvent,
    DueAction,
    DueActions,
    DueState,
    Outcome,
    ScheduleChange,
    ScheduledAction,
)
from storage import delivery_log
from storage.delivery_log import LOGGED
from storage.delivery_queue import DeliveryQueue, as_action
from storage.due_plans import (
    WITHDRAWABLE,
    Executor,
    PlanDiff,
    compare,
    stored_plan,
    upsert,
)
from storage.tables import delivery_log as log_table
from storage.tables import due_actions

_C = due_actions.c
# Actions written by one statement at most (SQLite allows 32,766 parameters; 14 per row).
_ROWS_AT_ONCE = 500


class DueActionQueue(DeliveryQueue, DueActions):
    """journey.due.DueActions on SQLAlchemy (SQLite or PostgreSQL), with the worker's side.

    Times come from `clock` and are stored in UTC.
    """

    # --- the domain's side -------------------------------------------------------------

    async def schedule(self, action: ScheduledAction) -> bool:
        """Store `action` under its key; True if it is now pending with these values.

        A key seen before: a pending action takes the new time and payload; a cancelled one is
        revived; one already claimed, being sent, sent or failed is left alone (False).
        Within a turn's unit of work on the turn's connection (storage/unit_of_work.py).
        """
        return await self.schedule_many([action]) == 1

    async def schedule_many(self, actions: Sequence[ScheduledAction]) -> int:
        """schedule() for each action, in one transaction and one statement per _ROWS_AT_ONCE
        actions (a key given twice: the last one); how many are now pending."""
        now = self._clock.now()
        distinct = list({action.key: action for action in actions}.values())
        pending = 0
        async with self._db.transaction() as connection:
            for start in range(0, len(distinct), _ROWS_AT_ONCE):
                chunk = distinct[start : start + _ROWS_AT_ONCE]
                pending += (await connection.execute(upsert(self._db, chunk, now))).rowcount
        return pending

    async def cancel(self, departure_id: str, kinds: Iterable[str] | None = None) -> int:
        """Cancel the departure's actions not yet sent (of `kinds`, default all); how many."""
        async with self._db.transaction() as connection:
            return await self._cancel(connection, departure_id, kinds, keep=())

    async def _cancel(
        self,
        session: Executor,
        departure_id: str,
        kinds: Iterable[str] | None,
        keep: Iterable[str],
    ) -> int:
        now = self._clock.now()
        # Claimed rows too: the worker's mark_sending then finds them cancelled and skips them.
        conditions = [
            _C.departure_id == departure_id,
            _C.state.in_(WITHDRAWABLE),
        ]
        if kinds is not None:
            conditions.append(_C.kind.in_(list(kinds)))
        kept = list(keep)
        if kept:
            conditions.append(_C.idempotency_key.not_in(kept))
        rows = (
            await session.execute(
                update(due_actions)
                .where(*conditions)
                .values(
                    state=DueState.CANCELLED.value,
                    lease_owner=None,
                    lease_until=None,
                    updated_at=now,
                )
                .returning(*LOGGED)
            )
        ).all()
        if rows:  # one statement for all the lines (executemany)
            await session.execute(
                insert(log_table),
                [
                    {
                        "due_action_id": row.id,
                        "departure_id": row.departure_id,
                        "at": now,
                        "outcome": Outcome.CANCELLED.value,
                        "attempt": row.attempts,
                    }
                    for row in rows
                ],
            )
        return len(rows)

    async def reschedule(
        self,
        departure_id: str,
        actions: Sequence[ScheduledAction],
        kinds: Iterable[str] | None = None,
    ) -> ScheduleChange:
        """Make `actions` the departure's plan, writing only what changed (storage.due_plans).

        New and moved actions are pending with their values, other unsent ones of `kinds` are
        cancelled; sent actions stay as they are, and one in `actions` that was already sent (or
        is being sent) is not sent again. `kinds` None means every kind of this departure. The
        plan is read outside the write lock; a plan found unchanged takes no lock at all. The
        writes need no lock taken before them (each is conditional on the row's state, and the
        first one takes SQLite's write lock); within a turn's unit of work, on its connection.
        """
        kept = None if kinds is None else frozenset(kinds)
        async with self._db.reading() as connection:
            diff = await self._compare(connection, departure_id, actions, kept)
        if diff.writes_nothing:
            return ScheduleChange(scheduled=diff.unchanged, cancelled=0)
        async with self._db.transaction() as connection:
            return await self._apply(connection, departure_id, actions, kept, diff)

    async def replan_in(
        self,
        session: Executor,
        departure_id: str,
        actions: Sequence[ScheduledAction],
        kinds: Iterable[str] | None = None,
    ) -> ScheduleChange:
        """reschedule() in the caller's write transaction (a session or a connection: a click
        saved in one): one SELECT, then at most one upsert, one UPDATE and one insert into the
        delivery log, none if the plan is unchanged."""
        kept = None if kinds is None else frozenset(kinds)
        diff = await self._compare(session, departure_id, actions, kept)
        return await self._apply(session, departure_id, actions, kept, diff)

    async def _compare(
        self,
        session: Executor,
        departure_id: str,
        actions: Sequence[ScheduledAction],
        kinds: frozenset[str] | None,
    ) -> PlanDiff:
        strangers = [a.key for a in actions if a.departure_id != departure_id]
        if strangers:
            raise ValueError(f"actions for another departure: {strangers}")
        stored = await stored_plan(session, departure_id)
        return compare(actions, stored, kinds, self._clock.now())

    async def _apply(
        self,
        session: Executor,
        departure_id: str,
        actions: Sequence[ScheduledAction],
        kinds: frozenset[str] | None,
        diff: PlanDiff,
    ) -> ScheduleChange:
        now = self._clock.now()
        scheduled = diff.unchanged
        if diff.write:
            scheduled += (await session.execute(upsert(self._db, diff.write, now))).rowcount
        cancelled = 0
        if diff.withdraw:
            cancelled = await self._cancel(
                session, departure_id, kinds, keep=[a.key for a in actions]
            )
        return ScheduleChange(scheduled=scheduled, cancelled=cancelled)

    async def requeue(self, action_id: int) -> bool:
        """Put a failed action back in the queue (HR decided to send it again); True if done."""
        now = self._clock.now()
        async with self._db.sessions.begin() as session:
            result = await session.execute(
                update(due_actions)
                .where(_C.id == action_id, _C.state == DueState.FAILED.value)
                .values(
                    state=DueState.PENDING.value,
                    attempts=0,
                    not_before=None,
                    last_error=None,
                    updated_at=now,
                )
            )
        return result.rowcount == 1

    # --- reading -----------------------------------------------------------------------

    async def get(self, action_id: int) -> DueAction | None:
        """The action with that id, if any."""
        async with self._db.sessions() as session:
            row = (
                await session.execute(select(due_actions).where(_C.id == action_id))
            ).one_or_none()
        return None if row is None else as_action(row)

    async def get_by_key(self, key: str) -> DueAction | None:
        """The action scheduled under `key`, if any."""
        async with self._db.sessions() as session:
            row = (
                await session.execute(select(due_actions).where(_C.idempotency_key == key))
            ).one_or_none()
        return None if row is None else as_action(row)

    async def for_departure(self, departure_id: str) -> list[DueAction]:
        """Every action of the departure, in due order."""
        async with self._db.sessions() as session:
            rows = (
                await session.execute(
                    select(due_actions)
                    .where(_C.departure_id == departure_id)
                    .order_by(_C.due_at, _C.id)
                )
            ).all()
        return [as_action(row) for row in rows]

    async def timeline(self, departure_id: str) -> list[DeliveryEvent]:
        """Every delivery attempt and decision about the departure's actions, oldest first."""
        return await delivery_log.timeline(self._db, departure_id)

    async def counts(self) -> dict[DueState, int]:
        """How many actions are in each state."""
        async with self._db.sessions() as session:
            rows = (await session.execute(select(_C.state, func.count()).group_by(_C.state))).all()
        return {DueState(state): count for state, count in rows}
