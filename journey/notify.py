"""What the journey tells people, as a port: the bot renders it as cards and sends it to Teams."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from journey.departure import Departure, Reach
from journey.slots import Slot

if TYPE_CHECKING:
    from journey.reminders import Planned


class MessageKind(StrEnum):
    """The proactive messages of the journey (the `kind` of their due actions)."""

    OFFER = "offer"  # to the leaver: the offer of a conversation
    SLOTS = "slots"  # to the leaver: times to choose from, after a change they did not make
    BOOKING_CANCELLED = "booking_cancelled"  # to the leaver: the interviewer cancelled
    TASK = "task"  # to the interviewer: the task card, updated in place afterwards
    BOOKED = "booked"  # to the interviewer: the confirmation with the join link
    ASK_TIMES = "ask_times"  # to the interviewer: the leaver needs other times
    # Reminders (issue 4): planned by journey.reminders, re-planned after every change.
    HANDOVER = "handover"  # to the leaver: the handover checklist, ticked in place
    HANDOVER_MANAGER = "handover_manager"  # to the manager: the same checklist
    OFFER_AGAIN = "offer_again"  # to the leaver: the offer again, after "ask me later"
    CONVERSATION_REMINDER = "conversation_reminder"  # to leaver and interviewer, with the link
    FAREWELL_REMINDER = "farewell_reminder"  # to the manager: plan the farewell
    THANK_YOU = "thank_you"  # to the leaver on the last working day
    OFFER_ESCALATION = "offer_escalation"  # the offer is unanswered: manager, then HR
    BOOKING_ESCALATION = "booking_escalation"  # accepted, nothing booked: manager, then HR
    HANDOVER_ESCALATION = "handover_escalation"  # items still open: manager, then HR
    # How and where (issue 11): the leaver is told of a place or a time agreed outside the
    # bot; HR is told when a last day today or tomorrow left no time free for both.
    MEETING_CHANGED = "meeting_changed"
    SHORT_NOTICE = "short_notice"
    # Issue 11: after the conversation's time, the interviewer records the notes or marks it
    # held; on the farewell reminder's day every leaver gets the unit's thank-you offers.
    NOTES_REMINDER = "notes_reminder"  # to the interviewer, with a button to the notes
    FAREWELL_GESTURES = "farewell_gestures"  # to the leaver: reference, alumni, contact later
    # The survey and the time after the conversation: the journey records nothing when these
    # are sent (see RECORDED_KINDS).
    SURVEY_OFFER = "survey_offer"  # to the leaver, once the conversation is booked
    THANKS_AFTER = "thanks_after"  # to the leaver: the thank-you after the conversation
    WISHES = "thanks_wishes"  # to the interviewer: the leaver's wishes, once per change
    # Issue 14: to the manager or the successor's hiring manager, when the leaver shares a
    # summary with them (the text only in their own refresh); once per change.
    SHARED_SUMMARY = "shared_summary"
    # Follow-ups (issue 14): to the owner when given one, and on its due date at 09:00.
    FOLLOW_UP = "follow_up"
    FOLLOW_UP_REMINDER = "follow_up_reminder"


# A follow-up outlives its case: closing it does not withdraw these (journey.closing).
FOLLOW_UP_KINDS: frozenset[MessageKind] = frozenset(
    {MessageKind.FOLLOW_UP, MessageKind.FOLLOW_UP_REMINDER}
)


# The kinds whose outcome goes back on the departure (its reach, the cards to update later).
RECORDED_KINDS: frozenset[MessageKind] = frozenset(MessageKind) - {
    MessageKind.SURVEY_OFFER,
    MessageKind.THANKS_AFTER,
    MessageKind.WISHES,
    MessageKind.SHARED_SUMMARY,
    *FOLLOW_UP_KINDS,  # about a follow-up: nothing to record on the departure
}


class JourneyNotifier(Protocol):
    """How the journey reaches people; implemented by outbox.notifier.TeamsNotifier."""

    async def offer(self, departure: Departure) -> Reach | None:
        """Send the offer to the leaver: None when it is on its way, else why it cannot go."""
        ...

    async def survey_instead(self, departure: Departure) -> Reach | None:
        """Offer the leaver the survey in place of a conversation (the unit's offer policy):
        None when it is on its way, else why it cannot go."""
        ...

    async def invitation(self, departure: Departure) -> tuple[str, str]:
        """The meeting invitation's subject and HTML body, stating the purpose (seed 001)."""
        ...

    async def task_changed(self, departure: Departure) -> None:
        """Send the interviewer's task card, or update the one sent."""
        ...

    async def booked(self, departure: Departure) -> None:
        """Tell the interviewer the conversation is booked (with the join link)."""
        ...

    async def ask_for_times(self, departure: Departure) -> None:
        """Ask the interviewer to suggest other times: none fit, or none were found."""
        ...

    async def slots_to_leaver(self, departure: Departure, slots: Sequence[Slot]) -> None:
        """Send the leaver times to choose from (after a change someone else made)."""
        ...

    async def booking_cancelled_to_leaver(self, departure: Departure) -> None:
        """Tell the leaver the interviewer cancelled the booked conversation."""
        ...

    async def departure_cancelled(self, departure: Departure, *, was_booked: bool) -> None:
        """The leaver stays: withdraw unsent messages and mark the cards as cancelled."""
        ...

    async def reminders(self, departure: Departure, planned: Sequence[Planned]) -> None:
        """Make `planned` the departure's reminders: unsent others of their kinds go."""
        ...

    async def handover_changed(self, departure: Departure) -> None:
        """Update the handover checklists already posted to the leaver and the manager."""
        ...
