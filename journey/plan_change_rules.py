"""Plans that change (issue 11): pure rules over a Departure, each a changed copy or a refusal.

The leaver may say no after saying yes, before or after booking, and may choose someone else
to talk to; the person holding the conversation may hand it over to a colleague. Whoever no
longer holds it loses the interviewer's role at once (journey.access follows
`interviewer_upn`), and with it the leaver's shared answers. A conversation whose time has
begun stays as it is: it can no longer be moved, cancelled or handed on; it can be marked held.
The calendar calls and the messages are journey.plan_changes'.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from journey.booking import InterviewerOption, UnitRules, interviewer_options
from journey.departure import DECLINE_REASON_MAX, Departure, DepartureStatus, InterviewerKind
from journey.refusals import JourneyRefusal, StaleAction


class ConversationPassed(JourneyRefusal):
    """The booked conversation's time has begun: it can no longer be moved or cancelled."""


class UnknownColleague(JourneyRefusal):
    """The directory knows nobody by that address; nothing was handed over."""


class NotAColleague(JourneyRefusal):
    """The conversation cannot go to that person: the leaver, or whoever holds it already."""


class Release(StrEnum):
    """Why the person who held the conversation no longer does (their card says which)."""

    DECLINED = "declined"  # the leaver no longer wants the conversation
    SWITCHED = "switched"  # the leaver chose someone else
    HANDED_OVER = "handed_over"  # they handed it over to a colleague


# An e-mail address or UPN as typed: one @, no spaces or control characters.
_ADDRESS = re.compile(r"[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+")
# While the conversation is wanted and not yet held, its plan may change.
_CHANGEABLE = frozenset({DepartureStatus.ACCEPTED, DepartureStatus.BOOKED})
# The posted cards that belong to the person holding the conversation.
_INTERVIEWER_CARDS = frozenset({"task", "booked"})


def _time_came(departure: Departure, now: datetime) -> bool:
    return departure.meeting_start is not None and departure.meeting_start <= now


def has_begun(departure: Departure, now: datetime) -> bool:
    """Whether a booked conversation's time has come (it may be going on or over)."""
    return departure.status is DepartureStatus.BOOKED and _time_came(departure, now)


def require_not_begun(departure: Departure, now: datetime) -> None:
    """ConversationPassed once the booked time has come: mark it held or record notes."""
    if has_begun(departure, now):
        raise ConversationPassed("the conversation's time has passed")


def meeting_to_cancel(departure: Departure, now: datetime) -> tuple[str, str] | None:
    """The organizer and event id of a booked meeting that may still be cancelled; a meeting
    whose time has come stays in the calendars (it is history, not a plan)."""
    if not departure.interviewer_upn or not departure.meeting_event_id:
        return None
    if _time_came(departure, now):  # also once HR cancelled the departure
        return None
    return departure.interviewer_upn, departure.meeting_event_id


def _require_changeable(departure: Departure, now: datetime) -> None:
    if departure.status not in _CHANGEABLE:
        raise StaleAction("only a wanted conversation that is not held can change")
    require_not_begun(departure, now)


def _released(departure: Departure) -> dict[str, object]:
    """What the departure no longer has once its interviewer changes: meeting, times, cards."""
    return {
        "meeting_start": None,
        "meeting_end": None,
        "meeting_event_id": None,
        "meeting_join_url": None,
        "proposed_slots": [],
        "times_requested_at": None,
        "cards": {k: v for k, v in departure.cards.items() if k not in _INTERVIEWER_CARDS},
    }


def withdraw(departure: Departure, reason: str | None, now: datetime) -> Departure:
    """The leaver says no after yes (ACCEPTED or BOOKED -> DECLINED); nobody holds it now.

    A "no" may become a "yes" again later (journey.offer.accept), with a new choice of person.
    """
    _require_changeable(departure, now)
    cleaned = (reason or "").strip()[:DECLINE_REASON_MAX] or None
    return departure.moved_to(
        DepartureStatus.DECLINED,
        decline_reason=cleaned,
        remind_offer_at=None,
        interviewer_upn=None,
        interviewer_kind=None,
        interviewer_name="",
        **_released(departure),
    )


def _to_new_interviewer(
    departure: Departure, upn: str, kind: InterviewerKind, name: str
) -> Departure:
    values = {
        "interviewer_upn": upn,
        "interviewer_kind": kind,
        "interviewer_name": name,
        **_released(departure),
    }
    if departure.status is DepartureStatus.BOOKED:
        return departure.moved_to(DepartureStatus.ACCEPTED, **values)
    return departure.changed(**values)


def require_holder(departure: Departure, now: datetime) -> None:
    """Someone holds the conversation, it is wanted, not held and its time has not come."""
    _require_changeable(departure, now)
    if not departure.interviewer_upn:
        raise StaleAction("nobody holds the conversation yet")


def switch_options(departure: Departure, rules: UnitRules) -> list[InterviewerOption]:
    """Whom the leaver may choose instead: the unit's options but the one holding it now."""
    return [o for o in interviewer_options(departure, rules) if o.upn != departure.interviewer_upn]


def switch_interviewer(
    departure: Departure, chosen: InterviewerOption, rules: UnitRules, name: str, now: datetime
) -> Departure:
    """The leaver chooses someone else (before or after booking): back to choosing a time."""
    require_holder(departure, now)
    if chosen not in switch_options(departure, rules):
        raise StaleAction("not one of the people the leaver may choose instead")
    return _to_new_interviewer(departure, chosen.upn, chosen.kind, name)


def colleague_address(typed: str) -> str | None:
    """The address to look a colleague up by, or None when what was typed is not one."""
    cleaned = typed.strip().lower()
    return cleaned if _ADDRESS.fullmatch(cleaned) else None


def kind_of(departure: Departure, rules: UnitRules, upn: str) -> InterviewerKind:
    """How a colleague who takes over counts: the manager, an HR partner, or a trusted person."""
    person = upn.strip().lower()
    if person == departure.manager_upn:
        return InterviewerKind.MANAGER
    if person in {partner.strip().lower() for partner in rules.hr_partners}:
        return InterviewerKind.HR_PARTNER
    return InterviewerKind.POOL


def check_hand_over(departure: Departure, colleague: str, now: datetime) -> None:
    """Refusals of a handover to `colleague` (a UPN from the directory), before anything moves."""
    require_holder(departure, now)
    person = colleague.strip().lower()
    if person in (departure.leaver_upn, departure.interviewer_upn):
        raise NotAColleague("the leaver, or the person holding it already")


def hand_over(
    departure: Departure,
    colleague: str,
    kind: InterviewerKind,
    name: str,
    now: datetime,
) -> Departure:
    """The interviewer hands the conversation to a colleague: a booked time goes, the leaver
    chooses a new one with them."""
    check_hand_over(departure, colleague, now)
    return _to_new_interviewer(departure, colleague.strip().lower(), kind, name)
