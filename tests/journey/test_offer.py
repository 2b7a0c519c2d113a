"""The offer reaches the leaver in Teams, proactively, once; one out of reach is shown to HR."""

from __future__ import annotations

from collections.abc import Awaitable

import pytest

from bot.typedefs import DATABASE
from journey.departure import DepartureStatus, Reach
from journey.due import DueState
from journey.notify import MessageKind
from storage.due_actions import DueActionQueue
from tests.helpers.journey import HR, LEAVER, LiveApp, cards_of, texts_of, verbs_of


async def test_the_offer_goes_to_the_chat_the_leaver_already_has(live_app: LiveApp) -> None:
    await live_app.say(HR, "help")
    await live_app.say(LEAVER, "hej", locale="da-DK")
    departure = await live_app.register(locale="da")

    offer = await live_app.card_for(LEAVER, live_app.text("offer.title", "da"))
    text = texts_of(offer)
    # Why we ask, how long it takes, that it is voluntary: all in the unit's own Danish words.
    assert live_app.text("offer.body", "da", name="Sofie Andersen", minutes=60) in text
    assert offer["lang"] == "da"
    assert verbs_of(offer) == ["offer.accept", "offer.decline", "offer.later"]
    assert [r for r in live_app.requests("POST") if r.path == "/v3/conversations"] == []

    async def recorded() -> bool:
        current = await live_app.departure(departure.id)
        return "leaver" in current.cards

    await live_app.until(recorded)
    current = await live_app.departure(departure.id)
    assert (current.status, current.reach) == (DepartureStatus.OFFERED, Reach.OK)
    assert current.cards["leaver"].conversation_id == LEAVER.conversation
    # Registering again does not offer again.
    await live_app.flow.registered(current)
    await live_app.settled()
    offers = [a for a in live_app.sent_to(LEAVER) if "offer.accept" in str(a)]
    assert len(offers) == 1


async def test_a_leaver_who_never_wrote_gets_the_app_and_a_new_chat(
    live_app: LiveApp,
) -> None:
    await live_app.say(HR, "help")  # HR registered through Teams: the tenant's service URL
    departure = await live_app.register(locale=None)

    opened = [r for r in live_app.requests("POST") if r.path == "/v3/conversations"]
    assert len(opened) == 1
    parameters = opened[0].body or {}
    assert parameters["isGroup"] is False
    assert parameters["members"] == [{"id": LEAVER.user_id}]
    assert parameters["tenantId"] and parameters["bot"]["id"].startswith("28:")
    await live_app.until(lambda: _has_offer(live_app, departure.id))
    current = await live_app.departure(departure.id)
    conversation = current.cards["leaver"].conversation_id
    [activity] = live_app.sent_to(conversation)
    # Nobody told the bot the leaver's language: the directory's (da-DK) is used.
    assert texts_of(cards_of(activity)[0]).startswith(live_app.text("offer.title", "da"))
    assert current.reach is Reach.OK


async def _not(outcome: Awaitable[bool]) -> bool:
    return not await outcome


async def _has_offer(live_app: LiveApp, departure_id: str) -> bool:
    return "leaver" in (await live_app.departure(departure_id)).cards


@pytest.mark.parametrize(("status", "reach"), [(403, Reach.BLOCKED), (404, Reach.NOT_FOUND)])
async def test_a_leaver_out_of_reach_is_recorded_and_not_retried(
    live_app: LiveApp, status: int, reach: Reach
) -> None:
    await live_app.say(HR, "help")
    await live_app.say(LEAVER, "help")
    target = f"/v3/conversations/{LEAVER.conversation}/activities"

    def refuse(method: str, path: str, body: object) -> tuple[int, dict[str, str]] | None:
        return (status, {}) if method == "POST" and path == target else None

    live_app.connector.rules.append(refuse)
    departure = await live_app.register()

    async def recorded() -> bool:
        return (await live_app.departure(departure.id)).reach is reach

    await live_app.until(recorded)
    await live_app.settled()  # a retry would be due by now, and be sent
    attempts = [r for r in live_app.connector.requests if r.path == target]
    assert len(attempts) == 1
    current = await live_app.departure(departure.id)
    assert current.status is DepartureStatus.OFFERED

    # Nobody chases a leaver the bot cannot reach: the gentle reminder planned with the
    # offer is withdrawn once the offer is known to have failed.
    async def reminder_pending() -> bool:
        pending = await DueActionQueue(live_app.app[DATABASE]).for_departure(departure.id)
        return any(
            a.kind == MessageKind.OFFER_AGAIN.value and a.state is DueState.PENDING for a in pending
        )

    await live_app.until(lambda: _not(reminder_pending()), what="the reminder is withdrawn")
    # HR sees it in their status.
    await live_app.say(HR, "status")
    hr_list = cards_of(live_app.sent_to(HR)[-1])[0]
    assert live_app.text(f"reach.{reach.value}") in texts_of(hr_list)


async def test_no_service_url_and_unknown_people_leave_the_departure_registered(
    live_app: LiveApp,
) -> None:
    # No one has written to the bot: there is no chat to open one from in this tenant yet.
    live_app.outbox.reacher._default_service_url = None
    departure = await live_app.register()
    current = await live_app.departure(departure.id)
    assert (current.status, current.reach) == (DepartureStatus.REGISTERED, Reach.NO_CONVERSATION)
    assert live_app.connector.requests == []


async def test_a_leaver_out_of_reach_gets_the_offer_once_they_write(
    live_app: LiveApp,
) -> None:
    departure = await live_app.register()  # nobody has written: no chat can be opened
    assert (await live_app.departure(departure.id)).reach is Reach.NO_CONVERSATION

    await live_app.say(LEAVER, "status")

    offer = await live_app.card_for(LEAVER, live_app.text("offer.title"))
    assert verbs_of(offer)[:1] == ["offer.accept"]
    assert (await live_app.departure(departure.id)).status is DepartureStatus.OFFERED


class TestWithTheRegionsServiceUrl:
    """TEAMS_SERVICE_URL set: the bot can open a chat before anyone in the tenant wrote."""

    @pytest.fixture
    def journey_settings(self) -> dict[str, str]:
        return {"TEAMS_SERVICE_URL": "{connector}"}

    async def test_the_first_leaver_gets_the_offer_without_anyone_writing_first(
        self, live_app: LiveApp
    ) -> None:
        departure = await live_app.register()
        opened = [r for r in live_app.requests("POST") if r.path == "/v3/conversations"]
        assert len(opened) == 1
        await live_app.until(lambda: _has_offer(live_app, departure.id))
        current = await live_app.departure(departure.id)
        assert (current.status, current.reach) == (DepartureStatus.OFFERED, Reach.OK)
