"""Departures in the database, with optimistic concurrency on a version number."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from journey.clock import Clock, SystemClock
from journey.departure import Departure, DepartureStatus
from journey.hr_status import HrQuery
from journey.ports import AlreadyExists, ConcurrentUpdate, NotFound
from storage import stored_plans, unit_of_work
from storage.database import Database
from storage.hr_list import hr_list_statements
from storage.senders import senders_of
from storage.tables import departures
from storage.unit_of_work import UnitOfWork, current_unit

# Written once by add(); update() leaves them alone.
_IMMUTABLE = ("id", "created_at")
# Within a turn's unit of work, a departure's columns as read or saved (by id): update() then
# writes only the columns whose values differ from them (with the version read).
_STORED = "departure as stored"


def _row_values(departure: Departure) -> dict[str, Any]:
    values = departure.model_dump(mode="python")
    values["status"] = departure.status.value
    # Plain strings for the drivers (asyncpg does not take str subclasses for every type).
    values["reach"] = departure.reach.value if departure.reach else None
    values["interviewer_kind"] = (
        departure.interviewer_kind.value if departure.interviewer_kind else None
    )
    values["departure_type"] = departure.departure_type.value
    values["meeting_mode"] = departure.meeting_mode.value if departure.meeting_mode else None
    values["registered_via"] = departure.registered_via.value
    return values


# Built once: the hot path of every card click (SQLAlchemy caches its compiled form).
_BY_ID = select(departures).where(departures.c.id == bindparam("departure_id"))
# The same with the departure's stored plan of due actions, by dialect (built on first use).
_WITH_PLAN: dict[str, Select[Any]] = {}


def _by_id_with_plan(dialect: str) -> Select[Any]:
    statement = _WITH_PLAN.get(dialect)
    if statement is None:
        statement = _WITH_PLAN[dialect] = _BY_ID.add_columns(stored_plans.plan_column(dialect))
    return statement


def _departure(row: Row[Any]) -> Departure:
    return Departure.model_validate(dict(row._mapping))


def _keep(unit: UnitOfWork, values: dict[str, Any]) -> Departure:
    """The departure read as `values` (its columns), kept for the turn with its columns; what
    the turn read or saved before wins."""
    departure_id = values["id"]
    kept = unit.remembered.get(("departure", departure_id))
    if kept is None:
        kept = unit.remembered["departure", departure_id] = Departure.model_validate(values)
        unit.remembered[_STORED, departure_id] = values
    return kept


def remembered(db: Database, departure_id: str) -> bool:
    """Whether this turn has the departure already (`get` answers without a statement)."""
    unit = current_unit(db)
    return unit is not None and ("departure", departure_id) in unit.remembered


def remember(db: Database, values: Mapping[str, Any]) -> Departure:
    """A departure another store read in one statement with its own rows (storage/survey.py),
    its columns named as in `departures`: kept for the turn as `get` keeps what it reads, so
    `get` answers from it; what the turn read or saved before wins."""
    columns = {column.name: values[column.name] for column in departures.c}
    unit = current_unit(db)
    if unit is None:
        return Departure.model_validate(columns)
    return _keep(unit, columns)


def _told(db: Database, saved: Departure) -> None:
    """What the turns remember of the leaver and the manager follows a stored departure
    (storage/senders.py): HR's language for the leaver, the manager manages one."""
    senders = senders_of(db)
    senders.registered(saved.leaver_upn, saved.locale)
    senders.manager_named(saved.manager_upn)


class SqlDepartureRepository:
    """journey.ports.DepartureRepository on SQLAlchemy (SQLite or PostgreSQL)."""

    def __init__(self, db: Database, clock: Clock | None = None, *, plans: bool = False) -> None:
        """`plans`: within a turn's unit of work, `get` reads the departure's stored plan of
        due actions in the same statement and keeps it for the turn's re-plan
        (storage.due_plans.TurnPlan), which then need not read it: for the turns' repository,
        whose clicks re-plan."""
        self._db = db
        self._clock = clock or SystemClock()
        self._plans = plans

    async def add(self, departure: Departure) -> Departure:
        """Store a new departure; AlreadyExists if its id or external id is taken, or if its
        leaver has an active departure already (the unique index of migration 0009, which holds
        however many registrations arrive at once)."""
        now = self._clock.now()
        saved = departure.model_copy(
            update={"created_at": departure.created_at or now, "updated_at": now}
        )
        try:
            async with self._db.transaction() as connection:
                await connection.execute(insert(departures).values(_row_values(saved)))
        except IntegrityError:
            raise AlreadyExists(
                f"a departure with id {departure.id} or external id {departure.external_id} "
                "is already stored, or its leaver has an active departure"
            ) from None
        _told(self._db, saved)
        return saved

    async def add_many(self, many: Sequence[Departure]) -> None:
        """Store many new departures in one statement, as given (a seed, a benchmark)."""
        if many:
            async with self._db.transaction() as connection:
                await connection.execute(insert(departures), [_row_values(d) for d in many])
            senders_of(self._db).forget_people(
                upn for d in many for upn in (d.leaver_upn, d.manager_upn)
            )

    async def get(self, departure_id: str) -> Departure:
        """The departure with that id; NotFound if there is none. Within a turn's unit of work
        (storage/unit_of_work.py) read once: later gets answer what the turn read or saved;
        a save that finds another version stored forgets it, so the retry reads again."""
        unit = current_unit(self._db)
        key = ("departure", departure_id)
        if unit is not None and key in unit.remembered:
            return unit.remembered[key]
        with_plan = self._plans and unit is not None
        statement = _by_id_with_plan(self._db.dialect) if with_plan else _BY_ID
        async with self._db.reading() as connection:
            found = await connection.execute(statement, {"departure_id": departure_id})
            row = found.one_or_none()
        if row is None:
            raise NotFound(f"no departure with id {departure_id}")
        values = dict(row._mapping)
        if unit is None:
            return Departure.model_validate(values)
        if with_plan:
            stored_plans.remember(unit.remembered, departure_id, values)
        departure = unit.remembered[key] = Departure.model_validate(values)
        unit.remembered[_STORED, departure_id] = values
        return departure

    async def get_by_external_id(self, external_id: str) -> Departure | None:
        """The departure HR's system knows by `external_id`, if stored."""
        async with self._db.reading() as session:
            row = (
                await session.execute(
                    select(departures).where(departures.c.external_id == external_id)
                )
            ).one_or_none()
        return None if row is None else _departure(row)

    async def update(self, departure: Departure) -> Departure:
        """Save if the stored version equals `departure.version`; the saved copy, version + 1.
        Within a turn's unit of work, of a departure it read at that version, only the columns
        that changed are written."""
        now = self._clock.now()
        saved = departure.model_copy(update={"version": departure.version + 1, "updated_at": now})
        values = {k: v for k, v in _row_values(saved).items() if k not in _IMMUTABLE}
        unit = current_unit(self._db)
        stored = None if unit is None else unit.remembered.get((_STORED, departure.id))
        if stored is not None and stored["version"] == departure.version:
            values = {k: v for k, v in values.items() if stored[k] != v}
        # The version check and the write are one statement, so no reader can slip in between;
        # both databases report how many rows matched.
        statement = (
            update(departures)
            .where(departures.c.id == departure.id, departures.c.version == departure.version)
            .values(values)
        )
        # Within a turn, held: committed with the turn's end (storage/unit_of_work.py); a
        # conflict raised inside rolls it back.
        async with unit_of_work.transaction(self._db, hold=True) as connection:
            result = await connection.execute(statement)
            if result.rowcount == 1:
                _told(self._db, saved)
                if unit is not None:
                    unit.remembered["departure", saved.id] = saved
                    before = stored if stored is not None else {"id": saved.id}
                    unit.remembered[_STORED, saved.id] = {**before, **values}
                return saved
            there = await connection.scalar(select(exists().where(departures.c.id == departure.id)))
            if unit is not None:  # another turn saved it first (and may have re-planned it)
                unit.remembered.pop(("departure", departure.id), None)
                unit.remembered.pop((_STORED, departure.id), None)
                stored_plans.forget(unit.remembered, departure.id)
            if not there:
                raise NotFound(f"no departure with id {departure.id}")
            raise ConcurrentUpdate(
                f"departure {departure.id} changed since version {departure.version} was read"
            )

    async def list_for_person(self, upn: str) -> list[Departure]:
        """Departures where `upn` is the leaver, the manager or the interviewer."""
        person = upn.strip().lower()
        statement = (
            select(departures)
            .where(
                or_(
                    departures.c.leaver_upn == person,
                    departures.c.manager_upn == person,
                    departures.c.interviewer_upn == person,
                )
            )
            .order_by(departures.c.last_working_day, departures.c.created_at, departures.c.id)
        )
        async with self._db.reading() as session:
            rows = (await session.execute(statement)).all()
        unit = current_unit(self._db)
        if unit is None:
            return [_departure(row) for row in rows]
        # A turn that lists them opens one next (`get` reads it once).
        return [_keep(unit, dict(row._mapping)) for row in rows]

    async def hr_page(
        self,
        query: HrQuery,
        *,
        today: date,
        now: datetime,
        quiet_since: datetime,
        limit: int,
        offset: int,
    ) -> tuple[list[Departure], int]:
        """One page of HR's list and how many departures match (journey.hr_status.HrListing):
        filtered, ordered, counted and cut in the database (storage.hr_list)."""
        page, count = hr_list_statements(
            self._db.dialect, query, today=today, now=now, quiet_since=quiet_since
        )
        async with self._db.reading() as session:
            total = int(await session.scalar(count) or 0)
            rows = (await session.execute(page.limit(limit).offset(offset))).all() if total else []
        return [_departure(row) for row in rows], total

    async def open_ending_by(
        self, day: date, *, after: tuple[date, str] | None, limit: int
    ) -> Sequence[Departure]:
        """Open departures whose last working day is `day` or earlier, by (last day, id), after
        the key `after` (journey.closing.ClosingCandidates)."""
        finished = (DepartureStatus.CLOSED.value, DepartureStatus.CANCELLED.value)
        c = departures.c
        statement = select(departures).where(
            c.status.not_in(finished), c.leaver_upn != "", c.last_working_day <= day
        )
        if after is not None:
            last_day, departure_id = after
            statement = statement.where(
                or_(
                    c.last_working_day > last_day,
                    (c.last_working_day == last_day) & (c.id > departure_id),
                )
            )
        statement = statement.order_by(c.last_working_day, c.id).limit(limit)
        async with self._db.reading() as session:
            rows = (await session.execute(statement)).all()
        return [_departure(row) for row in rows]

    async def list_open(self, limit: int = 50) -> list[Departure]:
        """Departures not yet closed or cancelled, soonest last working day first."""
        finished = (DepartureStatus.CLOSED.value, DepartureStatus.CANCELLED.value)
        statement = (
            select(departures)
            .where(departures.c.status.not_in(finished), departures.c.leaver_upn != "")
            .order_by(departures.c.last_working_day, departures.c.created_at, departures.c.id)
            .limit(limit)
        )
        async with self._db.reading() as session:
            rows = (await session.execute(statement)).all()
        return [_departure(row) for row in rows]
