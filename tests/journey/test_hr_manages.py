"""HR changes or cancels any departure from the status list, whatever door registered it."""

from __future__ import annotations

from datetime import timedelta

from journey.departure import DepartureStatus
from journey.registration_rules import RegistrationRequest
from tests.cards.validator import assert_valid_card
from tests.helpers.journey import HR, LAST_DAY, LEAVER, MANAGER, LiveApp, actions_of


async def _registered_by_the_hr_system(app: LiveApp) -> str:
    request = RegistrationRequest(
        leaver=LEAVER.upn,
        manager=MANAGER.upn,
        unit="social-care",
        last_working_day=LAST_DAY,
        external_id="HR-9",
    )
    outcome = await app.registration.register(request, "api:hr-system", door="api")
    assert outcome.departure is not None
    return outcome.departure.id


async def test_hr_opens_an_api_departure_from_status_and_cancels_it(app: LiveApp) -> None:
    departure_id = await _registered_by_the_hr_system(app)
    await app.say(HR, "status", locale="da-DK")
    listing = await app.card_for(HR, app.text("status.hr_title", "da"))
    assert_valid_card(listing)
    [manage] = [a for a in actions_of(listing) if a["verb"] == "register.manage"]
    assert manage["title"] == app.text("register.manage", "da")

    body = await app.press(HR, "register.manage", manage["data"], locale="da-DK")
    card = body["value"]
    assert_valid_card(card)
    verbs = [a["verb"] for a in actions_of(card)]
    assert "register.change_day" in verbs and "register.cancel" in verbs

    moved = (LAST_DAY + timedelta(days=7)).isoformat()
    await app.press(
        HR,
        "register.change_day",
        {"departure_id": departure_id, "last_working_day": moved},
        locale="da-DK",
    )
    assert (await app.departure(departure_id)).last_working_day.isoformat() == moved
    await app.press(HR, "register.cancel", {"departure_id": departure_id}, locale="da-DK")
    assert (await app.departure(departure_id)).status is DepartureStatus.CANCELLED


async def test_someone_else_pressing_manage_sees_nothing_of_it(app: LiveApp) -> None:
    departure_id = await _registered_by_the_hr_system(app)
    before = await app.departure(departure_id)
    body = await app.press(LEAVER, "register.manage", {"departure_id": departure_id})
    assert body["type"] != "application/vnd.microsoft.card.adaptive"  # no card, no facts
    # In the leaver's language as registered (the directory's Danish), before Teams' en-US.
    assert body["value"] == app.text("error.not_allowed", "da")
    after = await app.departure(departure_id)
    assert (after.version, after.status) == (before.version, before.status)
