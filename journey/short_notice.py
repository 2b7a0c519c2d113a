"""Short notice: a last working day today or tomorrow still gets a clear path (issue 11).

The usual search for times keeps a day's notice, so a leaver whose last day is today or
tomorrow would be offered a conversation that can never find a time. At short notice the
search looks from a short lead after now to the end of the last working day; if nothing is free
for both, the leaver is offered the survey and HR is told, rather than left waiting.
"""

from __future__ import annotations

from datetime import date, datetime

from journey.departure import Departure

# At short notice a time may start this soon after the search (a free hour later today).
SHORT_NOTICE_LEAD_HOURS = 1.0
# The last working day is at most this many days away: today (0) or tomorrow (1).
SHORT_NOTICE_DAYS = 1


def today_of(departure: Departure, now: datetime) -> date:
    """The date on the departure's wall clock at `now`."""
    return now.astimezone(departure.zone).date()


def is_short(departure: Departure, now: datetime) -> bool:
    """Whether the last working day is today or tomorrow (and not already past)."""
    days = (departure.last_working_day - today_of(departure, now)).days
    return 0 <= days <= SHORT_NOTICE_DAYS


def registered_at_short_notice(departure: Departure) -> bool:
    """Whether the departure was registered with its last day today or tomorrow.

    What the offer says is decided by when the case was registered, so a card drawn again
    later (the `status` command) says the same as the one that went out.
    """
    if departure.created_at is None:
        return False
    return is_short(departure, departure.created_at)


def min_notice_hours(departure: Departure, now: datetime, usual: float) -> float:
    """The notice a proposed time needs: `usual`, or the short lead at short notice."""
    return min(usual, SHORT_NOTICE_LEAD_HOURS) if is_short(departure, now) else usual
