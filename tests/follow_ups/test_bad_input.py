"""Bad input on follow-ups, on the real app: a clear message in the person's language, nothing
changed in the database, and the refusal in the audit log (with its reason, never the text)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.follow_ups.helpers import add, form, held_task, rows, store
from tests.helpers.journey import HR, LEAVER, MANAGER, PARTNER, STRANGER, LiveApp, actions_of
from tests.survey.helpers import card_of


async def _refusals(app: LiveApp, departure_id: str) -> list[tuple[str, str, str]]:
    """(actor, reason, verb) of every follow-up refusal in the departure's audit log."""
    return [
        (e.actor, e.detail.get("reason", ""), e.detail.get("verb", ""))
        for e in await app.audit(departure_id)
        if e.action == "follow_up.refused"
    ]


def _add_data(app: LiveApp, task: dict[str, Any], **changes: Any) -> dict[str, Any]:
    [action] = [a for a in actions_of(task) if a["verb"] == "follow_up.add"]
    return {**action["data"], **form(app, **changes)}


@pytest.mark.parametrize(
    ("changes", "key", "reason"),
    [
        ({"days": -1}, "follow_up.due_past", "due_past"),
        ({"days": 400}, "follow_up.due_too_far", "due_too_far"),
        ({"fu_due": ""}, "follow_up.due_missing", "due_missing"),
        ({"fu_what": "   "}, "follow_up.what_bad", "what"),
        ({"fu_what": "x" * 501}, "follow_up.what_bad", "what"),
        ({"fu_area": "salary_secrets"}, "follow_up.area_bad", "area"),
        (
            {"fu_owner": "person", "fu_person": "nobody@contoso.example"},
            "follow_up.unknown_owner",
            "unknown_owner",
        ),
        ({"fu_owner": "person", "fu_person": "not an address"}, "follow_up.unknown_owner", ""),
        (
            {"fu_owner": "person", "fu_person": LEAVER.upn},
            "follow_up.owner_is_leaver",
            "owner_is_leaver",
        ),
        ({"fu_owner": "ceo"}, "follow_up.unknown_owner", "unknown_owner"),
    ],
)
async def test_a_bad_follow_up_is_refused_in_danish_and_changes_nothing(
    app: LiveApp, changes: dict[str, Any], key: str, reason: str
) -> None:
    departure_id, task = await held_task(app)
    before = await rows(app)

    answer = await app.press(
        PARTNER, "follow_up.add", _add_data(app, task, **changes), locale="da-DK"
    )

    assert answer["value"] == app.text(key, "da")
    assert await rows(app) == before == []
    refusals = await _refusals(app, departure_id)
    assert [(actor, why) for actor, why, _ in refusals] == [
        (PARTNER.upn, reason or "unknown_owner")
    ]
    audit = str([e.detail for e in await app.audit(departure_id)])
    assert "nobody@" not in audit and "x" * 50 not in audit


async def test_only_the_interviewer_adds_and_a_replayed_card_adds_nothing(app: LiveApp) -> None:
    departure_id, task = await held_task(app)
    data = _add_data(app, task)
    for other in (LEAVER, MANAGER, HR, STRANGER):
        answer = await app.press(other, "follow_up.add", data)
        assert answer["value"] == app.text("error.for_interviewer"), other
    assert await rows(app) == []

    await add(app, task)
    replay = await app.press(PARTNER, "follow_up.add", data)  # the card drawn before
    assert app.text("error.stale_card") in str(replay["value"])
    assert len(await store(app).of_departure(departure_id)) == 1
    refusals = await _refusals(app, departure_id)
    assert {(actor, why) for actor, why, _ in refusals} == {
        (LEAVER.upn, "not_interviewer"),
        (MANAGER.upn, "not_interviewer"),
        (HR.upn, "not_interviewer"),
        (STRANGER.upn, "not_interviewer"),
        (PARTNER.upn, "stale"),
    }


async def test_only_the_owner_marks_done_and_an_old_card_is_stale(app: LiveApp) -> None:
    departure_id, task = await held_task(app)
    _answer, [added] = await add(app, task)
    owner_card = await app.card_for(MANAGER, app.text("follow_up.card_title"))
    [done_action] = [a for a in actions_of(owner_card) if a["verb"] == "follow_up.done"]
    forged = {**done_action["data"], "fu_outcome": "not mine"}
    for other in (PARTNER, LEAVER, HR, STRANGER):
        answer = await app.press(other, "follow_up.done", forged, locale="sv-SE")
        # In each person's language: Teams' for most, the one HR registered for the leaver.
        language = "en" if other is LEAVER else "sv"
        assert answer["value"] == app.text("follow_up.not_owner", language), other
        handed = await app.press(other, "follow_up.hand_on", {**forged, "fu_to": HR.upn})
        assert handed["value"] == app.text("follow_up.not_owner"), other
    [unchanged] = await store(app).of_departure(departure_id)
    assert unchanged == added

    # No outcome, then an address nobody has: refused, unchanged.
    empty = await app.press(MANAGER, "follow_up.done", {**forged, "fu_outcome": " "})
    assert empty["value"] == app.text("follow_up.outcome_bad")
    nobody = {**forged, "fu_to": "nobody@contoso.example"}
    assert (await app.press(MANAGER, "follow_up.hand_on", nobody))["value"] == app.text(
        "follow_up.unknown_owner"
    )
    assert (await store(app).of_departure(departure_id)) == [added]

    card_of(await app.press(MANAGER, "follow_up.done", {**forged, "fu_outcome": "Done"}))
    replay = await app.press(MANAGER, "follow_up.done", {**forged, "fu_outcome": "Again"})
    assert app.text("error.stale_card") in str(replay["value"])
    [finished] = await store(app).of_departure(departure_id)
    assert finished.outcome == "Done" and finished.revision == added.revision + 1
    reasons = [(actor, why) for actor, why, _ in await _refusals(app, departure_id)]
    assert reasons.count((MANAGER.upn, "stale")) == 1
    assert {(PARTNER.upn, "not_owner"), (STRANGER.upn, "not_owner")} <= set(reasons)
    assert (MANAGER.upn, "outcome") in reasons and (MANAGER.upn, "unknown_owner") in reasons
