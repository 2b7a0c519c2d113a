"""Registering a departure, the pure part: what a request is, what can go wrong, what changes.

journey.registration applies these rules with the directory, the store and the audit log;
nothing here reads or writes anything. Problems carry text keys (`register.*`), which the
doors localize.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from journey.departure import Departure, DepartureStatus, DepartureType
from journey.text_input import clean_text

# Problem codes: text keys in config/texts, so every door can show them in the reader's language.
UNKNOWN_PERSON = "register.unknown_person"
LAST_DAY_IN_PAST = "register.last_day_in_past"
LAST_DAY_TOO_FAR = "register.last_day_too_far"
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
    LAST_DAY_TOO_FAR,
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
AUDIT_DETAILS_CHANGED = "departure.details_changed"
AUDIT_REGRET_SET = "departure.regret_set"
AUDIT_CANCELLED = "departure.cancelled"
AUDIT_REFUSED = "departure.refused"
AUDIT_EVENT_FAILED = "journey.event_failed"

FINISHED: frozenset[DepartureStatus] = frozenset(
    {DepartureStatus.CANCELLED, DepartureStatus.CLOSED}
)

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# How far ahead a last working day may be, unless HR's configuration says otherwise
# (organisation.yaml `departures.max_days_ahead`).
DEFAULT_MAX_DAYS_AHEAD = 365
# The words pydantic's error carries for a value with characters no id may hold; the API
# answers those with 400 (hr_api.departures).
UNREADABLE = "contains a control character or an invalid (lone surrogate) character"


class Window(NamedTuple):
    """The days a last working day may be set to: from `first` (today) to `last`."""

    first: date
    last: date


def _readable(value: Any) -> Any:
    # NUL, other control characters and lone surrogates: no database or log takes them, and no
    # id or address has them, so they are refused rather than cleaned (journey.text_input).
    if isinstance(value, str) and clean_text(value) != value:
        raise ValueError(UNREADABLE)
    if isinstance(value, str) and any(c in value.strip() for c in "\t\n\r"):
        raise ValueError(UNREADABLE)
    return value


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


def valid_zone(value: str) -> bool:
    """Whether `value` names an IANA time zone."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class RegistrationRequest(BaseModel):
    """A departure as HR describes it, through any door."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator(
        "leaver",
        "manager",
        "unit",
        "locale",
        "time_zone",
        "external_id",
        "interviewer_pool",
        "departure_type",
        mode="before",
    )
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        for item in value if isinstance(value, list) else [value]:
            _readable(item)
        return value

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
    departure_type: DepartureType | None = Field(
        None,
        description="Why the person leaves: resignation, retirement, fixed_term_end, "
        "traineeship_end (traineeship or apprenticeship), dismissal or other; HR's "
        "configuration decides per unit and type what the leaver is offered. A new departure "
        "without it is a resignation; a known externalId without it keeps its type.",
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
        if value is not None and not valid_zone(value):
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
    # Refused with ALREADY_REGISTERED: the id of the leaver's active departure, for HR's system.
    active_id: str | None = None

    @property
    def rejected(self) -> bool:
        return self.kind is OutcomeKind.REJECTED

    @classmethod
    def refused(cls, *problems: Problem) -> Outcome:
        return cls(kind=OutcomeKind.REJECTED, problems=problems)


def is_active(departure: Departure) -> bool:
    """Whether the departure is still running (neither cancelled nor closed)."""
    return departure.status not in FINISHED


# The fields a repeated registration (same external id) may change.
UPDATABLE = (
    "manager_upn",
    "unit",
    "last_working_day",
    "locale",
    "time_zone",
    "interviewer_pool",
    "departure_type",
)
# What HR may change on a registered departure besides the last working day.
DETAILS = ("departure_type", "regrettable")


def refused(field: str, code: str) -> Outcome:
    """The outcome of a request refused for one problem."""
    return Outcome.refused(Problem(field=field, code=code))


def unchanged(departure: Departure) -> Outcome:
    """The outcome of a request that asks for what is already stored."""
    return Outcome(kind=OutcomeKind.UNCHANGED, departure=departure)


def day_refused(day: date, days: Window) -> Outcome | None:
    """Why `day` may not be set as the last working day: past, or further ahead than HR allows."""
    if day < days.first:
        return refused("last_working_day", LAST_DAY_IN_PAST)
    if day > days.last:
        return refused("last_working_day", LAST_DAY_TOO_FAR)
    return None


def last_day_moved(current: Departure, last_day: date, days: Window) -> Departure | Outcome:
    """The departure with its new last working day, or why it stays as it is."""
    if not is_active(current):
        return refused("", NOT_ACTIVE)
    if current.last_working_day == last_day:
        return unchanged(current)
    return day_refused(last_day, days) or current.changed(last_working_day=last_day)


def cancelled(current: Departure) -> Departure | Outcome:
    """The departure cancelled (the leaver stays), or why it stays as it is."""
    if current.status is DepartureStatus.CANCELLED:
        return unchanged(current)
    if not current.can_become(DepartureStatus.CANCELLED):
        return refused("", NOT_ACTIVE)
    return current.moved_to(DepartureStatus.CANCELLED)


def new_one_refused(
    draft: Departure, days: Window, others: list[Departure] | tuple[Departure, ...]
) -> Outcome | None:
    """Why a new departure may not be stored: a last day out of bounds, or the leaver already
    leaving (the problem names the active departure)."""
    problem = day_refused(draft.last_working_day, days)
    if problem is not None:
        return problem
    return already_leaving(draft.leaver_upn, others)


def already_leaving(
    leaver_upn: str, others: list[Departure] | tuple[Departure, ...]
) -> Outcome | None:
    """ALREADY_REGISTERED, naming the leaver's active departure, if there is one."""
    active = [d for d in others if d.leaver_upn == leaver_upn and is_active(d)]
    if not active:
        return None
    problem = Problem(field="leaver", code=ALREADY_REGISTERED)
    return Outcome(kind=OutcomeKind.REJECTED, problems=(problem,), active_id=active[0].id)


def reregistered(
    existing: Departure, draft: Departure, days: Window
) -> tuple[Departure, list[str]] | Outcome:
    """The same external id again: the changed departure and the fields changed, or why not."""
    if existing.leaver_upn != draft.leaver_upn:
        return refused("external_id", EXTERNAL_ID_TAKEN)
    changes = {
        name: getattr(draft, name)
        for name in UPDATABLE
        if getattr(draft, name) != getattr(existing, name)
    }
    if not changes:
        return unchanged(existing)
    if not is_active(existing):
        return refused("", NOT_ACTIVE)
    # A day already in the past is only refused when it is the one being set.
    moved_to = changes.get("last_working_day")
    problem = None if moved_to is None else day_refused(moved_to, days)
    if problem is not None:
        return problem
    return existing.changed(**changes), sorted(changes)


def details_changed(current: Departure, values: dict[str, object]) -> Departure | Outcome:
    """The departure with a new type or regret (HR's or the manager's), or why it stays.

    `values` holds only what is to change (names in DETAILS); a closed or cancelled departure
    is refused like every other change.
    """
    unknown = set(values) - set(DETAILS)
    if unknown:
        raise ValueError(f"not a detail HR may change: {sorted(unknown)}")
    if not is_active(current):
        return refused("", NOT_ACTIVE)
    changes = {name: value for name, value in values.items() if getattr(current, name) != value}
    if not changes:
        return unchanged(current)
    return current.changed(**changes)
