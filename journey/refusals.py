"""Why a card action changed nothing: each is answered with its own text, never a crash."""

from __future__ import annotations

from journey.departure import Departure, DepartureStatus


class JourneyRefusal(Exception):
    """A card action that the journey refuses; the departure is unchanged."""


class NotAllowed(JourneyRefusal):
    """The person asking has no right to this departure or this action (audited)."""


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
