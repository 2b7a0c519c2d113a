"""Reminders in Agents Playground, with time moved forward through EXITBOT_TEST_CLOCK: the
handover checklist arrives on its day, a tick updates it in place, the thank-you comes on the
last working day. Sofie (the demo's Danish leaver) is at the keyboard."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.settings import Settings
from bot.typedefs import DATABASE, REGISTRATION
from config.loader import default_config_dir, load_config
from journey.notify import MessageKind
from journey.registration_rules import RegistrationRequest
from storage.migrate import upgrade
from storage.repositories import SqlDepartureRepository
from storage.tables import due_actions
from testkit.standins.serve import serve
from testkit.waiting import wait_until
from tests.cards.validator import assert_valid_cards
from tests.e2e.demo import SOFIE
from tests.e2e.playground import Playground, StreamEvent, require_playground
from tests.helpers.journey import actions_of

pytestmark = pytest.mark.playground


def _a_friday_weeks_ahead(weeks: int = 5) -> date:
    day = date.today() + timedelta(weeks=weeks)
    return day + timedelta(days=(4 - day.weekday()) % 7)


def _first_card(event: StreamEvent) -> dict[str, Any]:
    return event.cards[0] if event.cards else {}


def _title(event: StreamEvent) -> str:
    body = _first_card(event).get("body") or [{}]
    return str(body[0].get("text", ""))


def _texts(card: dict[str, Any]) -> list[str]:
    return [str(block.get("text")) for block in card.get("body", [])]


def _ticks(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [action for action in actions_of(card) if action["verb"] == "handover.tick"]


async def _due_at(app: Any, kind: MessageKind) -> datetime:
    async with app[DATABASE].sessions() as session:
        due = await session.scalar(
            select(due_actions.c.due_at).where(due_actions.c.kind == kind.value)
        )
    assert due is not None, f"no {kind} planned"
    return due


async def _until_recorded(app: Any, departure_id: str, slot: str) -> None:
    repository = SqlDepartureRepository(app[DATABASE])

    async def recorded() -> bool:
        return slot in (await repository.get(departure_id)).cards

    await wait_until(recorded, what=f"the {slot} card is recorded")


async def _move_clock_to(http: aiohttp.ClientSession, bot_url: str, moment: datetime) -> None:
    target = (moment + timedelta(seconds=5)).isoformat()
    async with http.post(f"{bot_url}/_test/clock", json={"to": target}) as response:
        assert response.status == 200, await response.text()


async def test_handover_and_farewell_arrive_on_their_days(tmp_path: Path) -> None:
    require_playground()
    config = load_config(default_config_dir())
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        EXITBOT_LOCAL_MODE=True,
        EXITBOT_TEST_CLOCK=True,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}",
    )
    await upgrade(settings.database_url)
    app = create_app(settings)
    last_day = _a_friday_weeks_ahead()
    text = lambda key, **params: config.text(key, "da", unit="social-care", **params)  # noqa: E731
    async with (
        serve(app) as bot_url,
        aiohttp.ClientSession() as http,
        Playground(f"{bot_url}/api/messages", user=SOFIE, locale="da-DK") as playground,
    ):
        await playground.install()
        await playground.wait_for(lambda event: bool(event.cards))  # the welcome
        await playground.send_text("hjælp")
        await playground.wait_for(lambda event: bool(event.cards))
        outcome = await app[REGISTRATION].register(
            RegistrationRequest(
                leaver=SOFIE.email,
                manager="manager@contoso.example",
                unit="social-care",
                last_working_day=last_day,
            ),
            "hr@contoso.example",
            door="teams",
        )
        assert outcome.departure is not None, outcome.problems
        await playground.wait_for(lambda event: _title(event) == text("offer.title"))

        # The checklist's day: two weeks before the last day, at the start of the working day.
        await _move_clock_to(http, bot_url, await _due_at(app, MessageKind.HANDOVER))
        checklist = await playground.wait_for(lambda event: _title(event) == text("handover.title"))
        card = _first_card(checklist)
        # The worker records the posted card right after Teams answers; a tick before that
        # would still update the clicker's card (the invoke answer), not the chat's copy.
        await _until_recorded(app, outcome.departure.id, "handover")
        first = _ticks(card)[0]
        assert first["title"] == text("handover.done")
        answer = await playground.execute(
            "handover.tick", first["data"], reply_to=checklist.message_id
        )
        ticked = answer["value"]
        assert _ticks(ticked)[0]["title"] == text("handover.undo")
        # The posted card itself changes, in the chat, not only in the invoke answer.
        update = await playground.wait_for(
            lambda event: (
                event.action == "updateMessage"
                and event.message is not None
                and _title(event) == text("handover.title")
            )
        )
        assert _ticks(_first_card(update))[0]["title"] == text("handover.undo")

        # The farewell days: first what the unit offers every leaver (issue 11), then on the
        # last working day Sofie is thanked for her work, in Danish.
        await _move_clock_to(http, bot_url, await _due_at(app, MessageKind.THANK_YOU))
        offers_text = text("thanks_offer.intro")
        thanks_text = text("farewell.thanks", name="Sofie Andersen")

        def farewell(wanted: str) -> list[dict[str, Any]]:
            cards = [
                _first_card(e) for e in playground.events if _title(e) == text("farewell.title")
            ]
            return [c for c in cards if wanted in _texts(c)]

        await wait_until(
            lambda: bool(farewell(offers_text) and farewell(thanks_text)),
            what="the farewell offers and the thanks arrived",
        )
        [offers] = farewell(offers_text)
        [thanks] = farewell(thanks_text)

    assert_valid_cards([card, ticked, offers, thanks])
