"""The language a person reads, on the real app (SQLite): the one they chose, else the one HR
registered for the leaver, else their Teams locale; in this chat and in what comes later."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.typedefs import DATABASE
from storage.language_choices import SqlLanguageChoices
from storage.tables import language_choices
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import (
    HR,
    LEAVER,
    MANAGER,
    LiveApp,
    TeamsUser,
    actions_of,
    cards_of,
    verbs_of,
)


def last_card(app: LiveApp, user: TeamsUser) -> dict[str, Any]:
    [card] = cards_of(app.sent_to(user)[-1])
    return card


async def choose(app: LiveApp, user: TeamsUser, language: str, locale: str = "en-US") -> Any:
    return await app.press(user, "language.choose", {"language": language}, locale=locale)


async def chosen(app: LiveApp, user: TeamsUser) -> str | None:
    return await SqlLanguageChoices(app.app[DATABASE]).chosen(user.upn)


@pytest.mark.parametrize(
    ("word", "locale", "language"),
    [
        ("language", "en-US", "en"),
        ("sprog", "da-DK", "da"),
        ("språk", "sv-SE", "sv"),
        ("språk", "nb-NO", "nb"),
        ("sprak", "nb-NO", "nb"),
    ],
)
async def test_the_language_command_shows_the_four_languages(
    app: LiveApp, word: str, locale: str, language: str
) -> None:
    await app.say(HR, "hi", locale=locale)  # welcomed first
    await app.say(HR, word, locale=locale)

    card = await app.card_for(HR, app.text("language.title", language))
    assert card["lang"] == language
    buttons = [action for action in card["actions"] if action["verb"] == "language.choose"]
    assert [b["data"] for b in buttons] == [{"language": code} for code in ("da", "sv", "nb", "en")]
    titles = [b["title"] for b in buttons]
    assert titles == [
        ("✓ " if code == language else "") + name
        for code, name in zip(
            ("da", "sv", "nb", "en"), ("Dansk", "Svenska", "Norsk (bokmål)", "English"), strict=True
        )
    ]
    assert_valid_cards([card])


async def test_the_help_lists_the_language_command_in_the_readers_words(app: LiveApp) -> None:
    await app.say(LEAVER, "hjælp", locale="da-DK")
    card = await app.card_for(LEAVER, app.text("help.title", "da"))
    facts = {
        f["title"]: f["value"] for b in card["body"] if b["type"] == "FactSet" for f in b["facts"]
    }
    assert facts["sprog"] == app.text("help.command.language", "da")


async def test_chosen_comes_before_hrs_which_comes_before_teams_in_the_chat(app: LiveApp) -> None:
    # HR writes in Danish (Teams) and has no departure: Teams decides.
    await app.say(HR, "hjælp", locale="da-DK")
    assert last_card(app, HR)["lang"] == "da"
    # HR registered the leaver in Danish; her Teams says en-US: HR's registration wins.
    await app.register(locale="da")
    await app.say(LEAVER, "help", locale="en-US")
    help_card = await app.card_for(LEAVER, app.text("help.title", "da"))
    assert help_card["lang"] == "da"

    # She chooses Swedish: the answer and everything after it are Swedish.
    answer = await choose(app, LEAVER, "sv")
    assert answer["value"]["lang"] == "sv"
    assert app.text("language.saved", "sv") in str(answer["value"])
    assert await chosen(app, LEAVER) == "sv"
    await app.say(LEAVER, "help", locale="en-US")
    assert last_card(app, LEAVER)["lang"] == "sv"
    # A refusal speaks her choice too.
    refused = await app.press(LEAVER, "register.manage", {"departure_id": "nope"})
    assert refused["value"] in (
        app.text("error.not_allowed", "sv"),
        app.text("error.stale_action", "sv"),
    )


async def test_proactive_cards_follow_the_choice_then_hrs_registration(app: LiveApp) -> None:
    await app.say(HR, "help")
    await app.say(LEAVER, "hi", locale="en-US")  # the bot can reach her; Teams says en-US
    await app.register(locale="da")
    # Without a choice, the offer comes in the language HR registered, not Teams' English.
    offer = await app.card_for(LEAVER, app.text("offer.title", "da"))
    assert offer["lang"] == "da"
    assert "offer.accept" in verbs_of(offer)

    # She chooses Norwegian; the next card the bot sends on its own is Norwegian.
    await choose(app, LEAVER, "nb")
    await app.hr_cancels((await app.departures.list_for_person(LEAVER.upn))[0].id)
    await app.settled()
    cancelled = [r.body for r in app.requests("PUT", "/activities/") if r.body and cards_of(r.body)]
    assert cancelled, "the offer card is replaced when HR cancels"
    assert cards_of(cancelled[-1])[0]["lang"] == "nb"


async def test_the_interviewers_cards_use_their_choice_before_their_teams_locale(
    app: LiveApp,
) -> None:
    await app.say(HR, "help")
    await app.say(LEAVER, "hi")
    await app.say(MANAGER, "hi", locale="en-US")
    await choose(app, MANAGER, "sv")
    departure = await app.register()
    offer = await app.card_for(LEAVER, app.text("offer.title"))
    choice = (await app.press(LEAVER, "offer.accept", {"departure": departure.id}))["value"]
    manager = next(a for a in actions_of(choice) if a["data"].get("person") == MANAGER.upn)
    await app.press(LEAVER, "interviewer.choose", manager["data"])
    task = await app.card_for(MANAGER, app.text("task.body", "sv", name="Sofie Andersen"))
    assert task["lang"] == "sv"
    assert offer["lang"] == "en"  # the leaver's: HR registered English


@pytest.mark.parametrize("value", ["fr", "DA", "da-DK", "<script>"])
async def test_a_language_that_is_not_offered_is_refused_and_nothing_saved(
    app: LiveApp, value: str
) -> None:
    await app.say(LEAVER, "sprog", locale="da-DK")
    answer = await choose(app, LEAVER, value, locale="da-DK")
    assert answer["value"] == app.text("language.not_offered", "da")
    async with app.app[DATABASE].sessions() as session:
        assert await session.scalar(select(func.count()).select_from(language_choices)) == 0
