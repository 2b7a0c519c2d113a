"""The regret on the real app: the manager (or HR) marks it from the manager's handover card;
the leaver and anyone else are refused, no card the leaver gets ever shows it, and the
leaver's own data export holds it (GDPR Art. 15)."""

from __future__ import annotations

import json
from typing import Any

from bot.typedefs import DATABASE
from cards.handover import handover_card
from cards.locale import Speaker
from journey.locale import SUPPORTED_LANGUAGES
from storage.subject_access import export_person
from tests.cards.validator import assert_valid_card
from tests.helpers.journey import (
    HR,
    LEAVER,
    MANAGER,
    STRANGER,
    LiveApp,
    actions_of,
    cards_of,
    texts_of,
    verbs_of,
)

REGRET_KEYS = ("register.regret", "regret.title", "regret.intro", "register.regret_yes")


def _regret_words(app: LiveApp) -> set[str]:
    return {
        app.config.text(key, lang, name="Sofie Andersen")
        for key in REGRET_KEYS
        for lang in SUPPORTED_LANGUAGES
    }


def _assert_no_regret(app: LiveApp, card: dict[str, Any]) -> None:
    assert "regret" not in json.dumps(card)  # no verb, no input, no data about it
    shown = texts_of(card)
    assert not [word for word in _regret_words(app) if word in shown]


async def test_the_manager_marks_the_regret_and_the_leaver_never_sees_it(app: LiveApp) -> None:
    for person in (LEAVER, MANAGER, STRANGER):
        await app.say(person, "hello")
    departure = await app.register(locale="en")
    await app.card_for(LEAVER, app.text("offer.title"))
    data = {"departure": departure.id}

    saved = await app.press(MANAGER, "regret.set", {**data, "regrettable": "yes"})
    assert saved["value"] == app.text("regret.saved")
    assert (await app.departure(departure.id)).regrettable is True

    # The regret is the manager's and HR's to say (issue 12: not "only HR").
    not_allowed = {app.config.text("error.for_manager_or_hr", lang) for lang in SUPPORTED_LANGUAGES}
    for person in (LEAVER, STRANGER):
        refused = await app.press(person, "regret.set", {**data, "regrettable": "no"})
        assert refused["value"] in not_allowed
    bad = await app.press(MANAGER, "regret.set", {**data, "regrettable": "perhaps"})
    assert bad["value"] == app.text("error.bad_input")
    current = await app.departure(departure.id)
    assert current.regrettable is True
    actions = [(e.actor, e.action) for e in await app.audit(departure.id)]
    assert (MANAGER.upn, "departure.regret_set") in actions
    assert (LEAVER.upn, "refused") in actions and (STRANGER.upn, "refused") in actions

    # HR may clear it again.
    cleared = await app.press(HR, "regret.set", {**data, "regrettable": "unset"})
    assert cleared["value"] == app.text("regret.saved")
    assert (await app.departure(departure.id)).regrettable is None
    await app.press(MANAGER, "regret.set", {**data, "regrettable": "yes"})

    # Nothing the leaver was sent, nor their status, nor their checklist shows it.
    await app.say(LEAVER, "status")
    await app.settled()
    sent = [card for activity in app.sent_to(LEAVER) for card in cards_of(activity)]
    assert sent
    for card in sent:
        _assert_no_regret(app, card)
    current = await app.departure(departure.id)
    items = app.config.handover_checklist("social-care")
    say = Speaker(app.config, "en", "social-care")
    leaver_copy = handover_card(say, current, items, for_manager=False)
    _assert_no_regret(app, leaver_copy)

    # The manager's copy has it, with the saved choice.
    manager_copy = handover_card(say, current, items, for_manager=True)
    assert_valid_card(manager_copy)
    assert "regret.set" in verbs_of(manager_copy)
    [show] = [a for a in manager_copy["actions"] if a["type"] == "Action.ShowCard"]
    [choice] = [e for e in show["card"]["body"] if e.get("id") == "regrettable"]
    assert choice["value"] == "yes"
    assert [a["data"]["departure"] for a in actions_of(show["card"])] == [departure.id]

    # The leaver's own export holds HR's and the manager's assessment about them.
    export = await export_person(app.app[DATABASE], LEAVER.upn, actor="test", now=app.clock.now())
    [record] = export["departures"]
    assert (record["regrettable"], record["departure_type"]) == (True, "resignation")
