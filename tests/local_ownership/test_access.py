"""Who sees which unit (issue 14, local ownership): the `follow-ups` list and `insights` for HR,
a unit's manager and representatives, those of another unit, the leaver and a stranger, on
SQLite and PostgreSQL, read off the rendered cards; every refusal is audited."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from cards import verbs
from config.loaded import LoadedConfig
from dialogs.commands import Command, word_for
from journey.refusals import FOLLOW_UPS_SCOPE, INSIGHTS_SCOPE
from storage.database import Database
from testkit.insights_seed import comments, seed
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import texts_of
from tests.local_ownership.helpers import (
    DONE,
    HR,
    KEYS,
    LEAVER,
    LEAVER_NAME,
    LIFTS,
    MANAGER,
    NAMED,
    OTHER_MANAGER,
    OTHER_REPRESENTATIVE,
    OWNER,
    REPRESENTATIVE,
    ROTA,
    STRANGER,
    Turn,
    config_with_representatives,
    follow_up,
    insert_follow_ups,
    press,
    say,
    seed_organisation,
)

UNITS = {
    "social-care": "Social Care",
    "home-care": "Home Care",
    "technical-services": "Technical and Environmental Services",
}
# Who sees which units' follow-ups, and which texts (NAMED names the leaver: HR only).
SCOPES: dict[str, tuple[set[str], set[str]]] = {
    HR: (set(UNITS), {ROTA, NAMED, LIFTS, KEYS}),
    MANAGER: ({"social-care", "home-care"}, {ROTA, LIFTS}),
    OTHER_MANAGER: ({"technical-services"}, {KEYS}),
    REPRESENTATIVE: ({"social-care", "home-care"}, {ROTA, LIFTS}),
    OTHER_REPRESENTATIVE: ({"technical-services"}, {KEYS}),
}
EVERY_TEXT = {ROTA, NAMED, LIFTS, KEYS, DONE}


@pytest.fixture(scope="module")
def config() -> LoadedConfig:
    return config_with_representatives()


def units_named(card: dict[str, Any]) -> set[str]:
    text = texts_of(card)
    return {unit for unit, name in UNITS.items() if re.search(rf"\b{re.escape(name)}\b", text)}


@pytest.mark.parametrize("person", list(SCOPES))
async def test_each_sees_exactly_their_units_follow_ups(
    db: Database, config: LoadedConfig, person: str
) -> None:
    await seed_organisation(db)
    turn = Turn(db, config, person)
    await say(turn, "follow-ups")
    [card] = turn.cards
    assert_valid_cards([card])
    units, texts = SCOPES[person]
    shown = texts_of(card)
    # The scope's units are named (Home Care's name also stands inside none of the others).
    assert units_named(card) == units
    assert {t for t in EVERY_TEXT if t in shown} == texts, "a done one is never listed"
    assert turn.audit.entries == []
    if person != HR:
        assert "Sofie" not in shown and LEAVER_NAME not in shown
    if NAMED in texts or person == HR:
        return
    if "social-care" in units:  # the text naming the leaver is withheld, and it says so
        assert config.text("follow_up_lists.withheld", "en") in shown


async def test_overdue_is_due_before_today_and_soonest_comes_first(
    db: Database, config: LoadedConfig
) -> None:
    await seed_organisation(db)
    turn = Turn(db, config, HR)
    await say(turn, "follow-ups")
    shown = texts_of(turn.cards[0])
    # The rota was due yesterday: overdue; the keys are due next week: not yet.
    assert "Overdue · Due 2 December 2026" in shown
    assert "Overdue · Due 10 December 2026" not in shown
    assert "Due 10 December 2026 · The manager · Job content" in shown
    units = shown[shown.index(config.text("follow_up_lists.all_units", "en")) :]
    assert units.index(ROTA) < units.index(NAMED), "soonest due first within a unit"
    assert "1 open, 0 overdue" in shown and "2 open, 1 overdue" in shown


@pytest.mark.parametrize("person", [LEAVER, STRANGER])
async def test_the_leaver_and_a_stranger_are_refused_and_it_is_audited(
    db: Database, config: LoadedConfig, person: str
) -> None:
    await seed_organisation(db)
    turn = Turn(db, config, person)
    await say(turn, "follow-ups")
    assert turn.cards == []
    assert turn.texts == [config.text("follow_up_lists.not_allowed", "en")]
    [entry] = turn.audit.entries
    assert entry.actor == person and entry.departure_id is None
    assert entry.detail["scope"] == FOLLOW_UPS_SCOPE
    answer = await press(turn, verbs.FOLLOW_UP_LISTS_PAGE, {"page": 1})
    assert answer["value"] == config.text("follow_up_lists.not_allowed", "en")
    assert len(turn.audit.entries) == 2


async def test_an_owner_without_a_unit_sees_only_their_own(
    db: Database, config: LoadedConfig
) -> None:
    await seed_organisation(db)
    turn = Turn(db, config, OWNER)
    await say(turn, word_for(Command.FOLLOW_UPS, "da"))
    [card] = turn.cards
    shown = texts_of(card)
    assert LIFTS in shown
    assert {ROTA, NAMED, KEYS} & set(shown.split("\n")) == set()
    assert units_named(card) == {"home-care"}  # its unit, under its own line, no tallies
    assert card["lang"] == "en"


@pytest.mark.parametrize(
    ("person", "own", "other"),
    [
        (MANAGER, "social-care", "technical-services"),
        (REPRESENTATIVE, "home-care", "technical-services"),
        (OTHER_REPRESENTATIVE, "technical-services", "social-care"),
    ],
)
async def test_insights_show_a_local_person_their_unit_and_refuse_another(
    db: Database, config: LoadedConfig, person: str, own: str, other: str
) -> None:
    await seed_organisation(db)
    turn = Turn(db, config, person)
    await say(turn, "insights")
    [card] = turn.cards
    unit_choices = next(e for e in card["body"] if e.get("id") == "unit")["choices"]
    assert own in {c["value"] for c in unit_choices}
    assert other not in {c["value"] for c in unit_choices}
    assert "all" not in {c["value"] for c in unit_choices}
    shown = await press(turn, verbs.INSIGHTS_SHOW, {"unit": own, "period": ""})
    assert shown["type"] == "application/vnd.microsoft.card.adaptive"
    for refused in (other, "all"):
        answer = await press(turn, verbs.INSIGHTS_SHOW, {"unit": refused, "period": ""})
        assert answer["value"] == config.text("insights.not_your_unit", "en")
    assert [e.detail["scope"] for e in turn.audit.entries] == [INSIGHTS_SCOPE] * 2
    assert [e.detail["unit"] for e in turn.audit.entries] == [other, "all"]


@pytest.mark.parametrize("person", [LEAVER, STRANGER, OWNER])
async def test_insights_refuse_anyone_without_a_unit(
    db: Database, config: LoadedConfig, person: str
) -> None:
    await seed_organisation(db)
    turn = Turn(db, config, person)
    await say(turn, "insights")
    assert turn.texts == [config.text("insights.not_allowed", "en")]
    [entry] = turn.audit.entries
    assert entry.detail["scope"] == INSIGHTS_SCOPE


async def test_hr_sees_the_whole_organisation_in_insights(
    db: Database, config: LoadedConfig
) -> None:
    await seed_organisation(db)
    turn = Turn(db, config, HR)
    answer = await press(turn, verbs.INSIGHTS_SHOW, {"unit": "all", "period": ""})
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert turn.audit.entries == []


@pytest.mark.parametrize(
    ("person", "listed"),
    [
        (HR, True),
        (MANAGER, True),
        (REPRESENTATIVE, True),
        (OTHER_REPRESENTATIVE, True),
        (LEAVER, False),
        (STRANGER, False),
    ],
)
@pytest.mark.parametrize("language", ["da", "sv", "nb", "en"])
async def test_the_help_lists_the_commands_to_those_who_may_use_them(
    db: Database, config: LoadedConfig, person: str, listed: bool, language: str
) -> None:
    await seed_organisation(db)
    turn = Turn(db, config, person, locale=language)
    await say(turn, "help")
    shown = texts_of(turn.cards[0])
    for command in (Command.FOLLOW_UPS, Command.INSIGHTS):
        assert (word_for(command, language) in shown.split("\n")) is listed, command
    assert (word_for(Command.REGISTER, language) in shown.split("\n")) is (person == HR)


async def test_a_long_list_is_paged_and_a_page_button_rechecks_the_scope(
    db: Database, config: LoadedConfig
) -> None:
    ids = await seed_organisation(db)
    more = [
        follow_up(ids["departure:social-care"], "social-care", "relations", f"Step {n:02d}",
                  date(2027, 2, 1 + n))
        for n in range(10)
    ]  # fmt: skip
    await insert_follow_ups(db, more)
    turn = Turn(db, config, REPRESENTATIVE)
    await say(turn, "follow-ups")
    first = turn.cards[0]
    assert "Page 1 of 2" in texts_of(first)
    assert [(a["title"], a["data"]) for a in first["actions"]] == [("Next", {"page": 1})]
    answer = await press(turn, verbs.FOLLOW_UP_LISTS_PAGE, {"page": 1})
    second = answer["value"]
    assert_valid_cards([first, second])
    assert "Page 2 of 2" in texts_of(second)
    assert [(a["title"], a["data"]) for a in second["actions"]] == [("Previous", {"page": 0})]
    # 12 open in social care, 1 in home care: 8 on the first page, 5 on the second.
    listed = [f"Step {n:02d}" for n in range(10)]
    assert sum(step in texts_of(first) for step in listed) + 3 == 8
    assert sum(step in texts_of(second) for step in listed) == 5
    # A page far beyond the last shows the last; another unit's follow-ups never appear.
    beyond = (await press(turn, verbs.FOLLOW_UP_LISTS_PAGE, {"page": 99}))["value"]
    assert "Page 2 of 2" in texts_of(beyond) and KEYS not in texts_of(beyond)
    outsider = Turn(db, config, STRANGER)
    refused = await press(outsider, verbs.FOLLOW_UP_LISTS_PAGE, {"page": 1})
    assert refused["value"] == config.text("follow_up_lists.not_allowed", "en")


async def test_a_representative_sees_the_units_figures_but_not_the_leavers_comments(
    db: Database, config: LoadedConfig
) -> None:
    await seed_organisation(db)
    await seed(db, comments(12, unit="technical-services"))
    shown = {}
    for person in (OTHER_MANAGER, OTHER_REPRESENTATIVE):
        turn = Turn(db, config, person)
        answer = await press(
            turn, verbs.INSIGHTS_SHOW, {"unit": "technical-services", "period": ""}
        )
        shown[person] = texts_of(answer["value"])
    assert "Counted comment number" in shown[OTHER_MANAGER]
    assert "Counted comment number" not in shown[OTHER_REPRESENTATIVE]
    assert "Named Person" not in shown[OTHER_MANAGER] + shown[OTHER_REPRESENTATIVE]
    # The figures are the same for both.
    departures = config.text("insights.departures", "en")
    assert departures in shown[OTHER_REPRESENTATIVE]
