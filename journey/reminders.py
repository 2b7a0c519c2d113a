"""Which reminders a departure should have right now: what, to whom, when (issue 4).

`plan` is a pure function of the departure's current state, the unit's rules and the time.
The journey calls it after every change and makes the result the departure's plan of due
actions (storage's `reschedule`): a moved last day moves what is not sent yet, a cancelled
departure keeps nothing pending, and what was sent stays sent (and in the timeline).

Times are decided on the departure's wall clock (reminders go out at the start of the working
day there; DST is zoneinfo's business) and handed over in UTC. A reminder whose time has
passed but whose reason still holds goes out at the next working moment instead.

Escalation (seed 000: the leaver should not fall through the cracks, and nobody nags them):
journey.escalation decides who hears about a matter left open for `escalate_after_working_days`
working days (one step per period) and spaces overdue steps a working day apart. An unanswered
offer gets one gentle reminder to the leaver, and reaches the manager only if the unit says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from journey import escalation
from journey.departure import Departure, DepartureStatus
from journey.due import CardToRender, ScheduledAction, due_action_key
from journey.notify import MessageKind
from journey.workdays import WorkingTime

REMINDER_KINDS: frozenset[MessageKind] = frozenset(
    {
        MessageKind.HANDOVER,
        MessageKind.HANDOVER_MANAGER,
        MessageKind.OFFER_AGAIN,
        MessageKind.CONVERSATION_REMINDER,
        MessageKind.FAREWELL_REMINDER,
        MessageKind.THANK_YOU,
        MessageKind.OFFER_ESCALATION,
        MessageKind.BOOKING_ESCALATION,
        MessageKind.HANDOVER_ESCALATION,
        MessageKind.NOTES_REMINDER,
        MessageKind.FAREWELL_GESTURES,
    }
)
"""The kinds `plan` owns: re-planning replaces every unsent action of these kinds."""

# Until the departure is closed or cancelled, the last day still comes (also after a "no").
_ACTIVE = frozenset(
    {
        DepartureStatus.REGISTERED,
        DepartureStatus.OFFERED,
        DepartureStatus.ACCEPTED,
        DepartureStatus.DECLINED,
        DepartureStatus.BOOKED,
        DepartureStatus.HELD,
    }
)


@dataclass(frozen=True)
class ReminderRules:
    """A unit's reminder settings (config.schema.Reminders) and whom it escalates to."""

    time: WorkingTime = field(default_factory=WorkingTime)
    handover_days_before: int = 14
    conversation_working_days_before: int = 1
    farewell_days_before: int = 3
    # 0 turns escalation off.
    escalate_after_working_days: int = 3
    handover_items: tuple[str, ...] = ()
    hr_contact: str | None = None  # the last step of the ladder; None stops at the manager
    # Issue 11: HR people after the contact (when the contact is the one not acting), whether
    # an unanswered offer goes to the manager, and the thank-you offers for every leaver.
    hr_backup: tuple[str, ...] = ()
    offer_to_manager: bool = False
    farewell_gestures: bool = False


@dataclass(frozen=True)
class Planned:
    """One reminder that should exist: its kind, recipient (UPN), time (UTC) and key."""

    kind: MessageKind
    recipient: str
    due_at: datetime
    key: str
    # Escalations: how many working days the matter has been open when this one goes out.
    days: int = 0
    # From then on it is pointless (the conversation began, the last day ended): the outbox
    # records it as skipped instead of sending it late.
    expires_at: datetime | None = None


def open_items(departure: Departure, rules: ReminderRules) -> list[str]:
    """The unit's handover items the departure has not ticked, in the unit's order."""
    done = set(departure.handover_done)
    return [item for item in rules.handover_items if item not in done]


def farewell_gestures_at(departure: Departure, rules: ReminderRules) -> datetime | None:
    """When every leaver gets the unit's thank-you offers: the farewell reminder's moment
    (issue 11); None where the unit keeps them for a held conversation's thank-you."""
    if not rules.farewell_gestures:
        return None
    time = replace(rules.time, zone=departure.zone)
    before = departure.last_working_day - timedelta(days=rules.farewell_days_before)
    return time.start_of(time.on_or_before(before))


def plan(departure: Departure, rules: ReminderRules, now: datetime) -> list[Planned]:
    """Every reminder the departure should have now (sent ones included, under their keys)."""
    if departure.status not in _ACTIVE:
        return []
    return _Planner(departure, rules, now).run()


def due_actions(departure_id: str, planned: Sequence[Planned]) -> list[ScheduledAction]:
    """The planned reminders as the departure's wanted due actions, keyed by their keys.

    Each names its card (journey.due.CardToRender) rather than carrying it: the sender renders
    it when it goes, so a wanted action changes only when its time, recipient or count does.
    """
    return [
        ScheduledAction(
            key=item.key,
            kind=item.kind.value,
            recipient_key=item.recipient,
            due_at=item.due_at,
            payload=CardToRender(days=item.days).payload(),
            departure_id=departure_id,
            expires_at=item.expires_at,
        )
        for item in planned
    ]


class _Planner:
    def __init__(self, departure: Departure, rules: ReminderRules, now: datetime) -> None:
        self.d = departure
        self.rules = rules
        self.now = now
        self.time = replace(rules.time, zone=departure.zone)
        self.last_end = self.time.end_of(departure.last_working_day)
        self.found: list[Planned] = []
        self.steps: list[escalation.Step] = []

    def run(self) -> list[Planned]:
        self._handover()
        self._offer()
        self._booking()
        self._conversation()
        self._farewell()
        self._notes()
        # Escalations last: spaced a working day apart, never fired together.
        for step, at in escalation.spaced(self.steps, self.time, self.now):
            key = due_action_key(self.d.id, step.kind, step.recipient, step.day)
            self._add(step.kind, step.recipient, at, key, days=step.days)
        return self.found

    # --- what ------------------------------------------------------------------------------

    def _handover(self) -> None:
        if not self.rules.handover_items:
            return
        d = self.d
        before = d.last_working_day - timedelta(days=self.rules.handover_days_before)
        day = self.time.on_or_before(before)
        at = self.time.start_of(day)
        # Once per person (no date in the key): a moved last day moves an unsent card, and a
        # sent one is never sent again.
        self._add(MessageKind.HANDOVER, d.leaver_upn, at, f"{d.id}:handover:{d.leaver_upn}")
        self._add(
            MessageKind.HANDOVER_MANAGER,
            d.manager_upn,
            at,
            f"{d.id}:handover_manager:{d.manager_upn}",
        )
        if open_items(d, self.rules):
            # Counted from when the card went out: registered late, it goes out later.
            start = max(day, self._day_of(d.created_at))
            self._escalate(MessageKind.HANDOVER_ESCALATION, start)

    def _offer(self) -> None:
        d = self.d
        if d.status is not DepartureStatus.OFFERED or escalation.unreachable(d):
            return
        if d.remind_offer_at is not None:  # "ask me later": that is the one reminder
            at = self.time.next_working_moment(d.remind_offer_at)
        elif self.rules.escalate_after_working_days > 0:  # one gentle reminder
            since = self._day_of(d.created_at)
            at = self.time.start_of(
                self.time.add_working_days(since, self.rules.escalate_after_working_days)
            )
        else:
            return
        key = due_action_key(d.id, MessageKind.OFFER_AGAIN, d.leaver_upn, self._day_of(at))
        self._add(MessageKind.OFFER_AGAIN, d.leaver_upn, at, key)
        self._escalate(MessageKind.OFFER_ESCALATION, self._day_of(at))

    def _booking(self) -> None:
        d = self.d
        if d.status is not DepartureStatus.ACCEPTED:
            return
        waiting = escalation.waiting_on(d) is escalation.Waiting.INTERVIEWER
        since = d.times_requested_at if waiting else (d.accepted_at or d.created_at)
        self._escalate(MessageKind.BOOKING_ESCALATION, self._day_of(since))

    def _conversation(self) -> None:
        d = self.d
        if d.status is not DepartureStatus.BOOKED or d.meeting_start is None:
            return
        meeting_day = self._day_of(d.meeting_start)
        day = self.time.add_working_days(meeting_day, -self.rules.conversation_working_days_before)
        at = self.time.start_of(day)
        for person in (d.leaver_upn, d.interviewer_upn):
            if person:
                # The meeting's start is in the key: a rebooked conversation is reminded anew.
                key = due_action_key(d.id, MessageKind.CONVERSATION_REMINDER, person, day)
                key = f"{key}:{d.meeting_start.astimezone(UTC):%Y%m%dT%H%M}"
                self._add(MessageKind.CONVERSATION_REMINDER, person, at, key, until=d.meeting_start)

    def _farewell(self) -> None:
        d = self.d
        before = d.last_working_day - timedelta(days=self.rules.farewell_days_before)
        at = self.time.start_of(self.time.on_or_before(before))
        key = f"{d.id}:farewell_reminder:{d.manager_upn}"
        self._add(MessageKind.FAREWELL_REMINDER, d.manager_upn, at, key)
        thanks = self.time.start_of(d.last_working_day)
        self._add(MessageKind.THANK_YOU, d.leaver_upn, thanks, f"{d.id}:thank_you:{d.leaver_upn}")
        # Seed 000: a reference, the alumni network, contact later, for every leaver; once
        # the conversation is held, its thank-you carries them instead (no double offer).
        if self.rules.farewell_gestures and d.status is not DepartureStatus.HELD:
            key = f"{d.id}:farewell_gestures:{d.leaver_upn}"
            self._add(MessageKind.FAREWELL_GESTURES, d.leaver_upn, at, key)

    def _notes(self) -> None:
        """After the conversation's time: record the notes or mark it held."""
        d = self.d
        window = escalation.notes_reminder_window(d, self.time)
        if window is None or d.meeting_start is None or not d.interviewer_upn:
            return
        at, until = window
        start = d.meeting_start.astimezone(UTC)
        key = f"{d.id}:notes_reminder:{d.interviewer_upn}:{start:%Y%m%dT%H%M}"
        self._add(MessageKind.NOTES_REMINDER, d.interviewer_upn, at, key, deadline=until)

    # --- how -------------------------------------------------------------------------------

    def _escalate(self, kind: MessageKind, since: date) -> None:
        """One step of the ladder (journey.escalation.ladder) per period of working days."""
        period = self.rules.escalate_after_working_days
        if period <= 0:
            return
        for step, person in enumerate(escalation.ladder(self.d, kind, self.rules), start=1):
            day = self.time.add_working_days(since, period * step)
            self.steps.append(escalation.Step(kind, person, day, period * step))

    def _add(
        self,
        kind: MessageKind,
        recipient: str,
        at: datetime,
        key: str,
        *,
        until: datetime | None = None,
        days: int = 0,
        deadline: datetime | None = None,
    ) -> None:
        # `deadline`: a reminder that may outlive the last day (the notes); else until then.
        if deadline is None:
            deadline = min(self.last_end, until) if until is not None else self.last_end
        # Past its time and not sent: as soon as working hours allow, if still in time.
        due = at if at >= self.now else self.time.next_working_moment(self.now)
        if due >= deadline:
            return
        expires = deadline.astimezone(UTC)
        self.found.append(Planned(kind, recipient, due.astimezone(UTC), key, days, expires))

    def _day_of(self, moment: datetime | None) -> date:
        return self.time.local_day(moment or self.now)
