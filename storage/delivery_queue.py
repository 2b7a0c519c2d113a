"""The due-action queue as the delivery worker sees it: leased claims and state changes.

A row moves pending -> claimed -> sending -> sent | failed (or back to pending for a retry).
`claimed` means a worker holds it and nothing has gone out: if its lease runs out, it is safe
to hand to another worker. `sending` is written before the HTTP request: if it is found with
its lease run out, the request may or may not have reached Teams, and the worker reconciles
it instead of blindly sending again (see outbox/worker.py).

Every state change checks the lease owner in the same statement (compare and set), so a worker
whose lease was taken over, or whose row was cancelled meanwhile, changes nothing. The delivery
worker claims under a name of its own for each claim (`claim_name`: its owner id and a claim
number), so even a claim it takes back from itself after its lease ran out is another owner:
the job of the earlier claim can neither mark the action sending nor sent.

Claims are fair across recipients (`per_recipient`): at most that many of one recipient's due
actions per claim, and none while another of theirs is held under a live lease, so one busy
chat, which Teams lets through only a few times a second, holds back itself and not the queue.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Update, and_, bindparam, case, func, or_, select, update

from journey.clock import Clock, SystemClock
from journey.due import DueAction, DueState, ErrorCode, Outcome
from storage.database import Database
from storage.delivery_log import action_for_log, write_line
from storage.leases import claim_rows
from storage.tables import due_actions

_C = due_actions.c
_HELD = (DueState.CLAIMED.value, DueState.SENDING.value)
_CLAIM_NUMBER = re.compile(r"~\d+$")


def claim_name(owner: str, number: int) -> str:
    """The lease owner of one claim of `owner`'s: every claim a name of its own."""
    return f"{owner}~{number}"


def worker_of(lease_owner: str) -> str:
    """The worker behind a lease owner (a claim name, or a plain owner id), for the log."""
    return _CLAIM_NUMBER.sub("", lease_owner)


def _held(states: Sequence[str], *returning: Any, **values: Any) -> Update:
    """An UPDATE of the action `action_id` if `owner` holds it in one of `states`."""
    return (
        update(due_actions)
        .where(
            _C.id == bindparam("action_id"),
            _C.lease_owner == bindparam("owner"),
            _C.state.in_(states),
        )
        .values(values)
        .returning(*returning)
    )


_RELEASED = {"lease_owner": None, "lease_until": None, "updated_at": bindparam("now")}
# The statements every send runs, built once (building one costs about as much as running it).
# A settling change returns the whole row: the settled action, for the log line and the
# on_settled hook, without reading it again.
_MARK_SENDING = _held(
    _HELD,
    _C.attempts,
    state=DueState.SENDING.value,
    attempts=_C.attempts + 1,
    lease_until=bindparam("lease_until"),
    updated_at=bindparam("now"),
)
_UNMARK_SENDING = _held(
    (DueState.SENDING.value,),
    _C.id,
    state=DueState.CLAIMED.value,
    attempts=_C.attempts - 1,
    updated_at=bindparam("now"),
)
_RELEASE = _held(
    (DueState.CLAIMED.value,),
    _C.id,
    state=DueState.PENDING.value,
    not_before=bindparam("not_before"),
    **_RELEASED,
)
_MARK_FAILED = _held(
    _HELD,
    *due_actions.c,
    state=bindparam("state"),
    not_before=bindparam("not_before"),
    last_error=bindparam("code"),
    **_RELEASED,
)
_MARK_SKIPPED = _held(
    (DueState.CLAIMED.value,),
    *due_actions.c,
    state=DueState.SKIPPED.value,
    last_error=bindparam("code"),
    **_RELEASED,
)
_MARK_UNKNOWN = _held(
    (DueState.SENDING.value,),
    *due_actions.c,
    lease_until=bindparam("settle_until"),
    last_error=bindparam("code"),
    updated_at=bindparam("now"),
)
_MARK_SENT = (
    update(due_actions)
    .where(
        _C.id == bindparam("action_id"),
        or_(
            and_(_C.state == DueState.SENDING.value, _C.lease_owner == bindparam("owner")),
            # An action given up as unknown meanwhile: the truth arrived late.
            and_(
                _C.state == DueState.FAILED.value,
                _C.last_error == ErrorCode.UNKNOWN_OUTCOME.value,
            ),
        ),
    )
    .values(
        state=DueState.SENT.value,
        sent_activity_id=bindparam("activity_id"),
        not_before=None,
        last_error=None,
        **_RELEASED,
    )
    .returning(*due_actions.c)
)


def _fair(ready: ColumnElement[bool], now: datetime, most: int) -> ColumnElement[bool]:
    """The first `most` ready actions of each recipient none of whose actions is held now.

    A window function in a subquery (SQLite and PostgreSQL alike); the claim's FOR UPDATE
    SKIP LOCKED applies to the outer select, which checks `ready` again on the row it locks.
    """
    other = due_actions.alias("held")
    held = (
        select(other.c.recipient_key)
        .where(other.c.state.in_(_HELD), other.c.lease_until >= now)
        .correlate(None)
    )
    place = func.row_number().over(partition_by=_C.recipient_key, order_by=(_C.due_at, _C.id))
    ranked = (
        select(_C.id, place.label("place"))
        .where(ready, _C.recipient_key.not_in(held))
        .correlate(None)
        .subquery("ranked")
    )
    return _C.id.in_(select(ranked.c.id).where(ranked.c.place <= most).correlate(None))


def as_action(row: Row[Any]) -> DueAction:
    """A due_actions row (every column) as the domain's DueAction."""
    values = dict(row._mapping)
    values["key"] = values.pop("idempotency_key")
    return DueAction.model_validate(values)


class DeliveryQueue:
    """The worker's side of storage.due_actions.DueActionQueue; times from `clock`, in UTC."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    async def claim(
        self,
        owner: str,
        limit: int,
        lease_seconds: float,
        *,
        per_recipient: int | None = None,
        besides: Collection[int] = (),
    ) -> list[DueAction]:
        """Take up to `limit` actions for `owner` until the lease ends, oldest due first.

        Pending actions that are due, and claimed or sending ones whose lease ran out. Sending
        ones come back still marked sending: their last attempt's outcome is unknown.
        `per_recipient`: at most this many of one recipient's, and none of a recipient with an
        action held under a live lease. `besides`: ids the caller is still working on (its
        own lease ran out, but it has not given them up), never handed out again to it.
        """
        now = self._clock.now()
        ready: ColumnElement[bool] = or_(
            and_(
                _C.state == DueState.PENDING.value,
                _C.due_at <= now,
                or_(_C.not_before.is_(None), _C.not_before <= now),
            ),
            and_(_C.state.in_(_HELD), _C.lease_until < now),
        )
        if besides:
            ready = and_(ready, _C.id.not_in(list(besides)))
        if per_recipient is not None:
            ready = and_(ready, _fair(ready, now, per_recipient))
        lease = {
            "state": case(
                (_C.state == DueState.SENDING.value, DueState.SENDING.value),
                else_=DueState.CLAIMED.value,
            ),
            "lease_owner": owner,
            "lease_until": now + timedelta(seconds=lease_seconds),
            "updated_at": now,
        }
        rows = await claim_rows(
            self._db, due_actions, ready, order_by=[_C.due_at, _C.id], limit=limit, lease=lease
        )
        return sorted((as_action(row) for row in rows), key=lambda a: (a.due_at, a.id))

    def reads_together(self) -> AbstractAsyncContextManager[object]:
        """A unit of work (storage.unit_of_work) for reading what a claimed batch needs: each
        recipient's chat and language and each departure read once, on one connection. Its
        task's reads join it; the state changes above keep their own short transactions."""
        return self._db.unit_of_work()

    async def mark_sending(self, action_id: int, owner: str, lease_seconds: float) -> int | None:
        """Record that the request is about to go out; the attempt number, None if not ours.

        None means the action was cancelled or taken over meanwhile: do not send it.
        """
        now = self._clock.now()
        lease_until = now + timedelta(seconds=lease_seconds)
        params = {"action_id": action_id, "owner": owner, "lease_until": lease_until, "now": now}
        async with self._db.engine.begin() as connection:
            return await connection.scalar(_MARK_SENDING, params)

    async def mark_sent(
        self, action_id: int, owner: str, activity_id: str | None, **logged: Any
    ) -> bool:
        """settle_sent(); True if the action changed to sent."""
        return await self.settle_sent(action_id, owner, activity_id, **logged) is not None

    async def settle_sent(
        self,
        action_id: int,
        owner: str,
        activity_id: str | None,
        *,
        outcome: Outcome = Outcome.SENT,
        code: str | None = None,
        status: int | None = None,
    ) -> DueAction | None:
        """Record delivery; the action as now sent, None if it did not change to sent.

        Also settles an action given up as `unknown_outcome` meanwhile: the truth arrived late.
        """
        now = self._clock.now()
        params = {"action_id": action_id, "owner": owner, "activity_id": activity_id, "now": now}
        async with self._db.engine.begin() as connection:
            row = (await connection.execute(_MARK_SENT, params)).one_or_none()
            target = row or await action_for_log(connection, action_id)
            if target is not None:
                details = {"code": code, "status": status, "activity_id": activity_id}
                await write_line(
                    connection, target, outcome, at=now, worker=worker_of(owner), **details
                )
        return None if row is None else as_action(row)

    async def mark_failed(
        self,
        action_id: int,
        owner: str,
        code: str,
        retry_at: datetime | None = None,
        **logged: Any,
    ) -> bool:
        """settle_failed(); True if the action changed."""
        return await self.settle_failed(action_id, owner, code, retry_at, **logged) is not None

    async def settle_failed(
        self,
        action_id: int,
        owner: str,
        code: str,
        retry_at: datetime | None = None,
        *,
        outcome: Outcome = Outcome.ERROR,
        status: int | None = None,
    ) -> DueAction | None:
        """Record a failed attempt: back to pending until `retry_at`, or failed for good; the
        action as it is now, None if `owner` did not hold it."""
        state = DueState.FAILED if retry_at is None else DueState.PENDING
        params = {"state": state.value, "not_before": retry_at, "code": code}
        details = {"code": code, "status": status, "retry_at": retry_at}
        return await self._settle(_MARK_FAILED, action_id, owner, params, outcome, details)

    async def mark_skipped(self, action_id: int, owner: str, code: str) -> bool:
        """settle_skipped(); True if done."""
        return await self.settle_skipped(action_id, owner, code) is not None

    async def settle_skipped(self, action_id: int, owner: str, code: str) -> DueAction | None:
        """Settle a claimed action without sending it (its moment passed); the action as it is
        now, None if `owner` did not hold it claimed.

        Final, and on the timeline as `skipped` with `code`: HR sees it was not sent, and why.
        """
        params = {"code": code}
        return await self._settle(_MARK_SKIPPED, action_id, owner, params, Outcome.SKIPPED, params)

    async def mark_unknown(
        self, action_id: int, owner: str, code: str, settle_until: datetime
    ) -> bool:
        """The request may have reached Teams: keep it `sending`, reconcile after `settle_until`."""
        params = {"settle_until": settle_until, "code": code}
        settled = await self._settle(
            _MARK_UNKNOWN, action_id, owner, params, Outcome.ERROR, {"code": code}
        )
        return settled is not None

    async def _settle(
        self,
        statement: Update,
        action_id: int,
        owner: str,
        params: dict[str, Any],
        outcome: Outcome,
        details: dict[str, Any],
    ) -> DueAction | None:
        """Run a settling `statement`; if it changed the action, log `outcome` (with
        `details`) in the same transaction. The action as it is now, None if unchanged."""
        now = self._clock.now()
        values = {"action_id": action_id, "owner": owner, "now": now, **params}
        async with self._db.engine.begin() as connection:
            row = (await connection.execute(statement, values)).one_or_none()
            if row is not None:
                await write_line(
                    connection, row, outcome, at=now, worker=worker_of(owner), **details
                )
        return None if row is None else as_action(row)

    async def unmark_sending(self, action_id: int, owner: str) -> bool:
        """Undo mark_sending: the request did not go out after all; the attempt does not count."""
        return await self._changed(_UNMARK_SENDING, action_id, owner)

    async def release(self, action_id: int, owner: str, not_before: datetime | None) -> bool:
        """Give back a claimed action that was not sent (shutdown, pacing); no attempt counted."""
        return await self._changed(_RELEASE, action_id, owner, not_before=not_before)

    async def _changed(self, statement: Update, action_id: int, owner: str, **params: Any) -> bool:
        """Run a change of a held action that logs nothing; whether it changed."""
        now = self._clock.now()
        values = {"action_id": action_id, "owner": owner, "now": now, **params}
        async with self._db.engine.begin() as connection:
            return await connection.scalar(statement, values) is not None

    async def record(
        self, action_id: int, outcome: Outcome, code: str | None, *, worker: str | None = None
    ) -> None:
        """Add a line to the action's log without changing its state (a reconciliation note)."""
        async with self._db.sessions.begin() as session:
            row = await action_for_log(session, action_id)
            if row is not None:
                await write_line(
                    session, row, outcome, at=self._clock.now(), code=code, worker=worker
                )
