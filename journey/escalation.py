"""Who hears about a matter left open, and when (issue 11): escalation that respects a voluntary
offer.

Seed 000 warns of the power asymmetry between manager/HR and the employee, and seed 004 asks
whether to *offer* the conversation: so

- the leaver's own matters (the offer, or picking a time after a yes) are not pushed through
  their manager unless the unit turns that on (`reminders.escalate_unanswered_offer_to_manager`);
  by default the leaver gets one gentle reminder and HR's status says "offer unanswered";
- when the chosen interviewer (an HR partner, someone from the pool, or the manager) is the one
  not acting, it goes to the unit's HR contact, never to the leaver's manager;
- a leaver the bot cannot reach is shown to HR as unreachable and never escalated as "has not
  answered";
- overdue steps (after downtime, a late registration) go one working day apart, never together.

Plain functions of the departure, the unit's working time and the moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from journey.departure import Departure, DepartureStatus, Reach
from journey.notify import MessageKind
from journey.workdays import WorkingTime

if TYPE_CHECKING:
    from journey.reminders import ReminderRules

# Teams could not bring the bot's message to the leaver: blocked, uninstalled, no Teams.
UNREACHABLE: frozenset[Reach] = frozenset(
    {Reach.BLOCKED, Reach.NOT_FOUND, Reach.NO_CONVERSATION, Reach.FAILED}
)

# The notes reminder is useful for this many working days after the conversation.
NOTES_REMINDER_WORKING_DAYS = 5


class Waiting(StrEnum):
    """Whose move it is."""

    LEAVER = "leaver"
    INTERVIEWER = "interviewer"
    NOBODY = "nobody"


class Attention(StrEnum):
    """Why HR's list points at a departure (journey.hr_status.attention_of decides; the texts
    are `attention.<value>`)."""

    UNREACHABLE = "unreachable"  # the bot cannot reach the leaver
    UNANSWERED = "unanswered"  # the leaver has not answered the offer
    NO_INTERVIEWER = "no_interviewer"  # a yes, but nobody chosen to hold it
    NOT_BOOKED = "not_booked"  # a yes and an interviewer, but the leaver picked no time
    INTERVIEWER_NOT_ACTING = "interviewer_not_acting"  # the interviewer has not sent times
    NOTES_MISSING = "notes_missing"  # the conversation's time has passed, not marked held


@dataclass(frozen=True)
class Step:
    """One escalation: what, to whom, the working day it is due, and how long it waited."""

    kind: MessageKind
    recipient: str
    day: date
    days: int


def unreachable(departure: Departure) -> bool:
    """The bot could not reach the leaver (HR sees why); never escalated as "no answer"."""
    return departure.reach in UNREACHABLE and not departure.is_over


def waiting_on(departure: Departure) -> Waiting:
    """Whose move it is in the offer and the booking."""
    if departure.status is DepartureStatus.OFFERED:
        return Waiting.LEAVER
    if departure.status is DepartureStatus.ACCEPTED:
        # The leaver asked for other times (or none were found): the interviewer must act.
        if departure.interviewer_upn and departure.times_requested_at is not None:
            return Waiting.INTERVIEWER
        return Waiting.LEAVER
    return Waiting.NOBODY


def ladder(departure: Departure, kind: MessageKind, rules: ReminderRules) -> list[str]:
    """Whom `kind` goes to, in order (one step per period); empty: nobody is chased."""
    if unreachable(departure) and kind is not MessageKind.HANDOVER_ESCALATION:
        return []
    waiting = waiting_on(departure)
    skip = {departure.leaver_upn}
    if kind is MessageKind.HANDOVER_ESCALATION:
        people = [departure.manager_upn, *_hr(rules, skip)]
    elif waiting is Waiting.INTERVIEWER:
        # The interviewer is the one not acting: the unit's HR contact, never the manager.
        skip.add(departure.interviewer_upn or "")
        people = _hr(rules, skip)
    elif waiting is Waiting.LEAVER and rules.offer_to_manager:
        people = [departure.manager_upn, *_hr(rules, skip)]
    else:
        people = []
    return [person for person in dict.fromkeys(people) if person and person not in skip]


def _hr(rules: ReminderRules, skip: set[str]) -> list[str]:
    """The unit's HR contact, else the next HR person when the contact is the one skipped."""
    for person in (rules.hr_contact, *rules.hr_backup):
        if person and person not in skip:
            return [person]
    return []


def spaced(steps: Iterable[Step], time: WorkingTime, now: datetime) -> list[tuple[Step, datetime]]:
    """Each step at the start of its working day; never two on one day.

    A step whose day has passed (downtime, a late registration) goes at the next working
    moment, and each further one a working day after the one before.
    """
    placed: list[tuple[Step, datetime]] = []
    last: date | None = None
    for step in sorted(steps, key=lambda s: (s.day, s.days, s.kind.value, s.recipient)):
        at = time.start_of(step.day)
        if at < now:
            at = time.next_working_moment(now)
        if last is not None and time.local_day(at) <= last:
            at = time.start_of(time.add_working_days(last, 1))
        last = time.local_day(at)
        placed.append((step, at))
    return placed


def notes_reminder_window(
    departure: Departure, time: WorkingTime
) -> tuple[datetime, datetime] | None:
    """When to remind the interviewer to record the notes: from the meeting's end, for a
    few working days; None unless a booked conversation has an interviewer and an end."""
    end = departure.meeting_end
    if departure.status is not DepartureStatus.BOOKED or end is None:
        return None
    if not departure.interviewer_upn:
        return None
    last = time.add_working_days(time.local_day(end), NOTES_REMINDER_WORKING_DAYS)
    return time.next_working_moment(end), time.end_of(last)


def _time_of(departure: Departure, rules: ReminderRules) -> WorkingTime:
    return replace(rules.time, zone=departure.zone)
