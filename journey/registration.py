"""Registering a departure: the one service behind Teams, the HTTP API and the CSV import.

Each door parses its input into a `RegistrationRequest` (journey.registration_rules), calls the
service with the actor's identity, and shows the `Outcome`. The rules are pure and live in
journey.registration_rules; here they meet the directory, the store, the audit log and the
DepartureEvents that carry on with the journey.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from journey.access import Asker, may_set_regret
from journey.clock import Clock
from journey.departure import Departure, DepartureType, Door
from journey.kernel import Kernel, Refusal
from journey.locale import language_of
from journey.people import Directory, DirectoryUnavailable, Person, TimeZones
from journey.ports import (
    AlreadyExists,
    AuditLog,
    ConcurrentUpdate,
    DepartureEvents,
    DepartureRepository,
)
from journey.refusals import Reason
from journey.registration_rules import (
    AUDIT_CANCELLED,
    AUDIT_DETAILS_CHANGED,
    AUDIT_EVENT_FAILED,
    AUDIT_LAST_DAY_CHANGED,
    AUDIT_REGISTERED,
    AUDIT_REGRET_SET,
    AUDIT_UPDATED,
    CHANGED_MEANWHILE,
    DEFAULT_MAX_DAYS_AHEAD,
    LEAVER_IN_POOL,
    MANAGER_IS_LEAVER,
    NO_MANAGER,
    UNKNOWN_EXTERNAL_ID,
    UNKNOWN_PERSON,
    UNKNOWN_UNIT,
    Outcome,
    OutcomeKind,
    Problem,
    RegistrationRequest,
    Window,
    cancelled,
    details_changed,
    last_day_moved,
    new_one_refused,
    refused,
    reregistered,
    valid_zone,
)
from journey.text_input import clean_text

log = logging.getLogger(__name__)


class _Answered(Exception):
    """A rule answered the request without a change to save (unchanged or refused)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.kind.value)
        self.outcome = outcome


class _UnitCalendar(Protocol):
    @property
    def time_zone(self) -> str: ...


class _UnitSettings(Protocol):
    @property
    def calendar(self) -> _UnitCalendar: ...


class Organisation(Protocol):
    """What registration asks of HR's configuration (config.loaded.LoadedConfig fits)."""

    def has_unit(self, unit_id: str | None) -> bool: ...

    def unit(self, unit_id: str | None) -> _UnitSettings: ...


class RegistrationService:
    """Registers, changes and cancels departures: validation, idempotency, audit and events."""

    def __init__(
        self,
        departures: DepartureRepository,
        directory: Directory,
        config_provider: Callable[[], Organisation],
        clock: Clock,
        audit: AuditLog,
        events: DepartureEvents,
        zones: TimeZones | None = None,
    ) -> None:
        self._kernel = Kernel(departures, audit, clock)
        self._departures = departures
        self._zones = zones
        self._directory = directory
        self._config = config_provider
        self._clock = clock
        self._events = events

    async def get(self, departure_id: str) -> Departure:
        """The departure with that id; journey.ports.NotFound if there is none."""
        return await self._departures.get(departure_id)

    async def register(
        self,
        request: RegistrationRequest,
        actor: str,
        *,
        door: Door | str,
        dry_run: bool = False,
    ) -> Outcome:
        """Create the departure, or update/keep it when its external id is already stored.

        A new departure records `door` (a Door or its value; ValueError for anything else); one
        registered again keeps the door it first came through. With `dry_run`, say what would
        happen and write nothing.
        """
        via = Door(door)
        for attempt in range(2):
            try:
                return await self._register_once(request, actor, via, dry_run)
            except (ConcurrentUpdate, AlreadyExists):
                # Someone stored the same departure, or one for the same leaver (the database
                # keeps one active per person), or changed it, between our read and write: one
                # more pass sees their write and answers unchanged, updated or rejected.
                if attempt == 1:
                    break
        return refused("", CHANGED_MEANWHILE)

    async def change_last_day(
        self, departure_id: str, last_day: date, actor: str, *, door: str
    ) -> Outcome:
        """Move the last working day; journey.ports.NotFound for an unknown id."""
        try:
            saved = await self._kernel.apply(
                departure_id,
                lambda d: _or_answer(last_day_moved(d, last_day, self._days(d.unit))),
                attempts=2,
            )
        except _Answered as answered:
            return answered.outcome
        except ConcurrentUpdate:
            return refused("", CHANGED_MEANWHILE)
        await self._kernel.record(actor, AUDIT_LAST_DAY_CHANGED, saved.after.id, door=door)
        await self._tell(self._events.changed, saved.before, saved.after)
        return Outcome(kind=OutcomeKind.UPDATED, departure=saved.after)

    async def change_details(
        self, departure_id: str, values: dict[str, object], actor: str, *, door: str
    ) -> Outcome:
        """HR changes the type or the regret (names in registration_rules.DETAILS); NotFound
        for an unknown id. The doors check that the actor is HR."""
        try:
            saved = await self._kernel.apply(
                departure_id, lambda d: _or_answer(details_changed(d, values)), attempts=2
            )
        except _Answered as answered:
            return answered.outcome
        except ConcurrentUpdate:
            return refused("", CHANGED_MEANWHILE)
        fields = ",".join(sorted(values))
        await self._kernel.record(
            actor, AUDIT_DETAILS_CHANGED, departure_id, door=door, fields=fields
        )
        await self._tell(self._events.changed, saved.before, saved.after)
        return Outcome(kind=OutcomeKind.UPDATED, departure=saved.after)

    async def mark_regret(
        self, asker: Asker, departure_id: str, regrettable: bool | None
    ) -> Outcome:
        """The manager (or HR) marks the departure as regrettable, not, or unset.

        journey.refusals.NotAllowed (audited) for anyone else, the leaver above all: the leaver
        never sees it. StaleAction for a departure that is gone.
        """
        refusal = Refusal("refused", {"act": "regret"}, Reason.NOT_MANAGER_OR_HR)
        await self._kernel.open(departure_id, lambda d: may_set_regret(d, asker), refusal)
        try:
            saved = await self._kernel.apply(
                departure_id,
                lambda d: _or_answer(details_changed(d, {"regrettable": regrettable})),
                attempts=2,
            )
        except _Answered as answered:
            return answered.outcome
        except ConcurrentUpdate:
            return refused("", CHANGED_MEANWHILE)
        await self._kernel.record(asker, AUDIT_REGRET_SET, departure_id)
        await self._tell(self._events.changed, saved.before, saved.after)
        return Outcome(kind=OutcomeKind.UPDATED, departure=saved.after)

    async def cancel_external(
        self, external_id: str, actor: str, *, door: str, dry_run: bool = False
    ) -> Outcome:
        """Cancel the departure HR's system knows as `external_id`; refused if there is none."""
        # No id with control characters is stored (RegistrationRequest refuses them).
        readable = clean_text(external_id) == external_id
        found = await self._departures.get_by_external_id(external_id) if readable else None
        if found is None:
            return refused("external_id", UNKNOWN_EXTERNAL_ID)
        return await self.cancel(found.id, actor, door=door, dry_run=dry_run)

    async def cancel(
        self, departure_id: str, actor: str, *, door: str, dry_run: bool = False
    ) -> Outcome:
        """The leaver stays: cancel the departure; journey.ports.NotFound for an unknown id.

        With `dry_run`, say what would happen and write nothing.
        """

        def cancel(current: Departure) -> Departure:
            changed = _or_answer(cancelled(current))
            if dry_run:
                raise _Answered(Outcome(kind=OutcomeKind.UPDATED, departure=changed))
            return changed

        try:
            saved = await self._kernel.update(departure_id, cancel, attempts=2)
        except _Answered as answered:
            return answered.outcome
        except ConcurrentUpdate:
            return refused("", CHANGED_MEANWHILE)
        await self._kernel.record(actor, AUDIT_CANCELLED, saved.id, door=door)
        await self._tell(self._events.cancelled, saved)
        return Outcome(kind=OutcomeKind.UPDATED, departure=saved)

    # ------------------------------------------------------------------ internals

    async def _register_once(
        self, request: RegistrationRequest, actor: str, door: Door, dry_run: bool
    ) -> Outcome:
        problems, draft = await self._resolve(request)
        if draft is None:
            return Outcome.refused(*problems)
        draft = draft.changed(registered_via=door)
        existing = None
        if request.external_id is not None:
            existing = await self._departures.get_by_external_id(request.external_id)
        if existing is not None:
            if request.departure_type is None:  # not given again: the stored type stays
                draft = draft.changed(departure_type=existing.departure_type)
            return await self._reregister(existing, draft, actor, door, dry_run)
        others = await self._departures.list_for_person(draft.leaver_upn)
        problem = new_one_refused(draft, self._days(draft.unit), list(others))
        if problem is not None:
            return problem
        if dry_run:
            return Outcome(kind=OutcomeKind.CREATED, departure=draft)
        saved = await self._departures.add(draft)
        await self._kernel.record(actor, AUDIT_REGISTERED, saved.id, door=door.value)
        await self._tell(self._events.registered, saved)
        return Outcome(kind=OutcomeKind.CREATED, departure=saved)

    async def _reregister(
        self, existing: Departure, draft: Departure, actor: str, door: Door, dry_run: bool
    ) -> Outcome:
        """The same external id again: nothing, an update, or a refusal (the door it first came
        through stays: registered_via is not among the fields a registration updates)."""
        decided = reregistered(existing, draft, self._days(draft.unit))
        if isinstance(decided, Outcome):
            return decided
        changed, fields = decided
        if dry_run:
            return Outcome(kind=OutcomeKind.UPDATED, departure=changed)
        saved = await self._departures.update(changed)
        await self._kernel.record(
            actor, AUDIT_UPDATED, saved.id, door=door.value, fields=",".join(fields)
        )
        await self._tell(self._events.changed, existing, saved)
        return Outcome(kind=OutcomeKind.UPDATED, departure=saved)

    async def _resolve(
        self, request: RegistrationRequest
    ) -> tuple[list[Problem], Departure | None]:
        """Look the people up and fill in the defaults.

        Returns the problems, or no problems and the departure as it would be stored.
        """
        config = self._config()
        problems: list[Problem] = []
        leaver = await self._directory.find_person(request.leaver)
        if leaver is None:
            problems.append(Problem(field="leaver", code=UNKNOWN_PERSON))
        manager: Person | None = None
        if request.manager is not None and request.manager == request.leaver:
            problems.append(Problem(field="manager", code=MANAGER_IS_LEAVER))
        elif request.manager is not None:
            manager = await self._directory.find_person(request.manager)
            if manager is None:
                problems.append(Problem(field="manager", code=UNKNOWN_PERSON))
        elif leaver is not None:
            manager = await self._directory.manager_of(leaver.upn)
            if manager is None:
                problems.append(Problem(field="manager", code=NO_MANAGER))
        if leaver is not None and manager is not None and manager.upn == leaver.upn:
            problems.append(Problem(field="manager", code=MANAGER_IS_LEAVER))
            manager = None
        if request.unit is not None and not config.has_unit(request.unit):
            problems.append(Problem(field="unit", code=UNKNOWN_UNIT))
        pool = await self._pool(request.interviewer_pool, leaver, problems)
        if leaver is None or manager is None or problems:
            return problems, None
        unit = request.unit or ""
        unit_zone = config.unit(unit or None).calendar.time_zone
        person_zone = (
            leaver.time_zone if leaver.time_zone and valid_zone(leaver.time_zone) else None
        )
        if request.time_zone is None and person_zone is None:
            person_zone = await self._own_zone(leaver)
        draft = Departure(
            external_id=request.external_id,
            leaver_upn=leaver.upn,
            leaver_name=leaver.display_name,
            manager_upn=manager.upn,
            unit=unit,
            last_working_day=request.last_working_day,
            # HR's language, else the directory's; none ("") lets the Teams locale decide.
            locale=_registered_language(request.locale or leaver.preferred_language),
            time_zone=request.time_zone or person_zone or unit_zone,
            interviewer_pool=pool,
            departure_type=request.departure_type or DepartureType.RESIGNATION,
        )
        return problems, draft

    async def _own_zone(self, leaver: Person) -> str | None:
        """The leaver's own time zone from the directory, if it keeps them apart."""
        if self._zones is None:
            return None
        try:
            zone = await self._zones.time_zone_of(leaver.id)
        except DirectoryUnavailable:
            return None  # the unit's zone is a fine default; registering must not fail on it
        return zone if zone and valid_zone(zone) else None

    async def _pool(
        self, addresses: Sequence[str], leaver: Person | None, problems: list[Problem]
    ) -> list[str]:
        pool: list[str] = []
        for address in addresses:
            person = await self._directory.find_person(address)
            if person is None:
                problem = Problem(field="interviewer_pool", code=UNKNOWN_PERSON)
            elif leaver is not None and person.upn == leaver.upn:
                problem = Problem(field="interviewer_pool", code=LEAVER_IN_POOL)
            else:
                if person.upn not in pool:
                    pool.append(person.upn)
                continue
            if problem not in problems:
                problems.append(problem)
        return pool

    def _days(self, unit: str) -> Window:
        """From today in the unit's calendar zone (a day is past only once it is over there) to
        the last day HR lets a departure be registered for (a test double may not say)."""
        config = self._config()
        now = self._clock.now().astimezone(ZoneInfo(config.unit(unit or None).calendar.time_zone))
        ahead = getattr(config, "max_days_ahead", DEFAULT_MAX_DAYS_AHEAD)
        return Window(now.date(), now.date() + timedelta(days=ahead))

    async def _tell(self, event: Callable[..., Awaitable[None]], *departures: Departure) -> None:
        """Hand over to the journey; the departure is stored, so a failure there is logged."""
        try:
            await event(*departures)
        except Exception as exc:
            # The record stands either way; the audit trail shows HR that the next step failed.
            departure_id, name = departures[-1].id, str(getattr(event, "__name__", "?"))
            failed = type(exc).__name__
            log.error("journey event %s failed for departure %s: %s", name, departure_id, failed)
            await self._kernel.record("exitbot", AUDIT_EVENT_FAILED, departure_id, event=name)


def _or_answer(decided: Departure | Outcome) -> Departure:
    """The departure a rule changed; an outcome without a change ends the request."""
    if isinstance(decided, Outcome):
        raise _Answered(decided)
    return decided


def _registered_language(locale: str | None) -> str:
    """The language registered for the leaver, or "" when neither HR nor the directory says."""
    return language_of(locale) if locale else ""
