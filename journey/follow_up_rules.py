"""Follow-ups: what the conversation agreed to do, who owns it and by when (issue 14).

Seed 001: an exit process is pointless unless what is learned is acted on; seed 004: "I will
now take ... to ...", and watch the follow-through. So each agreed action gets an owner and a
due date, and the owner marks it done (with a short outcome) or hands it on.

The rules here are pure: the model, the checks on what the interviewer and the owner send,
and who may see or do what. journey.follow_ups applies them and keeps the result.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from journey.access import Asker
from journey.departure import Departure, DepartureStatus
from journey.plan_change_rules import colleague_address
from journey.refusals import JourneyRefusal

WHAT_MAX = 500  # a line or two: an action, not the notes
OUTCOME_MAX = 500
OTHER_AREA = "other"  # an action outside the question set's sections
FOLLOW_UP_REFUSED = "follow_up.refused"  # the audit action of every refusal


class OwnerKind(StrEnum):
    """Who owns a follow-up, as the leaver and the lists see it (never a name there)."""

    INTERVIEWER = "interviewer"
    MANAGER = "manager"
    HR = "hr"
    PERSON = "person"  # a named colleague, found in the directory


class FollowUpState(StrEnum):
    OPEN = "open"
    DONE = "done"


class FollowUp(BaseModel):
    """One agreed action; `revision` goes up with every change, so an older card is stale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    departure_id: str
    unit: str
    area: str
    what: str = Field(max_length=WHAT_MAX)
    owner_upn: str
    owner_kind: OwnerKind
    due_on: date
    state: FollowUpState = FollowUpState.OPEN
    outcome: str | None = Field(None, max_length=OUTCOME_MAX)
    created_by: str
    done_by: str | None = None
    done_at: datetime | None = None
    revision: int = 1
    created_at: datetime
    updated_at: datetime

    @property
    def is_open(self) -> bool:
        return self.state is FollowUpState.OPEN

    def overdue(self, today: date) -> bool:
        """Still open after its due date."""
        return self.is_open and self.due_on < today

    def owned_by(self, upn: str | None) -> bool:
        return bool(upn) and (upn or "").strip().lower() == self.owner_upn


# --- refusals: each answered with its own text (dialogs.routes), audited by the service ----


class FollowUpRefusal(JourneyRefusal):
    """A follow-up action that changed nothing; `reason` is what the audit log says."""

    reason = "refused"


class WhatRefused(FollowUpRefusal):
    """No text, or more than WHAT_MAX characters."""

    reason = "what"


class OutcomeRefused(FollowUpRefusal):
    """No outcome, or more than OUTCOME_MAX characters."""

    reason = "outcome"


class DueDateRefused(FollowUpRefusal):
    """No date, a date in the past (in the departure's time zone) or more than a year ahead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "due_missing", "due_past" or "due_too_far"


class AreaRefused(FollowUpRefusal):
    """An area that is not a section of the unit's question set (a forged card)."""

    reason = "area"


class UnknownOwner(FollowUpRefusal):
    """Nobody to own it: no manager or HR contact, or nobody by that address."""

    reason = "unknown_owner"


class OwnerIsLeaver(FollowUpRefusal):
    """The leaver cannot own the organisation's promise to them."""

    reason = "owner_is_leaver"


class StaleFollowUp(FollowUpRefusal):
    """A card drawn for an earlier revision (a replay, or someone acted meanwhile)."""

    reason = "stale"

    def __init__(self, current: FollowUp | None) -> None:
        super().__init__("stale")
        self.current = current


# --- the rules -----------------------------------------------------------------------------

# Follow-ups are agreed once the conversation is booked (it may be held outside the bot) or
# held; they outlive the case (journey.follow_ups).
_AGREED_WHEN = frozenset({DepartureStatus.BOOKED, DepartureStatus.HELD})


def may_add(departure: Departure, asker: Asker) -> bool:
    """Only the person holding the conversation adds follow-ups, once it is booked or held."""
    person = (asker.upn or "").strip().lower()
    return (
        departure.status in _AGREED_WHEN
        and departure.interviewer_upn is not None
        and person == departure.interviewer_upn
    )


def may_see(follow_up: FollowUp, departure: Departure | None, asker: Asker) -> bool:
    """The owner, the person who agreed it (the interviewer) and HR see a follow-up's card."""
    person = (asker.upn or "").strip().lower()
    if not person:
        return False
    interviewer = departure.interviewer_upn if departure is not None else None
    return asker.is_hr or person in (follow_up.owner_upn, follow_up.created_by, interviewer)


def leaver_sees(departure: Departure) -> bool:
    """The leaver sees what was promised while the case is open (they still have Teams)."""
    return departure.status is not DepartureStatus.CLOSED


def checked_what(text: str, limit: int = WHAT_MAX, refusal: type = WhatRefused) -> str:
    """The text without surrounding blanks; empty or too long is refused."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > limit:
        raise refusal(refusal.reason)
    return cleaned


def checked_outcome(text: str) -> str:
    return checked_what(text, OUTCOME_MAX, OutcomeRefused)


def year_after(day: date) -> date:
    """The same day a year later (29 February: 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def checked_due(typed: str, today: date) -> date:
    """The due date as Input.Date sends it (YYYY-MM-DD): today at the earliest, a year ahead
    at the latest; `today` on the departure's wall clock."""
    try:
        due = date.fromisoformat(typed.strip()[:10])
    except ValueError:
        raise DueDateRefused("due_missing") from None
    if due < today:
        raise DueDateRefused("due_past")
    if due > year_after(today):
        raise DueDateRefused("due_too_far")
    return due


def checked_area(area: str, sections: Collection[str]) -> str:
    """A section id of the unit's question set, or "other"."""
    if area != OTHER_AREA and area not in sections:
        raise AreaRefused("area")
    return area


def owner_address(typed: str) -> str:
    """The address a named person is looked up by; not an address is an unknown owner."""
    address = colleague_address(typed)
    if address is None:
        raise UnknownOwner("not an address")
    return address


def kind_of(upn: str, departure: Departure | None, hr_contact: str | None) -> OwnerKind:
    """How the leaver and the lists name the owner `upn` (the role, not the person)."""
    if departure is not None and upn == departure.interviewer_upn:
        return OwnerKind.INTERVIEWER
    if departure is not None and upn == departure.manager_upn:
        return OwnerKind.MANAGER
    if hr_contact and upn == hr_contact.strip().lower():
        return OwnerKind.HR
    return OwnerKind.PERSON


# The owner is reminded at the start of the working day on the due date, on the wall clock.
REMINDER_TIME = time(9, 0)


def reminder_at(follow_up: FollowUp, zone: ZoneInfo) -> datetime | None:
    """The owner's reminder: 09:00 on the due date in `zone`, in UTC; None for a done
    follow-up, or when that moment had passed when it was given to its owner (their card
    came that day)."""
    moment = datetime.combine(follow_up.due_on, REMINDER_TIME, tzinfo=zone).astimezone(UTC)
    if not follow_up.is_open or moment <= follow_up.updated_at:
        return None
    return moment


def reminder_expires(follow_up: FollowUp, zone: ZoneInfo) -> datetime:
    """From the next day on, the due date's reminder is not sent late."""
    next_day = follow_up.due_on + timedelta(days=1)
    return datetime.combine(next_day, time(0, 0), tzinfo=zone).astimezone(UTC)


def done(follow_up: FollowUp, by: str, outcome: str, now: datetime) -> FollowUp:
    """The follow-up marked done by its owner."""
    return follow_up.model_copy(
        update={
            "state": FollowUpState.DONE,
            "outcome": outcome,
            "done_by": by,
            "done_at": now,
            "revision": follow_up.revision + 1,
            "updated_at": now,
        }
    )


def handed_on(follow_up: FollowUp, to: str, kind: OwnerKind, now: datetime) -> FollowUp:
    """The follow-up with its new owner."""
    return follow_up.model_copy(
        update={
            "owner_upn": to,
            "owner_kind": kind,
            "revision": follow_up.revision + 1,
            "updated_at": now,
        }
    )
