"""Nobody is registered twice (issue 12): however many calls arrive at once, a leaver has one
active departure and gets one offer; a last working day far in the future is refused by the
API and by HR's form in Teams. The real service, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.repositories import SqlAuditLog
from storage.tables import departures
from tests.helpers.hr_api import Answer, Api
from tests.helpers.journey import HR, LAST_DAY, LEAVER, cards_of, texts_of, verbs_of
from tests.hr_api.conftest import Both

FAR = "9999-12-31"


def _body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "externalId": "HR-2026-0100",
        "leaver": LEAVER.upn,
        "unit": "social-care",
        "lastWorkingDay": LAST_DAY.isoformat(),
        "locale": "da",
    }
    body.update(changes)
    return body


def _offers(both: Both) -> list[dict[str, Any]]:
    return [
        card
        for activity in both.teams.sent_to(LEAVER)
        for card in cards_of(activity)
        if "offer.accept" in verbs_of(card)
    ]


async def _changes(api: Api, departure_id: str) -> list[str]:
    """What HR's doors did to the departure, as the audit trail tells it."""
    entries = await SqlAuditLog(api.db).for_departure(departure_id)
    return [entry.action for entry in entries if entry.action.startswith("departure.")]


async def _active(both: Both) -> int:
    async with both.api.db.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(departures)
            .where(
                departures.c.leaver_upn == LEAVER.upn,
                departures.c.status.not_in(("closed", "cancelled")),
            )
        )
    return int(count or 0)


async def test_fifteen_registrations_at_once_store_one_departure_and_send_one_offer(
    both_doors: Both,
) -> None:
    both = both_doors
    await both.teams.say(LEAVER, "hej", locale="da-DK")  # the bot knows how to reach her
    calls = [
        both.api.call("POST", "/api/departures", json=_body(externalId=f"HR-{n}"))
        for n in range(15)
    ]
    answers: list[Answer] = await asyncio.gather(*calls)

    statuses = sorted(answer.status for answer in answers)
    assert statuses == [201] + [409] * 14, statuses
    [created] = [answer.body for answer in answers if answer.status == 201]
    for refused in (answer.body for answer in answers if answer.status == 409):
        assert refused["problems"] == [
            {
                "field": "leaver",
                "code": "register.already_registered",
                "message": both.api.config.text("register.already_registered", "en"),
                "departureId": created["id"],
            }
        ]
    assert await _active(both) == 1
    assert await both.api.count() == 1

    await both.teams.card_for(LEAVER, both.teams.text("offer.title", "da"))
    await both.teams.settled()
    assert len(_offers(both)) == 1
    # The same externalId again is still the same departure, not a conflict.
    again = await both.api.call(
        "POST", "/api/departures", json=_body(externalId=created["externalId"])
    )
    assert (again.status, again.body["id"]) == (200, created["id"])


async def test_a_last_day_in_the_year_9999_is_refused_by_the_api(both_doors: Both) -> None:
    api = both_doors.api
    far = await api.call(
        "POST",
        "/api/departures",
        json=_body(lastWorkingDay=FAR),
        headers={"Accept-Language": "sv-SE"},
    )
    assert far.status == 422
    assert far.body["problems"] == [
        {
            "field": "lastWorkingDay",
            "code": "register.last_day_too_far",
            "message": api.config.text("register.last_day_too_far", "sv"),
        }
    ]
    assert await api.count() == 0

    created = await api.call("POST", "/api/departures", json=_body())
    assert created.status == 201
    path = f"/api/departures/{created.body['id']}"
    audited = await _changes(api, created.body["id"])
    moved = await api.call("PATCH", path, json={"lastWorkingDay": FAR})
    again = await api.call("POST", "/api/departures", json=_body(lastWorkingDay=FAR))
    for answer in (moved, again):
        assert answer.status == 422
        assert answer.body["problems"][0]["code"] == "register.last_day_too_far"
    stored = await api.call("GET", path)
    assert stored.body["lastWorkingDay"] == LAST_DAY.isoformat()
    assert await _changes(api, created.body["id"]) == audited  # nothing changed


@pytest.mark.parametrize("locale", ["da-DK", "sv-SE", "nb-NO", "en-US"])
async def test_hr_form_in_teams_refuses_9999_in_the_person_s_language(
    both_doors: Both, locale: str
) -> None:
    teams = both_doors.teams
    form = {
        "leaver": LEAVER.upn,
        "manager": "",
        "unit": "social-care",
        "last_working_day": FAR,
        "locale": "",
        "departure_type": "resignation",
    }
    answer = await teams.press(HR, "register.submit", form, locale=locale)
    shown = texts_of(answer["value"])
    language = locale.split("-")[0]
    assert teams.config.text("register.last_day_too_far", language) in shown
    assert await both_doors.api.count() == 0
