"""The `status` question: which departures each person sees, and the offer a leaver still owes.

The leaver sees their own open departures, an interviewer the conversations they hold (when
the booking is theirs to see), HR every departure under way whose reach it may check. Plain
rules over the repository port; the dialog only renders what they return.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Protocol

from journey.access import Act, Asker, Role, may, roles_of
from journey.departure import Departure, DepartureStatus, Reach
from journey.escalation import Attention
from journey.ports import DepartureRepository

FINISHED = frozenset({DepartureStatus.CANCELLED, DepartureStatus.CLOSED})
# HR's list: departures per page, and the states it can be narrowed to (the open ones).
PAGE_SIZE = 15
OPEN_STATES: tuple[DepartureStatus, ...] = tuple(s for s in DepartureStatus if s not in FINISHED)
SEARCH_MAX = 100  # characters of a name search
# How long an offer may wait for an answer, or an accepted conversation for a time, before
# HR's list says it needs attention (about three working days); and how long after its end a
# booked conversation may stay unmarked.
QUIET = timedelta(days=3)
NOTES_GRACE = timedelta(days=1)


def attention_of(departure: Departure, now: datetime) -> tuple[Attention, ...]:
    """Why HR's list points at `departure` now; storage.hr_list asks the same in SQL.

    The reasons are journey.escalation's, with its texts; the list counts QUIET calendar days
    where the escalation counts the unit's working days, so that the database can filter.
    """
    if departure.is_over:
        return ()
    if departure.reach is not None and departure.reach is not Reach.OK:
        return (Attention.UNREACHABLE,)
    quiet_since = now - QUIET
    status = departure.status
    if status is DepartureStatus.OFFERED:
        remind = departure.remind_offer_at
        if (remind is not None and remind <= now) or (
            remind is None and _before(departure.created_at, quiet_since)
        ):
            return (Attention.UNANSWERED,)
    elif status is DepartureStatus.ACCEPTED:
        if departure.interviewer_upn and departure.times_requested_at is not None:
            if departure.times_requested_at <= quiet_since:
                return (Attention.INTERVIEWER_NOT_ACTING,)
        elif _before(departure.accepted_at or departure.created_at, quiet_since):
            chosen = departure.interviewer_upn
            return (Attention.NOT_BOOKED if chosen else Attention.NO_INTERVIEWER,)
    elif status is DepartureStatus.BOOKED and _before(departure.meeting_end, now - NOTES_GRACE):
        return (Attention.NOTES_MISSING,)
    return ()


def _before(moment: datetime | None, limit: datetime) -> bool:
    return moment is not None and moment <= limit


@dataclass(frozen=True)
class HrQuery:
    """What HR asks its list for: filters, a name to search for, and the page (from 0).

    Without a search the list holds the open departures; a search finds closed and cancelled
    ones too. Upcoming last days come first, soonest first; then those whose last day has
    passed (waiting to close), the most recent first.
    """

    unit: str | None = None
    state: DepartureStatus | None = None
    attention: bool = False
    search: str = ""
    page: int = 0


@dataclass(frozen=True)
class HrPage:
    """One page of HR's list: its departures, how many match in all, and why each needs
    attention."""

    departures: tuple[Departure, ...]
    total: int
    query: HrQuery
    attention: dict[str, tuple[Attention, ...]] = field(default_factory=dict)
    size: int = PAGE_SIZE

    @property
    def first(self) -> int:
        """The number of the first departure shown (1-based; 0 when none)."""
        return self.query.page * self.size + 1 if self.departures else 0

    @property
    def last(self) -> int:
        return self.query.page * self.size + len(self.departures)

    @property
    def has_previous(self) -> bool:
        return self.query.page > 0

    @property
    def has_next(self) -> bool:
        return self.last < self.total


def clean_search(text: str) -> str:
    """A name search as the list uses it: no control characters, single spaces, at most
    SEARCH_MAX characters."""
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(printable.split())[:SEARCH_MAX].strip()


class HrListing(Protocol):
    """HR's list, counted and cut in the database (storage.departures)."""

    async def hr_page(
        self,
        query: HrQuery,
        *,
        today: date,
        now: datetime,
        quiet_since: datetime,
        limit: int,
        offset: int,
    ) -> tuple[list[Departure], int]:
        """The departures of one page in the list's order, and how many match in all."""
        ...


class Offers(Protocol):
    """The service that owns the offer (journey.flow)."""

    async def registered(self, departure: Departure) -> None:
        """Offer the leaver the conversation, once, if it was not offered yet."""
        ...


async def open_departures_of(departures: DepartureRepository, asker: Asker) -> list[Departure]:
    """The asker's own departures (in any role) that are neither cancelled nor closed."""
    mine = await departures.list_for_person(asker.upn) if asker.upn else []
    return [d for d in mine if d.status not in FINISHED]


def leaving(open_ones: Sequence[Departure], asker: Asker) -> list[Departure]:
    """The departures in which the asker is the one leaving."""
    return [d for d in open_ones if Role.LEAVER in roles_of(d, asker.upn)]


def holding(open_ones: Sequence[Departure], asker: Asker) -> list[Departure]:
    """The conversations the asker holds and may see the booking of."""
    return [
        d
        for d in open_ones
        if Role.INTERVIEWER in roles_of(d, asker.upn) and may(d, asker, Act.VIEW_BOOKING)
    ]


async def hr_list(
    listing: HrListing, asker: Asker, query: HrQuery, now: datetime, today: date
) -> HrPage | None:
    """The page of departures HR asked for; None for anyone who is not HR.

    HR sees the reach of every departure (journey.access), so the page is the query's, counted
    and cut in the database; a page past the end (departures closed meanwhile) is the last.
    """
    if not asker.is_hr or not asker.upn:
        return None

    async def page_of(wanted: HrQuery) -> tuple[list[Departure], int]:
        return await listing.hr_page(
            wanted,
            today=today,
            quiet_since=now - QUIET,
            now=now,
            limit=PAGE_SIZE,
            offset=wanted.page * PAGE_SIZE,
        )

    found, total = await page_of(query)
    last = max(0, (total - 1) // PAGE_SIZE)
    if query.page > last:
        query = replace(query, page=last)
        found, total = await page_of(query)
    shown = [d for d in found if may(d, asker, Act.VIEW_REACH)]
    return HrPage(
        departures=tuple(shown),
        total=total,
        query=query,
        attention={d.id: attention_of(d, now) for d in shown},
    )


async def offer_again(
    offers: Offers, departures: DepartureRepository, departure: Departure
) -> Departure | None:
    """Send the offer that could not reach the leaver before; the departure as it then stands.

    None when the departure is past its offer (there is nothing to send again).
    """
    if departure.status is not DepartureStatus.REGISTERED:
        return None
    await offers.registered(departure)
    return await departures.get(departure.id)
