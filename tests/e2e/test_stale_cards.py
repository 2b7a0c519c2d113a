"""Issue 11's repro in Agents Playground: a card drawn for an earlier booking cannot change the
newest one. Hanne (the demo's HR, at the keyboard) books her own conversation, moves it from her
`status` card, then presses the original booked card and the old `status` card again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.app import create_app
from bot.typedefs import DATABASE, PEOPLE
from config.loader import default_config_dir, load_config
from people.local_directory import LocalDirectory
from storage.migrate import upgrade
from storage.repositories import SqlDepartureRepository
from testkit.standins.serve import serve
from tests.cards.validator import assert_valid_cards
from tests.e2e.demo import DemoPlayground, book_own_conversation, demo_settings
from tests.e2e.demo import buttons as _buttons
from tests.e2e.playground import require_playground

pytestmark = pytest.mark.playground


def _texts(card: dict[str, Any]) -> list[str]:
    return [str(block.get("text", "")) for block in card.get("body", [])]


async def test_a_card_drawn_for_an_earlier_booking_is_refused_and_the_current_one_shown(
    tmp_path: Path,
) -> None:
    require_playground()
    config = load_config(default_config_dir())
    settings = demo_settings(tmp_path)
    await upgrade(settings.database_url)
    app = create_app(settings)
    async with serve(app) as bot_url, DemoPlayground(f"{bot_url}/api/messages") as playground:
        await playground.install()
        await playground.wait_for(lambda event: bool(event.cards))  # the welcome
        departures = SqlDepartureRepository(app[DATABASE])
        booked = await book_own_conversation(playground, config, departures)
        first_booking = booked.card

        # `status`: Hanne's own departure comes first, with its move and cancel buttons.
        await playground.send_text("status")
        status = await playground.wait_for(
            lambda event: bool(event.cards and _buttons(event.cards[0], "booking.cancel"))
        )
        status_card = status.cards[0]
        move = _buttons(status_card, "booking.reschedule")[0]
        times = await playground.execute(
            "booking.reschedule", move["data"], reply_to=status.message_id
        )
        later = _buttons(times["value"], "booking.pick")[-1]
        moved = await playground.execute("booking.pick", later["data"], reply_to=status.message_id)
        assert _buttons(moved["value"], "booking.cancel"), "the moved booking can be cancelled"

        newest = await departures.get(booked.departure_id)
        calendar = app[PEOPLE].calendar
        assert isinstance(calendar, LocalDirectory)
        events_before = [m.event_id for m in calendar.meetings]

        # The original booked card's "move" and the old status card's "cancel": both drawn for
        # an earlier booking.
        again = _buttons(first_booking, "booking.reschedule")[0]
        stale_move = await playground.execute(
            "booking.reschedule", again["data"], reply_to=booked.message_id
        )
        cancel = _buttons(status_card, "booking.cancel")[0]
        stale_cancel = await playground.execute(
            "booking.cancel", cancel["data"], reply_to=status.message_id
        )
        after = await departures.get(booked.departure_id)
        events_after = [m.event_id for m in calendar.meetings]

    notice = config.text("error.stale_card", "en")
    for answer in (stale_move, stale_cancel):
        assert answer["type"] == "application/vnd.microsoft.card.adaptive"
        assert notice in _texts(answer["value"])
        # The card shown instead is the current one: its buttons act on the newest booking.
        current = _buttons(answer["value"], "booking.cancel")
        assert current and current[0]["data"] != cancel["data"]
    assert after.status == "booked"
    assert after.meeting_start == newest.meeting_start
    assert after.meeting_event_id == newest.meeting_event_id
    assert events_after == events_before
    assert_valid_cards([status_card, moved["value"], stale_move["value"], stale_cancel["value"]])
