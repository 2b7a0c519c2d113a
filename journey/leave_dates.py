"""Departures from Entra ID (issue 16): the leave date HR's system already keeps, as the domain
sees it.

Entra ID keeps a user's leave date in `employeeLeaveDateTime` (HR systems such as Workday and
SAP SuccessFactors provision it). With `departures.source: entra` in HR's YAML, the service
checks it on a schedule (journey.leave_date_check) through a `LeaveDateSource`
(people.graph_leave_dates on Microsoft Graph; people.local_directory in the demo): a first read
of every user with a leave date ahead (`$filter`), then only the users changed since
(`delta`). What it finds is a `Finding`, kept in storage.leave_dates: registered at once through
the one RegistrationService (door `entra`) in auto mode, else shown to HR to confirm
(cards.leave_dates, dialogs.leave_dates). The pure rules are in journey.leave_date_rules.

Words: a *leave date* is Entra's date; a *finding* is what the check made of one user's leave
date; the *door* is where a departure came from (journey.departure.Door).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field


class EntraUser(BaseModel):
    """One user as Entra ID describes them: the fields the check reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str  # the Entra object id; a finding is keyed by it (a UPN can change)
    upn: str = ""  # "" in a delta entry that says only that the user was removed
    display_name: str = ""
    mail: str | None = None
    preferred_language: str | None = None  # as Entra spells it, e.g. "da-DK"
    # The day of employeeLeaveDateTime as written (its UTC date); None: no leave date (cleared).
    leave_date: date | None = None
    # The attributes HR's YAML reads (department, companyName, employeeType, ...), by Graph's
    # property name; missing or null ones are left out.
    attributes: Mapping[str, str] = Field(default_factory=dict)
    removed: bool = False  # the delta said the user was deleted ("@removed")
    # A delta entry carries at least the changed properties: False when it left the leave date
    # out (unchanged; keep the stored one). Likewise a missing attribute or an empty upn/name
    # in a delta entry means "unchanged", never "cleared" (the check merges with the finding).
    leave_date_given: bool = True


class Changes(BaseModel):
    """What changed since a delta link, every page read, and the link for next time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    users: list[EntraUser]
    delta_link: str


class ResyncNeeded(Exception):
    """The delta link is no longer valid (Graph answered 410 Gone): read everything again."""


class LeaveDateSource(Protocol):
    """Where leave dates are read (people.graph_leave_dates, people.local_directory).

    Every call raises journey.people.DirectoryUnavailable when the source cannot answer (after
    the client's own retries on 429 and 5xx), and LeaveDatesNotAllowed when the permission
    User-LifeCycleInfo.Read.All is missing (403).
    """

    async def start_delta(self, attributes: tuple[str, ...]) -> str:
        """A delta link for the state now, without reading the users (`$deltatoken=latest`);
        the link selects the leave date, the person's fields and `attributes`."""
        ...

    async def with_leave_dates(
        self, first_day: date, attributes: tuple[str, ...]
    ) -> list[EntraUser]:
        """Every user whose leave date is on or after `first_day` (`$filter`), every page."""
        ...

    async def changes(self, delta_link: str) -> Changes:
        """The users changed since `delta_link` was made, every page, and the next link;
        ResyncNeeded when the link has expired."""
        ...


class LeaveDatesNotAllowed(Exception):
    """Graph refused to read leave dates (403): User-LifeCycleInfo.Read.All is not granted."""


def attribute_value_key(value: str) -> str:
    """An attribute's value as compared with HR's YAML: without regard to case or surrounding
    spaces (Graph's `$filter` with `eq` ignores case too; HR's system may write either)."""
    return value.strip().casefold()


class LeaveDateSettings(BaseModel):
    """HR's YAML for departures from Entra ID, as the check reads it (config.loaded builds it
    from organisation.yaml `departures.source` and `departures.entra`, and each unit's
    `departures_source`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    look_ahead_days: int = 60  # a leave date at most this many days ahead is acted on
    mode: Literal["confirm", "auto"] = "confirm"  # register at once, or show HR first
    when_cleared: Literal["ask", "cancel"] = "ask"  # a leave date removed in Entra
    check_every_minutes: int = 60
    group_id: str | None = None  # only members (transitive) of this Entra group count
    where: Mapping[str, str] = Field(default_factory=dict)  # attribute == value, all must hold
    unit_attribute: str = "department"  # the attribute whose value names the unit
    units_by_value: Mapping[str, str] = Field(default_factory=dict)  # attribute value → unit id
    # Units whose departures come from Entra; a found leaver mapped to any other unit is left
    # to the other doors (and counted as skipped).
    units: frozenset[str] = frozenset()

    @property
    def attributes(self) -> tuple[str, ...]:
        """Every attribute the check must select: the unit's and the filter's."""
        return tuple(sorted({self.unit_attribute, *self.where}))

    def unit_for(self, attributes: Mapping[str, str]) -> str | None:
        """The unit a user's `unit_attribute` value maps to (attribute_value_key); None when
        it maps to none (HR picks one, never guessed)."""
        value = attributes.get(self.unit_attribute)
        if not value:
            return None
        wanted = attribute_value_key(value)
        for written, unit in self.units_by_value.items():
            if attribute_value_key(written) == wanted:
                return unit
        return None

    def counts(self, attributes: Mapping[str, str]) -> bool:
        """Whether a user's attributes hold every `where` value (attribute_value_key); the
        membership of `group_id` is checked apart."""
        return all(
            attribute_value_key(attributes.get(name) or "") == attribute_value_key(value)
            for name, value in self.where.items()
        )


class FindingState(StrEnum):
    """Where a finding stands. HR's card lists the first four."""

    TO_CONFIRM = "to_confirm"  # confirm mode: a new leave date, waiting for HR's one click
    NO_UNIT = "no_unit"  # the attribute's value maps to no unit: HR picks one, never guessed
    NOT_REGISTERED = "not_registered"  # registration refused it (problem says why)
    TO_CANCEL = "to_cancel"  # the leave date was cleared; HR decides (when_cleared: ask)
    REGISTERED = "registered"  # a departure exists for it (made here, or linked to another)
    DISMISSED = "dismissed"  # HR said no; a new leave date for the user asks again
    AHEAD = "ahead"  # further ahead than look_ahead_days: acted on once it comes within them
    GONE = "gone"  # the leave date was cleared, or the user left the filter; nothing to do


WAITING_FOR_HR: frozenset[FindingState] = frozenset(
    {
        FindingState.TO_CONFIRM,
        FindingState.NO_UNIT,
        FindingState.NOT_REGISTERED,
        FindingState.TO_CANCEL,
    }
)


class Finding(BaseModel):
    """What the check made of one user's leave date; one per Entra user."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str
    upn: str
    name: str = ""
    leave_date: date | None
    unit: str | None = None  # the unit it maps to; None when it maps to none
    unit_value: str = ""  # the attribute's value as Entra has it, shown when no unit maps
    preferred_language: str | None = None
    attributes: Mapping[str, str] = Field(default_factory=dict)  # as last read (for deltas)
    state: FindingState
    problem: str | None = None  # a register.* text key, when registration refused it
    departure_id: str | None = None  # the departure made or linked
    revision: int = 0  # raised on every change: a card showing an older one is stale
    seen_at: datetime  # when the check last read this user


class CheckReport(BaseModel):
    """What one check did, in counts only (logged and shown to HR; never a name)."""

    model_config = ConfigDict(extra="forbid")

    read: int = 0  # users read from Entra
    registered: int = 0
    linked: int = 0  # a leave date for someone another door registered
    to_confirm: int = 0
    no_unit: int = 0
    not_registered: int = 0
    moved: int = 0
    cancelled: int = 0
    to_cancel: int = 0
    skipped: int = 0  # outside the filter, the look-ahead or the units taking Entra
    full_read: bool = False  # read the window with $filter (first check, or after a 410)
    skipped_check: bool = False  # another instance held the check

    def summary(self) -> str:
        """One line for the log: only the counts that are not zero."""
        parts = [
            f"{name.replace('_', ' ')} {value}"
            for name, value in self.model_dump().items()
            if isinstance(value, int) and not isinstance(value, bool) and value
        ]
        if self.full_read:
            parts.append("full read")
        return ", ".join(parts) if parts else ""


class StaleFinding(Exception):
    """HR acted on a finding that changed since their card was drawn (another HR member, or
    the check saw a new leave date): nothing was done; show the card again."""


class CheckStatus(BaseModel):
    """How the last check went, for HR's card: when, what it did, and why it failed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    checked_at: datetime | None = None  # the last check that finished
    report: CheckReport | None = None
    # The last attempt failed: the permission is missing (403) or Entra could not be reached.
    failure: Literal["not_allowed", "unavailable"] | None = None
    failed_at: datetime | None = None


class LeaveDateInbox(Protocol):
    """What HR's card asks of the findings (journey.leave_date_check implements it).

    `actor` is HR's UPN; the dialog has checked it is HR. Each act takes the revision the
    card showed and raises StaleFinding when it is not the stored one, KeyError for an unknown
    user id. Registering goes through the one RegistrationService with door `entra`.
    """

    async def waiting(self) -> list[Finding]:
        """Findings in WAITING_FOR_HR, soonest leave date first."""
        ...

    async def confirm(
        self, actor: str, user_id: str, revision: int, unit: str | None = None
    ) -> Finding:
        """Register it (TO_CONFIRM, NO_UNIT with `unit`, NOT_REGISTERED to try again)."""
        ...

    async def dismiss(self, actor: str, user_id: str, revision: int) -> Finding:
        """HR says no: nothing is registered; a later new leave date asks again."""
        ...

    async def cancel_departure(self, actor: str, user_id: str, revision: int) -> Finding:
        """TO_CANCEL: the leave date was cleared, so cancel the departure."""
        ...

    async def keep_departure(self, actor: str, user_id: str, revision: int) -> Finding:
        """TO_CANCEL: the departure stands although Entra has no leave date now."""
        ...

    async def status(self) -> CheckStatus:
        """How the last check went."""
        ...
