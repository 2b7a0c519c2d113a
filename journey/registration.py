"""Registering a departure: the one service behind Teams, the HTTP API and the CSV import.

Each door parses its input into a `RegistrationRequest`, calls the service with the actor's
identity, and shows the `Outcome`. Problems carry text keys (`register.*`), which the door
localizes; the service never writes text meant for people.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from journey.clock import Clock
from journey.departure import Departure, DepartureStatus
from journey.locale import language_of
from journey.people import Directory, DirectoryUnavailable, Person, TimeZones
from journey.ports import (
    AlreadyExists,
    AuditEntry,
    AuditLog,
    ConcurrentUpdate,
    DepartureRepository,
    JourneyEvents,
)

log = logging.getLogger(__name__)

# Problem codes: text keys in config/texts, so every door can show them in the reader's language.
UNKNOWN_PERSON = "register.unknown_person"
LAST_DAY_IN_PAST = "register.last_day_in_past"
MANAGER_IS_LEAVER = "register.manager_is_leaver"
ALREADY_REGISTERED = "register.already_registered"
UNKNOWN_UNIT = "register.unknown_unit"
NO_MANAGER = "register.no_manager"
LEAVER_IN_POOL = "register.leaver_in_pool"
EXTERNAL_ID_TAKEN = "register.external_id_taken"
NOT_ACTIVE = "register.not_active"
CHANGED_MEANWHILE = "register.changed_meanwhile"
UNKNOWN_EXTERNAL_ID = "register.unknown_external_id"

PROBLEM_CODES: tuple[str, ...] = (
    UNKNOWN_PERSON,
    LAST_DAY_IN_PAST,
    MANAGER_IS_LEAVER,
    ALREADY_REGISTERED,
    UNKNOWN_UNIT,
    NO_MANAGER,
    LEAVER_IN_POOL,
    EXTERNAL_ID_TAKEN,
    NOT_ACTIVE,
    CHANGED_MEANWHILE,
)

# Audit actions; the detail holds only these words and ids, never what someone typed.
AUDIT_REGISTERED = "departure.registered"
AUDIT_UPDATED = "departure.updated"
AUDIT_LAST_DAY_CHANGED = "departure.last_day_changed"
AUDIT_CANCELLED = "departure.cancelled"
AUDIT_REFUSED = "departure.refused"
AUDIT_EVENT_FAILED = "journey.event_failed"

FINISHED: frozenset[DepartureStatus] = frozenset(
    {DepartureStatus.CANCELLED, DepartureStatus.CLOSED}
)

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _address(value: str) -> str:
    cleaned = value.strip().lower()
    if not _ADDRESS.match(cleaned) or len(cleaned) > 320:
        raise ValueError("not an email address or UPN")
    return cleaned


def _iso_day(value: Any) -> Any:
    # Only yyyy-mm-dd: pydantic alone would also read numbers as Unix timestamps.
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DAY.match(value.strip()):
        return value.strip()
    raise ValueError("write the date as yyyy-mm-dd")


IsoDay = Annotated[date, BeforeValidator(_iso_day)]
"""A calendar day written yyyy-mm-dd (or a date object); nothing else is read as a date."""


def _valid_zone(value: str) -> bool:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class RegistrationRequest(BaseModel):
    """A departure as HR describes it, through any door."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    leaver: str = Field(description="The leaver's email address or UPN.")
    manager: str | None = Field(
        None, description="The manager's email address or UPN; from the directory when left out."
    )
    unit: str | None = Field(
        None, description="A unit id from the configuration; the organisation's defaults if none."
    )
    last_working_day: IsoDay = Field(description="The last working day, as yyyy-mm-dd.")
    locale: str | None = Field(
        None,
        description="The leaver's language (da, sv, nb, en, or a locale such as da-DK); "
        "from the directory when left out.",
    )
    time_zone: str | None = Field(
        None,
        description="IANA time zone; the leaver's from the directory, else the unit's calendar.",
    )
    interviewer_pool: list[str] = Field(
        default_factory=list,
        description="Email addresses of people who may hold the conversation for this leaver.",
    )
    external_id: str | None = Field(
        None,
        max_length=200,
        description="The HR system's id for this departure; registering it again is idempotent.",
    )

    @field_validator("manager", "unit", "locale", "time_zone", "external_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("leaver")
    @classmethod
    def _leaver_address(cls, value: str) -> str:
        return _address(value)

    @field_validator("manager")
    @classmethod
    def _manager_address(cls, value: str | None) -> str | None:
        return None if value is None else _address(value)

    @field_validator("interviewer_pool")
    @classmethod
    def _pool_addresses(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(_address(item) for item in value if item.strip()))

    @field_validator("locale")
    @classmethod
    def _locale_shape(cls, value: str | None) -> str | None:
        if value is not None and not _LOCALE.match(value):
            raise ValueError("not a language or locale such as da or da-DK")
        return value

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None and not _valid_zone(value):
            raise ValueError("not an IANA time zone such as Europe/Copenhagen")
        return value


class Problem(BaseModel):
    """Why a request was refused: the field it is about and a text key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    code: str


class OutcomeKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


class Outcome(BaseModel):
    """What a registration, change or cancellation did."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: OutcomeKind
    departure: Departure | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def rejected(self) -> bool:
        return self.kind is OutcomeKind.REJECTED

    @classmethod
    def refused(cls, *problems: Problem) -> Outcome:
        return cls(kind=OutcomeKind.REJECTED, problems=problems)


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


def is_active(departure: Departure) -> bool:
    """Whether the departure is still running (neither cancelled nor closed)."""
    return departure.status not in FINISHED


# The fields a repeated registration (same external id) may change.
_UPDATABLE = (
    "manager_upn",
    "unit",
    "last_working_day",
    "locale",
    "time_zone",
    "interviewer_pool",
)


class RegistrationService:
    """Registers, changes and cancels departures: validation, idempotency, audit and events."""

    def __init__(
        self,
        departures: DepartureRepository,
        directory: Directory,
        config_provider: Callable[[], Organisation],
        clock: Clock,
        audit: AuditLog,
        events: JourneyEvents,
        zones: TimeZones | None = None,
    ) -> None:
        self._departures = departures
        self._zones = zones
        self._directory = directory
        self._config = config_provider
        self._clock = clock
        self._audit = audit
        self._events = events

    async def get(self, departure_id: str) -> Departure:
        """The departure with that id; journey.ports.NotFound if there is none."""
        return await self._departures.get(departure_id)

    async def register(
        self,
        request: RegistrationRequest,
        actor: str,
        *,
        door: str,
        dry_run: bool = False,
    ) -> Outcome:
        """Create the departure, or update/keep it when its external id is already stored.

        With `dry_run`, say what would happen and write nothing.
        """
        for attempt in range(2):
            try:
                return await self._register_once(request, actor, door, dry_run)
            except (ConcurrentUpdate, AlreadyExists):
                # Someone stored the same departure (or changed it) between our read and write:
                # one more pass sees their write and answers unchanged, updated or rejected.
                if attempt == 1:
                    break
        return Outcome.refused(Problem(field="", code=CHANGED_MEANWHILE))

    async def change_last_day(
        self, departure_id: str, last_day: date, actor: str, *, door: str
    ) -> Outcome:
        """Move the last working day; journey.ports.NotFound for an unknown id."""
        for _attempt in range(2):
            current = await self._departures.get(departure_id)
            if not is_active(current):
                return Outcome.refused(Problem(field="", code=NOT_ACTIVE))
            if current.last_working_day == last_day:
                return Outcome(kind=OutcomeKind.UNCHANGED, departure=current)
            if last_day < self._today(current.unit):
                return Outcome.refused(Problem(field="last_working_day", code=LAST_DAY_IN_PAST))
            changed = current.changed(last_working_day=last_day)
            try:
                saved = await self._departures.update(changed)
            except ConcurrentUpdate:
                continue
            await self._record(actor, AUDIT_LAST_DAY_CHANGED, saved.id, door=door)
            await self._tell(self._events.changed, current, saved)
            return Outcome(kind=OutcomeKind.UPDATED, departure=saved)
        return Outcome.refused(Problem(field="", code=CHANGED_MEANWHILE))

    async def cancel_external(
        self, external_id: str, actor: str, *, door: str, dry_run: bool = False
    ) -> Outcome:
        """Cancel the departure HR's system knows as `external_id`; refused if there is none."""
        found = await self._departures.get_by_external_id(external_id)
        if found is None:
            return Outcome.refused(Problem(field="external_id", code=UNKNOWN_EXTERNAL_ID))
        return await self.cancel(found.id, actor, door=door, dry_run=dry_run)

    async def cancel(
        self, departure_id: str, actor: str, *, door: str, dry_run: bool = False
    ) -> Outcome:
        """The leaver stays: cancel the departure; journey.ports.NotFound for an unknown id.

        With `dry_run`, say what would happen and write nothing.
        """
        for _attempt in range(2):
            current = await self._departures.get(departure_id)
            if current.status is DepartureStatus.CANCELLED:
                return Outcome(kind=OutcomeKind.UNCHANGED, departure=current)
            if not current.can_become(DepartureStatus.CANCELLED):
                return Outcome.refused(Problem(field="", code=NOT_ACTIVE))
            changed = current.moved_to(DepartureStatus.CANCELLED)
            if dry_run:
                return Outcome(kind=OutcomeKind.UPDATED, departure=changed)
            try:
                saved = await self._departures.update(changed)
            except ConcurrentUpdate:
                continue
            await self._record(actor, AUDIT_CANCELLED, saved.id, door=door)
            await self._tell(self._events.cancelled, saved)
            return Outcome(kind=OutcomeKind.UPDATED, departure=saved)
        return Outcome.refused(Problem(field="", code=CHANGED_MEANWHILE))

    async def record_refusal(
        self, actor: str, attempted: str, *, door: str, departure_id: str | None = None
    ) -> None:
        """Note in the audit log that someone without the right tried `attempted`."""
        await self._record(actor, AUDIT_REFUSED, departure_id, door=door, attempted=attempted)

    # ------------------------------------------------------------------ internals

    async def _register_once(
        self, request: RegistrationRequest, actor: str, door: str, dry_run: bool
    ) -> Outcome:
        problems, draft = await self._resolve(request)
        if draft is None:
            return Outcome.refused(*problems)
        existing = None
        if request.external_id is not None:
            existing = await self._departures.get_by_external_id(request.external_id)
        if existing is not None:
            return await self._reregister(existing, draft, actor, door, dry_run)
        if request.last_working_day < self._today(draft.unit):
            return Outcome.refused(Problem(field="last_working_day", code=LAST_DAY_IN_PAST))
        others = await self._departures.list_for_person(draft.leaver_upn)
        if any(d.leaver_upn == draft.leaver_upn and is_active(d) for d in others):
            return Outcome.refused(Problem(field="leaver", code=ALREADY_REGISTERED))
        if dry_run:
            return Outcome(kind=OutcomeKind.CREATED, departure=draft)
        saved = await self._departures.add(draft)
        await self._record(actor, AUDIT_REGISTERED, saved.id, door=door)
        await self._tell(self._events.registered, saved)
        return Outcome(kind=OutcomeKind.CREATED, departure=saved)

    async def _reregister(
        self, existing: Departure, draft: Departure, actor: str, door: str, dry_run: bool
    ) -> Outcome:
        """The same external id again: nothing, an update, or a refusal."""
        if existing.leaver_upn != draft.leaver_upn:
            return Outcome.refused(Problem(field="external_id", code=EXTERNAL_ID_TAKEN))
        changes = {
            name: getattr(draft, name)
            for name in _UPDATABLE
            if getattr(draft, name) != getattr(existing, name)
        }
        if not changes:
            return Outcome(kind=OutcomeKind.UNCHANGED, departure=existing)
        if not is_active(existing):
            return Outcome.refused(Problem(field="", code=NOT_ACTIVE))
        # A day already in the past is only refused when it is the one being set.
        moved_to = changes.get("last_working_day")
        if moved_to is not None and moved_to < self._today(draft.unit):
            return Outcome.refused(Problem(field="last_working_day", code=LAST_DAY_IN_PAST))
        changed = existing.changed(**changes)
        if dry_run:
            return Outcome(kind=OutcomeKind.UPDATED, departure=changed)
        saved = await self._departures.update(changed)
        await self._record(
            actor, AUDIT_UPDATED, saved.id, door=door, fields=",".join(sorted(changes))
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
            leaver.time_zone if leaver.time_zone and _valid_zone(leaver.time_zone) else None
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
            # No language setting in the configuration yet: language_of(None) is English.
            locale=language_of(request.locale or leaver.preferred_language),
            time_zone=request.time_zone or person_zone or unit_zone,
            interviewer_pool=pool,
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
        return zone if zone and _valid_zone(zone) else None

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

    def _today(self, unit: str) -> date:
        """Today in the unit's calendar zone: a day is past only once it is over there."""
        zone = ZoneInfo(self._config().unit(unit or None).calendar.time_zone)
        return self._clock.now().astimezone(zone).date()

    async def _record(
        self, actor: str, action: str, departure_id: str | None, **detail: str
    ) -> None:
        await self._audit.record(
            AuditEntry(
                at=self._clock.now(),
                actor=actor,
                action=action,
                departure_id=departure_id,
                detail=detail,
            )
        )

    async def _tell(self, event: Callable[..., Awaitable[None]], *departures: Departure) -> None:
        """Hand over to the journey; the departure is stored, so a failure there is logged."""
        try:
            await event(*departures)
        except Exception as exc:
            # The record stands either way; the audit trail shows HR that the next step failed.
            departure_id = departures[-1].id
            log.error(
                "journey event %s failed for departure %s: %s",
                getattr(event, "__name__", "?"),
                departure_id,
                type(exc).__name__,
            )
            await self._record(
                "exitbot",
                AUDIT_EVENT_FAILED,
                departure_id,
                event=str(getattr(event, "__name__", "?")),
            )
