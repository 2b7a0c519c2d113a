"""The interviewer's first task card is sent by the delivery worker, which opens the chat with
someone who has none: the leaver's choice never waits for Teams, and an interviewer the bot
cannot reach shows on HR's timeline of the departure."""

from __future__ import annotations

from typing import Any

from bot.typedefs import DATABASE
from journey.due import Outcome
from journey.notify import MessageKind
from storage.due_actions import DueActionQueue
from tests.helpers.journey import LEAVER, PARTNER, LiveApp, actions_of, texts_of
from tests.journey.test_booking import offered


async def choose_the_partner(app: LiveApp) -> tuple[str, dict[str, Any]]:
    """The leaver accepts and chooses the HR partner; the departure's id and the slots card."""
    departure, offer = await offered(app)
    choice = (await app.press_button(LEAVER, offer, "offer.accept"))["value"]
    partner = next(a for a in actions_of(choice) if a["data"].get("person") == PARTNER.upn)
    slots = (await app.press(LEAVER, "interviewer.choose", partner["data"]))["value"]
    return departure.id, slots


async def test_an_interviewer_out_of_reach_is_on_hrs_timeline_and_the_choice_stands(
    app: LiveApp,
) -> None:
    def refuse_new_chats(method: str, path: str, body: object) -> tuple[int, dict[str, str]] | None:
        return (403, {}) if method == "POST" and path == "/v3/conversations" else None

    app.connector.rules.append(refuse_new_chats)
    departure_id, slots = await choose_the_partner(app)

    # The leaver gets the times all the same.
    assert app.text("interviewer.chosen", interviewer="Peter Holm") in texts_of(slots)
    await app.settled()
    timeline = await DueActionQueue(app.app[DATABASE]).timeline(departure_id)
    task = [(e.outcome, e.code) for e in timeline if e.kind == MessageKind.TASK.value]
    assert task == [(Outcome.ERROR, "no_conversation")]
    current = await app.departure(departure_id)
    assert "task" not in current.cards
    assert current.interviewer_upn == PARTNER.upn
