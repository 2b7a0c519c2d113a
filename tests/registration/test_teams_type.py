"""HR's form in Teams records the type of departure; HR changes the type and the regret from
the departure's card. The real app on loopback and a real SQLite file."""

from __future__ import annotations

from typing import Any

from journey.departure import DepartureType
from journey.locale import SUPPORTED_LANGUAGES as LANGUAGES
from storage.database import Database
from storage.repositories import SqlDepartureRepository
from tests.cards.validator import assert_valid_card
from tests.helpers.journey import texts_of
from tests.helpers.service import Running
from tests.registration.test_teams import (
    HR_USER,
    LEAVER_USER,
    _audit,
    _execute,
    _form,
    _say,
    db,  # noqa: F401 (the fixture)
    hr_running,  # noqa: F401 (the fixture)
)

# One demo person per type; the last two have no manager in the directory, so HR names one.
PEOPLE = (
    ("leaver@contoso.example", ""),
    ("leaver.se@contoso.example", ""),
    ("leaver.no@contoso.example", ""),
    ("union.rep@contoso.example", ""),
    ("hrpartner@contoso.example", "manager@contoso.example"),
    ("hr@contoso.example", "manager@contoso.example"),
)


def _inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {element["id"]: element for element in card["body"] if "id" in element}


def _details_action(card: dict[str, Any]) -> dict[str, Any]:
    """The "change type or assessment" ShowCard of HR's departure card."""
    [action] = [
        a
        for a in card["actions"]
        if a["type"] == "Action.ShowCard"
        and a["card"]["actions"][0]["verb"] == "register.change_details"
    ]
    return action


async def test_the_form_asks_the_type_in_hr_language(hr_running: Running) -> None:  # noqa: F811
    await _say(hr_running, "register", HR_USER, locale="sv-SE")
    form = hr_running.connector.cards()[-1]
    assert_valid_card(form)
    field = _inputs(form)["departure_type"]
    assert field["isRequired"] is True
    assert [c["value"] for c in field["choices"]] == [kind.value for kind in DepartureType]
    titles = [c["title"] for c in field["choices"]]
    assert titles[-2] == hr_running.config.text("departure_type.dismissal", "sv")


async def test_each_type_is_registered_through_the_form(
    hr_running: Running,  # noqa: F811
    db: Database,  # noqa: F811
) -> None:
    repository = SqlDepartureRepository(db)
    for kind, (leaver, manager) in zip(DepartureType, PEOPLE, strict=True):
        body = await _execute(
            hr_running,
            "register.submit",
            _form(leaver=leaver, manager=manager, unit="", departure_type=kind.value),
            HR_USER,
        )
        card = body["value"]
        assert_valid_card(card)
        [departure] = [
            d for d in await repository.list_for_person(leaver) if d.leaver_upn == leaver
        ]
        assert departure.departure_type is kind
        assert hr_running.config.text(f"departure_type.{kind.value}", "en") in texts_of(card)


async def test_an_unknown_type_shows_the_form_again_and_stores_nothing(
    hr_running: Running,  # noqa: F811
    db: Database,  # noqa: F811
) -> None:
    body = await _execute(
        hr_running, "register.submit", _form(departure_type="fired"), HR_USER, locale="da-DK"
    )
    card = body["value"]
    assert_valid_card(card)
    assert hr_running.config.text("register.unknown_type", "da") in texts_of(card)
    assert "value" not in _inputs(card)["departure_type"]
    assert _inputs(card)["leaver"]["value"] == "leaver@contoso.example"
    assert await SqlDepartureRepository(db).list_for_person("leaver@contoso.example") == []
    assert await _audit(db) == []


async def test_hr_changes_the_type_and_the_regret_from_the_departure_card(
    hr_running: Running,  # noqa: F811
    db: Database,  # noqa: F811
) -> None:
    body = await _execute(hr_running, "register.submit", _form(), HR_USER)
    action = _details_action(body["value"])
    inputs = {e["id"]: e for e in action["card"]["body"]}
    assert inputs["departure_type"]["value"] == "resignation"
    assert inputs["regrettable"]["value"] == "unset"
    # Without the card's mark: the offer going out right after registering changes the plan
    # the card was drawn for (that check has tests of its own).
    data = {k: v for k, v in action["card"]["actions"][0]["data"].items() if k != "mark"}
    repository = SqlDepartureRepository(db)
    [departure] = await repository.list_for_person("leaver@contoso.example")

    # Someone outside HR replays the button: refused, audited, nothing changes.
    change = {**data, "departure_type": "dismissal", "regrettable": "yes"}
    refused = await _execute(hr_running, "register.change_details", change, LEAVER_USER)
    # In the leaver's language (their registered Danish, whatever Teams says).
    not_allowed = {hr_running.config.text("error.not_allowed", lang) for lang in LANGUAGES}
    assert refused["value"] in not_allowed
    # (The offer's delivery may save the departure meanwhile: compare what the button sets.)
    unchanged = await repository.get(departure.id)
    assert (unchanged.departure_type, unchanged.regrettable) == (
        departure.departure_type,
        departure.regrettable,
    )

    saved = await _execute(hr_running, "register.change_details", change, HR_USER)
    card = saved["value"]
    assert_valid_card(card)
    stored = await repository.get(departure.id)
    assert (stored.departure_type.value, stored.regrettable) == ("dismissal", True)
    assert hr_running.config.text("register.regret_yes", "en") in texts_of(card)

    bad = await _execute(
        hr_running, "register.change_details", {**change, "departure_type": "fired"}, HR_USER
    )
    assert hr_running.config.text("register.unknown_type", "en") in texts_of(bad["value"])
    # Nothing changed (the offer's delivery may still save the departure: not its version).
    after = await repository.get(departure.id)
    assert (after.departure_type.value, after.regrettable) == ("dismissal", True)
    actions = [(e.actor, e.action) for e in await _audit(db, departure.id)]
    assert actions.count(("hr@contoso.example", "departure.details_changed")) == 1
    assert ("leaver@contoso.example", "departure.refused") in actions


async def test_an_hr_member_who_leaves_never_sees_or_sets_their_own_regret(
    hr_running: Running,  # noqa: F811
    db: Database,  # noqa: F811
) -> None:
    form = _form(leaver="hr@contoso.example", manager="manager@contoso.example", unit="")
    card = (await _execute(hr_running, "register.submit", form, HR_USER))["value"]
    assert_valid_card(card)
    regret_words = {
        hr_running.config.text(key, lang)
        for key in ("register.regret", "register.regret_unset", "register.regret_yes")
        for lang in LANGUAGES
    }
    assert not [word for word in regret_words if word in texts_of(card)]
    action = _details_action(card)
    assert [e["id"] for e in action["card"]["body"]] == ["departure_type"]

    [departure] = await SqlDepartureRepository(db).list_for_person("hr@contoso.example")
    ref = {"departure_id": departure.id, "departure_type": "other", "regrettable": "yes"}
    refused = await _execute(hr_running, "register.change_details", ref, HR_USER)
    # Not "only HR": she is HR, but this is her own departure (issue 12).
    assert refused["value"] in {
        hr_running.config.text("error.own_departure", lang) for lang in LANGUAGES
    }
    stored = await SqlDepartureRepository(db).get(departure.id)
    assert (stored.regrettable, stored.departure_type.value) == (None, "resignation")
