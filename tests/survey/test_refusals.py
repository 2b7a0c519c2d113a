"""Bad input on the survey's cards: a clear message, nothing stored, and the attempt audited."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.journey import LEAVER, MANAGER, PARTNER, STRANGER, LiveApp, TeamsUser
from tests.survey.helpers import card_of, refusals, started, stored


def _next_data(card: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in card["actions"] if a["verb"] == "survey.next")["data"]


@pytest.mark.parametrize(
    ("inputs", "text", "reason"),
    [
        ({"q_reasons_more": "x" * 1001}, "survey.refused.too_long", "too_long"),
        ({"q_reasons": "pay,bribes"}, "survey.refused.unknown_choice", "unknown_choice"),
        # `stay` is asked on another card; a forged card cannot slip it in here.
        (
            {"q_reasons": "pay", "q_stay": "forged"},
            "survey.refused.foreign_question",
            "foreign_question",
        ),
    ],
)
async def test_a_bad_answer_stores_nothing_and_is_audited(
    app: LiveApp, inputs: dict[str, str], text: str, reason: str
) -> None:
    departure, first = await started(app)
    before = await stored(app, departure.id)

    answer = await app.press(LEAVER, "survey.next", {**_next_data(first), **inputs})

    assert answer["value"] == app.text(text)
    assert await stored(app, departure.id) == before
    assert [(e.actor, e.detail["reason"]) for e in await refusals(app, departure.id)] == [
        (LEAVER.upn, reason)
    ]


async def test_a_replayed_card_is_stale_and_changes_nothing(app: LiveApp) -> None:
    departure, first = await started(app)
    card_of(await app.press_button(LEAVER, first, "survey.next", q_reasons="pay"))
    after_first = await stored(app, departure.id)

    replay = await app.press_button(LEAVER, first, "survey.next", q_reasons="career")

    assert replay["value"] == app.text("error.stale_action")
    assert await stored(app, departure.id) == after_first
    assert [e.detail["reason"] for e in await refusals(app, departure.id)] == ["stale"]


@pytest.mark.parametrize("other", [STRANGER, MANAGER, PARTNER], ids=lambda u: u.name)
async def test_someone_else_replaying_the_leavers_card_is_refused(
    app: LiveApp, other: TeamsUser
) -> None:
    departure, first = await started(app)
    before = await stored(app, departure.id)

    answer = await app.press_button(other, first, "survey.next", q_reasons="pay")
    start = await app.press(other, "survey.start", {"departure": departure.id})

    assert answer["value"] == app.text("error.for_leaver")
    assert start["value"] == app.text("error.for_leaver")  # not even the intro
    assert await stored(app, departure.id) == before
    assert {(e.actor, e.detail["reason"]) for e in await refusals(app, departure.id)} == {
        (other.upn, "not_leaver")
    }


async def test_a_payload_that_does_not_parse_changes_nothing(app: LiveApp) -> None:
    departure, first = await started(app)
    before = await stored(app, departure.id)

    answer = await app.press(LEAVER, "survey.next", {**_next_data(first), "revision": "latest"})

    assert answer["value"] == app.text("error.bad_input")
    assert await stored(app, departure.id) == before


async def test_the_survey_needs_someone_to_hold_the_conversation(app: LiveApp) -> None:
    await app.say(LEAVER, "help")
    departure = await app.register()
    await app.say(LEAVER, "survey")  # offered, not yet accepted

    answer = await app.press(LEAVER, "survey.start", {"departure": departure.id})

    assert answer["value"] == app.text("survey.not_available")
    assert await stored(app, departure.id) == (None, [])
