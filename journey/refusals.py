"""Why a card action changed nothing: each is answered with its own text, never a crash."""

from __future__ import annotations

from journey.departure import Departure


class JourneyRefusal(Exception):
    """A card action that the journey refuses; the departure is unchanged."""


class NotAllowed(JourneyRefusal):
    """The person asking has no right to this departure or this action (audited)."""


class StaleAction(JourneyRefusal):
    """The card belongs to an earlier state of the departure (e.g. accept after cancel)."""


class AlreadyBooked(JourneyRefusal):
    """A time was picked while a conversation is already booked; the booking stands."""

    def __init__(self, departure: Departure) -> None:
        super().__init__("the conversation is already booked")
        self.departure = departure
