"""The due-action queue: idempotent scheduling through the domain's port, and reading.

What the delivery worker does with the rows (claims with a lease, compare-and-set state
changes) is in storage.delivery_queue; what happened to each is in storage.delivery_log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select, update

from journey.due import (
    DeliveryEvent,
    DueAction,
    DueActions,
    DueState,
    ScheduleChange,
    ScheduledAction,
)
from storage import delivery_log
from storage.delivery_queue import DeliveryQueue, as_action
from storage.due_plans import PlanDiff, TurnPlan, compare, store, upsert, withdraw
from storage.stored_plans import REMEMBERED, Executor, stored_plan
from storage.tables import due_actions
from storage.unit_of_work import current_unit

_C = due_actions.c
# The name of a turn's gathered plan in its unit of work.
_TURN_PLAN = "due plan"


class DueActionQueue(DeliveryQueue, DueActions):
    """journey.due.DueActions on SQLAlchemy (SQLite or PostgreSQL), with the worker's side.

    Times come from `clock` and are stored in UTC. Within a turn's unit of work `send` and
    `replan` gather what the turn plans, written at its end (storage.due_plans.TurnPlan); every
    other statement of the queue first writes what is gathered, so it comes after it and sees it.
    """

    # --- the turn's side -----------------------------------------------------------------

    async def send(self, actions: Sequence[ScheduledAction]) -> None:
        """schedule_many(), written at the end of the turn if there is one, else now."""
        plan = self._turn_plan()
        if plan is None:
            await self.schedule_many(actions)
        elif actions:
            plan.send(actions)

    async def replan(
        self,
        departure_id: str,
        actions: Sequence[ScheduledAction],
        kinds: Iterable[str] | None = None,
    ) -> None:
        """reschedule(), written at the end of the turn if there is one, else now."""
        plan = self._turn_plan()
        if plan is None:
            await self.reschedule(departure_id, actions, kinds)
        else:
            plan.replan(departure_id, actions, None if kinds is None else frozenset(kinds))

    def _turn_plan(self) -> TurnPlan | None:
        unit = current_unit(self._db)
        if unit is None:
            return None
        return unit.gathered(_TURN_PLAN, lambda: TurnPlan(self._db, self._clock, unit.remembered))

    async def _write_gathered(self, *, writes: bool = False) -> None:
        """What the turn gathered, written before a statement that must come after it; one
        that `writes` the due actions also makes the plans the turn read with its departures
        old (storage.due_plans), so they are forgotten."""
        unit = current_unit(self._db)
        if unit is not None:
            await unit.write_gathered(_TURN_PLAN)
        if writes:
            self._forget_plans_read()

    def _forget_plans_read(self) -> None:
        """The plans read with departures in the turn are old after a write of its own."""
        unit = current_unit(self._db)
        if unit is not None:
            unit.forget(REMEMBERED)

    # --- the domain's side -------------------------------------------------------------

    async def schedule(self, action: ScheduledAction) -> bool:
        """Store `action` under its key; True if it is now pending with these values.

        A key seen before: a pending action takes the new time and payload; a cancelled one is
        revived; one already claimed, being sent, sent or failed is left alone (False).
        Within a turn's unit of work on the turn's connection (storage/unit_of_work.py).
        """
        return await self.schedule_many([action]) == 1

    async def schedule_many(self, actions: Sequence[ScheduledAction]) -> int:
        """schedule() for each action, in one transaction and one statement per 500 actions
        (a key given twice: the last one); how many are now pending."""
        await self._write_gathered(writes=True)
        async with self._db.transaction() as connection:
            return await store(self._db, connection, actions, self._clock.now())

    async def cancel(self, departure_id: str, kinds: Iterable[str] | None = None) -> int:
        """Cancel the departure's actions not yet sent (of `kinds`, default all); how many."""
        await self._write_gathered(writes=True)
        async with self._db.transaction() as connection:
            return await withdraw(connection, departure_id, kinds, (), self._clock.now())

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
        await self._write_gathered(writes=True)
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
        self._forget_plans_read()
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
            keep = [a.key for a in actions]
            cancelled = await withdraw(session, departure_id, kinds, keep, now)
        return ScheduleChange(scheduled=scheduled, cancelled=cancelled)

    async def requeue(self, action_id: int) -> bool:
        """Put a failed action back in the queue (HR decided to send it again); True if done."""
        await self._write_gathered(writes=True)
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
        await self._write_gathered()
        async with self._db.sessions() as session:
            row = (
                await session.execute(select(due_actions).where(_C.id == action_id))
            ).one_or_none()
        return None if row is None else as_action(row)

    async def get_by_key(self, key: str) -> DueAction | None:
        """The action scheduled under `key`, if any."""
        await self._write_gathered()
        async with self._db.sessions() as session:
            row = (
                await session.execute(select(due_actions).where(_C.idempotency_key == key))
            ).one_or_none()
        return None if row is None else as_action(row)

    async def for_departure(self, departure_id: str) -> list[DueAction]:
        """Every action of the departure, in due order."""
        await self._write_gathered()
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
        await self._write_gathered()
        return await delivery_log.timeline(self._db, departure_id)

    async def counts(self) -> dict[DueState, int]:
        """How many actions are in each state."""
        await self._write_gathered()
        async with self._db.sessions() as session:
            rows = (await session.execute(select(_C.state, func.count()).group_by(_C.state))).all()
        return {DueState(state): count for state, count in rows}
