"""The patterns on the interviewer's task card, on the real app with SQLite and PostgreSQL:
what earlier leavers of the unit said, small groups left out, for the interviewer only and
only before the conversation is held."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.typedefs import DATABASE
from testkit.insights_seed import seed
from tests.cards.validator import assert_valid_cards
from tests.helpers.journey import (
    HR,
    LEAVER,
    MANAGER,
    PARTNER,
    STRANGER,
    LiveApp,
    cards_of,
    texts_of,
)
from tests.helpers.live_service import live_service
from tests.journey.test_booking import booked, task_posted
from tests.patterns.cards import anywhere, charts_of, fallback_titles, part_of, x_labels, y_values
from tests.patterns.helpers import earlier_leavers, too_few_leavers
from tests.survey.helpers import card_of


@pytest.fixture
async def live(database_url: str) -> AsyncIterator[LiveApp]:
    async with live_service(database_url) as app:
        yield app


async def task_for_partner(app: LiveApp) -> tuple[str, dict[str, Any]]:
    """Sofie (social care) booked her conversation with Peter; his own view of the task card."""
    departure, _ = await booked(app)
    await app.until(lambda: task_posted(app, departure.id), what="task card sent")
    task = card_of(await app.press(PARTNER, "task.refresh", {"departure": departure.id}))
    return departure.id, task


async def test_the_interviewer_sees_what_earlier_leavers_of_the_unit_said(live: LiveApp) -> None:
    await seed(live.app[DATABASE], earlier_leavers())
    _, task = await task_for_partner(live)
    assert_valid_cards([task])
    part = part_of(task, live.config)
    assert part is not None
    texts = texts_of({"body": part["items"]})
    # The newest whole half-year that is settled on 23 November 2026.
    assert live.text("patterns.intro", period="H1 2026", departures="12") in texts
    reasons, areas = [c for c in part["items"] if c["type"] == "Chart.HorizontalBar"]
    assert x_labels(reasons) == ["The workload", "Working hours or flexibility"]
    assert y_values(reasons) == [83, 50]  # of the twelve who named their reasons
    assert fallback_titles(reasons) == x_labels(reasons)
    assert x_labels(areas) == [
        "Job content",
        "Motivation and development",
        "Relations and collaboration",
        "Work environment",
    ]
    assert y_values(areas) == [3.2, 3.2, 3.2, 3.2]  # (6×4 + 4×2 + 2×3) / 12
    donut = charts_of(part)["Chart.Donut"]
    assert [(p["legend"], p["value"]) for p in donut["data"]] == [("Yes", 67), ("No", 33)]
    # Too few named these, or rated this area: neither drawn nor written in a fallback.
    figures = anywhere(part)
    for hidden in ("Leadership", "Better career opportunities elsewhere", "Pay and benefits"):
        assert hidden not in figures, hidden
    assert "Leadership" not in anywhere(task)


async def test_nobody_else_sees_them(live: LiveApp) -> None:
    await seed(live.app[DATABASE], earlier_leavers())
    departure_id, task = await task_for_partner(live)
    assert part_of(task, live.config) is not None
    # The leaver, the manager she did not choose, HR and a stranger refreshing the card: the
    # card without details, and nothing of the unit's figures.
    for other in (LEAVER, MANAGER, HR, STRANGER):
        answer = card_of(await live.press(other, "task.refresh", {"departure": departure_id}))
        assert texts_of(answer) == live.text("task.no_details"), other
        assert part_of(answer, live.config) is None
        assert "Chart." not in anywhere(answer)
    # The card posted to Peter's chat has none either: only his own refreshed view does.
    chat = (await live.departure(departure_id)).cards["task"].conversation_id
    # Posted when she chose him, updated in place when she booked.
    posted = [
        card
        for r in live.connector.requests
        if r.method in ("POST", "PUT") and chat in r.path
        for card in cards_of(r.body)
    ]
    assert posted and all(part_of(card, live.config) is None for card in posted)


async def test_gone_once_the_conversation_is_held(live: LiveApp) -> None:
    await seed(live.app[DATABASE], earlier_leavers())
    departure_id, task = await task_for_partner(live)
    assert part_of(task, live.config) is not None
    departure = await live.departure(departure_id)
    assert departure.meeting_end is not None
    ahead = departure.meeting_end - live.clock.now() + timedelta(minutes=5)
    live.clock.advance(seconds=ahead.total_seconds())
    held = card_of(await live.press_button(PARTNER, task, "task.held", n_main_points="Rota"))
    assert live.text("notes.held_note", name="Sofie Andersen") in texts_of(held)
    assert part_of(held, live.config) is None
    again = card_of(await live.press(PARTNER, "task.refresh", {"departure": departure_id}))
    assert part_of(again, live.config) is None


async def test_too_few_earlier_leavers_is_one_line(live: LiveApp) -> None:
    await seed(live.app[DATABASE], too_few_leavers())
    _, task = await task_for_partner(live)
    part = part_of(task, live.config)
    assert part is not None
    line = live.text("patterns.too_few", unit_name="Social Care", period="H1 2026")
    assert [item.get("text") for item in part["items"]] == [line]
    assert "Leadership" not in anywhere(task) and "Chart." not in anywhere(task)
