"""Why a card action changed nothing: each is answered with its own text, never a crash."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from journey.departure import Departure, DepartureStatus


class JourneyRefusal(Exception):
    """A card action that the journey refuses; the departure is unchanged."""


class Reason(StrEnum):
    """Why a person may not do what they asked: whom it is for, never who that is.

    Each is told with its own text (dialogs.routes) and written to the audit log as the
    refusal's `reason`.
    """

    NOT_HR = "not_hr"  # HR's commands and cards
    NOT_LEAVER = "not_leaver"  # the offer, the choice, the booking, the survey, the thanks
    NOT_INTERVIEWER = "not_interviewer"  # the task card, new times, notes, passing it on
    NOT_LEAVER_OR_INTERVIEWER = "not_leaver_or_interviewer"  # moving or cancelling the meeting
    NOT_LEAVER_OR_MANAGER = "not_leaver_or_manager"  # the handover checklist
    NOT_MANAGER_OR_HR = "not_manager_or_hr"  # whether the departure is regrettable
    NOT_INTERVIEWER_OR_HR = "not_interviewer_or_hr"  # where and how the meeting is held
    NOT_INVOLVED = "not_involved"  # a card about a departure the person has no part in
    OWN_DEPARTURE = "own_departure"  # HR's card on their own departure: not the regret
    NO_FIGURES = "no_figures"  # insights: neither HR nor the manager of anyone who left
    NOT_IN_SCOPE = "not_in_scope"  # insights: figures of a unit the person does not manage
    NOT_SHARED = "not_shared"  # a shared summary: the leaver has not shared it with them (now)
    # The follow-up lists (issue 14): no unit to see (HR, manager, representative) and no
    # follow-up of one's own.
    NO_FOLLOW_UPS = "no_follow_ups"
    NOT_OWNER = "not_owner"  # a follow-up: marked done or handed on by its owner only (issue 14)


INSIGHTS_SCOPE = "insights"  # the scope of a refusal about figures across departures
FOLLOW_UPS_SCOPE = "follow_ups"  # the scope of a refusal of the follow-up lists (issue 14)


class NotAllowed(JourneyRefusal):
    """The person asking has no right to this departure, these figures or this action.

    Raised wherever access is checked; dialogs.router writes every one to the audit log
    (who asked, the verb, the departure or the scope, the reason and `detail`, words and ids
    only) under `action`, and answers with the reason's text.
    """

    def __init__(
        self,
        reason: Reason,
        *,
        departure_id: str | None = None,
        scope: str | None = None,
        action: str = "refused",
        detail: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.departure_id = departure_id
        self.scope = scope
        self.action = action
        self.detail = dict(detail or {})


class StaleAction(JourneyRefusal):
    """The card belongs to an earlier state of the departure (e.g. accept after cancel);
    `current` is the departure as it stands, when the refusal knows it."""

    def __init__(self, why: str = "", current: Departure | None = None) -> None:
        super().__init__(why)
        self.current = current


def require_mark(departure: Departure, mark: str) -> Departure:
    """The departure if a card with `mark` was drawn for its current plan; else StaleAction
    (DepartureClosed when the departure has closed meanwhile)."""
    if departure.status is DepartureStatus.CLOSED:
        raise DepartureClosed(departure.id)
    if departure.mark != mark:
        raise StaleAction("the card was drawn for an earlier plan", departure)
    return departure


class AlreadyBooked(JourneyRefusal):
    """A time was picked while a conversation is already booked; the booking stands."""

    def __init__(self, departure: Departure) -> None:
        super().__init__("the conversation is already booked")
        self.departure = departure


class DepartureClosed(StaleAction):
    """The departure is closed (journey.closing): nothing on it changes any more."""

    def __init__(self, departure_id: str) -> None:
        super().__init__("the departure is closed")
        self.departure_id = departure_id


def refuse_if_closed(departure: Departure) -> Departure:
    """The departure, unless it is closed: then DepartureClosed (nothing more changes)."""
    if departure.status is DepartureStatus.CLOSED:
        raise DepartureClosed(departure.id)
    return departure
