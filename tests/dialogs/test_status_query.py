"""Who sees which departures on `status`, and when the offer is sent again (journey.hr_status)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from journey.access import Asker
from journey.departure import Departure, DepartureStatus
from journey.hr_status import (
    SEARCH_MAX,
    HrQuery,
    clean_search,
    holding,
    hr_list,
    leaving,
    offer_again,
    open_departures_of,
)
from storage.hr_list import glob_pattern, regex_pattern

LEAVER = "ane@example.org"
INTERVIEWER = "hanne@example.org"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def departure(id: str, status: DepartureStatus, **fields: object) -> Departure:
    values: dict[str, object] = {
        "leaver_upn": LEAVER,
        "manager_upn": "bo@example.org",
        "unit": "",
        "last_working_day": date(2026, 3, 31),
    }
    return Departure(id=id, status=status, **(values | fields))


class Departures:
    """The reads of the repository port that the status query uses, over a list."""

    def __init__(self, *departures: Departure) -> None:
        self.stored = {d.id: d for d in departures}

    async def list_for_person(self, upn: str) -> Sequence[Departure]:
        return [
            d
            for d in self.stored.values()
            if upn in (d.leaver_upn, d.manager_upn, d.interviewer_upn)
        ]

    async def list_open(self, limit: int = 50) -> Sequence[Departure]:
        finished = {DepartureStatus.CANCELLED, DepartureStatus.CLOSED}
        return [d for d in self.stored.values() if d.status not in finished][:limit]

    async def hr_page(
        self, query: HrQuery, *, limit: int, offset: int, **_when: object
    ) -> tuple[list[Departure], int]:
        finished = {DepartureStatus.CANCELLED, DepartureStatus.CLOSED}
        found = [d for d in self.stored.values() if d.status not in finished]
        return found[offset : offset + limit], len(found)

    async def get(self, departure_id: str) -> Departure:
        return self.stored[departure_id]


class Offers:
    """Records the offers sent and marks the departure offered, as the flow does."""

    def __init__(self, departures: Departures) -> None:
        self.departures = departures
        self.sent: list[str] = []

    async def registered(self, departure: Departure) -> None:
        self.sent.append(departure.id)
        stored = self.departures.stored[departure.id]
        self.departures.stored[departure.id] = stored.model_copy(
            update={"status": DepartureStatus.OFFERED}
        )


async def test_the_leaver_sees_only_their_open_departures() -> None:
    repo = Departures(
        departure("open", DepartureStatus.OFFERED),
        departure("gone", DepartureStatus.CANCELLED),
        departure("done", DepartureStatus.CLOSED),
    )
    asker = Asker(user_id="u1", upn=LEAVER)
    open_ones = await open_departures_of(repo, asker)
    assert [d.id for d in leaving(open_ones, asker)] == ["open"]
    assert holding(open_ones, asker) == []
    assert await hr_list(repo, asker, HrQuery(), NOW, NOW.date()) is None


async def test_an_interviewer_sees_the_conversations_they_hold() -> None:
    held = departure("held", DepartureStatus.BOOKED, interviewer_upn=INTERVIEWER)
    other = departure("other", DepartureStatus.ACCEPTED, leaver_upn="carl@example.org")
    asker = Asker(user_id="u2", upn=INTERVIEWER)
    open_ones = await open_departures_of(Departures(held, other), asker)
    assert [d.id for d in holding(open_ones, asker)] == ["held"]
    assert leaving(open_ones, asker) == []


async def test_hr_sees_every_departure_under_way() -> None:
    repo = Departures(
        departure("a", DepartureStatus.OFFERED),
        departure("b", DepartureStatus.CANCELLED, leaver_upn="carl@example.org"),
    )
    hr = Asker(user_id="u3", upn="hr@example.org", is_hr=True)
    assert await open_departures_of(repo, Asker(user_id="u4")) == []
    listed = await hr_list(repo, hr, HrQuery(), NOW, NOW.date())
    assert listed is not None
    assert [d.id for d in listed.departures] == ["a"] and listed.total == 1


async def test_an_offer_that_never_reached_the_leaver_is_sent_again_once() -> None:
    repo = Departures(departure("new", DepartureStatus.REGISTERED))
    offers = Offers(repo)
    again = await offer_again(offers, repo, repo.stored["new"])
    assert again is not None and again.status is DepartureStatus.OFFERED
    assert await offer_again(offers, repo, again) is None
    assert offers.sent == ["new"]


def test_a_name_search_keeps_no_control_characters_and_stays_short() -> None:
    assert clean_search("  Søren\x00\x1b[31m \t Østergaard\u200b ") == "Søren [31m Østergaard"
    assert clean_search("å" * 500) == "å" * SEARCH_MAX


def test_the_list_pattern_matches_each_letter_in_either_case() -> None:
    assert glob_pattern("øs*") == "*[øØ][sS][*]*"
    assert regex_pattern("Øs.") == "[øØ][sS]\\."
