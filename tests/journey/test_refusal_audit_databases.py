"""The refusal audit on both databases (issue 12): a refused press writes exactly one audit
row, with who, what, the departure or scope and why, and changes nothing, on SQLite and on
PostgreSQL. Every verb is checked on SQLite in test_refusal_audit; here those that reach the
database differently: a view, a change of plan, HR's door, the checklist, the figures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.helpers.journey import STRANGER, LiveApp
from tests.helpers.live_service import live_service
from tests.journey.test_booking import booked
from tests.journey.test_refusal_audit import (
    REFUSED,
    REFUSED_WITHOUT_DEPARTURE,
    assert_unchanged,
    refused_once,
    text_of,
)

ON_A_DEPARTURE = ["task.refresh", "booking.cancel", "register.cancel", "handover.tick"]


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[LiveApp]:
    async with live_service(database_url) as live:
        yield live


@pytest.mark.parametrize("verb", ON_A_DEPARTURE)
async def test_a_refused_press_is_audited_once_and_changes_nothing(app: LiveApp, verb: str) -> None:
    departure, _ = await booked(app)
    await app.settled()
    before = await app.departure(departure.id)
    data, reason = REFUSED[verb]
    answer, entry = await refused_once(app, STRANGER, verb, {"departure": departure.id, **data})
    if verb != "task.refresh":  # a refresh gets the card without details
        assert answer["value"] == text_of(app, reason)
    assert (entry.actor, entry.departure_id) == (STRANGER.upn, departure.id)
    assert (entry.detail["verb"], entry.detail["reason"]) == (verb, reason.value)
    assert_unchanged(await app.departure(departure.id), before)


@pytest.mark.parametrize("verb", sorted(REFUSED_WITHOUT_DEPARTURE))
async def test_refused_figures_and_hrs_list_are_audited_with_their_scope(
    app: LiveApp, verb: str
) -> None:
    data, reason, scope = REFUSED_WITHOUT_DEPARTURE[verb]
    answer, entry = await refused_once(app, STRANGER, verb, data)
    assert answer["value"] == text_of(app, reason)
    assert (entry.departure_id, entry.detail.get("scope")) == (None, scope)
    assert entry.detail["reason"] == reason.value
