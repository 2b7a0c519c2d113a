"""HR's `status` list on the real app: pages, filters, and "change or cancel" that leads back to
the list as HR left it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from journey.departure import DepartureStatus
from journey.hr_status import PAGE_SIZE
from journey.locale import SUPPORTED_LANGUAGES
from testkit import hr_list_seed
from tests.cards.validator import assert_valid_card
from tests.helpers.journey import HR, LEAVER, LiveApp, actions_of, cards_of, texts_of

LIST = "status.list"


def _button(card: dict[str, Any], verb: str, index: int = 0) -> dict[str, Any]:
    return [a for a in actions_of(card) if a["verb"] == verb][index]


def _ids(card: dict[str, Any]) -> list[str]:
    return [a["data"]["departure"] for a in actions_of(card) if a["verb"] == "register.manage"]


async def _first_list(app: LiveApp) -> dict[str, Any]:
    await app.say(HR, "status")

    async def posted() -> bool:
        return any(
            LIST in [a["verb"] for a in actions_of(c)]
            for activity in app.sent_to(HR)
            for c in cards_of(activity)
        )

    await app.until(posted, what="HR's list")
    return next(
        c
        for activity in reversed(app.sent_to(HR))
        for c in cards_of(activity)
        if LIST in [a["verb"] for a in actions_of(c)]
    )


async def test_hr_pages_filters_and_comes_back_to_the_list_after_a_change(app: LiveApp) -> None:
    today = app.clock.now().date()
    seeded = hr_list_seed.departures(120, today, app.clock.now())
    await app.departures.add_many(seeded)
    first = await _first_list(app)
    assert_valid_card(first)
    open_ones = sorted(
        (d for d in seeded if not d.is_over and d.last_working_day >= today),
        key=lambda d: (d.last_working_day, d.created_at, d.id),
    )
    assert _ids(first) == [d.id for d in open_ones[:PAGE_SIZE]]

    # The next page, then only the booked ones of one unit.
    second = (await app.press_button(HR, first, LIST, index=1))["value"]
    assert _ids(second) == [d.id for d in open_ones[PAGE_SIZE : 2 * PAGE_SIZE]]
    show = _button(second, LIST)
    body = await app.press(
        HR,
        LIST,
        {**show["data"], "unit": "home-care", "state": "booked", "attention": "false"},
    )
    booked = body["value"]
    assert_valid_card(booked)
    listed = {d.id: d for d in seeded}
    assert _ids(booked) and all(
        listed[i].unit == "home-care" and listed[i].status is DepartureStatus.BOOKED
        for i in _ids(booked)
    )

    # Change or cancel: the departure's card has a way back; a saved change leads back.
    chosen = _ids(booked)[0]
    manage = _button(booked, "register.manage")
    card = (await app.press(HR, "register.manage", manage["data"]))["value"]
    assert_valid_card(card)
    back = _button(card, LIST)
    assert back["data"] == {**manage["data"]["list"], "attention": False}
    moved = (listed[chosen].last_working_day + timedelta(days=7)).isoformat()
    change = _button(card, "register.change_day")
    answer = await app.press(
        HR, "register.change_day", {**change["data"], "last_working_day": moved}
    )
    again = answer["value"]
    assert LIST in [a["verb"] for a in actions_of(again)]  # the list, not a dead end
    assert (await app.departure(chosen)).last_working_day.isoformat() == moved
    assert set(_ids(again)) <= {d.id for d in seeded if d.unit == "home-care"}
    names = {listed[chosen].leaver_name}
    assert any(name in texts_of(again) for name in names)  # the notice names who changed

    cancel = _button(
        (await app.press(HR, "register.manage", _button(again, "register.manage")["data"]))[
            "value"
        ],
        "register.cancel",
    )
    gone = cancel["data"]["departure_id"]
    after_cancel = (await app.press(HR, "register.cancel", cancel["data"]))["value"]
    assert gone not in _ids(after_cancel)
    assert (await app.departure(gone)).status is DepartureStatus.CANCELLED


async def test_a_filter_not_offered_and_someone_not_hr_change_nothing(app: LiveApp) -> None:
    bad = await app.press(HR, LIST, {"unit": "no-such-unit", "page": 0})
    assert bad["value"] in {app.text("error.bad_input", lang) for lang in SUPPORTED_LANGUAGES}
    odd = await app.press(HR, LIST, {"state": "closed", "page": 0})
    assert odd["value"] == bad["value"]  # closed ones are found by search, not by state
    refused = await app.press(LEAVER, LIST, {"page": 0})
    assert refused["value"] in {app.text("error.not_allowed", lang) for lang in SUPPORTED_LANGUAGES}
