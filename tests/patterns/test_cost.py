"""The patterns cost the booking nothing, and a unit's figures are counted once (issue 13
counts the statements of every click; tests/storage/test_click_statements.py bounds them)."""

from __future__ import annotations

from bot.typedefs import DATABASE
from testkit.insights_seed import seed
from tests.helpers.journey import LEAVER, PARTNER, LiveApp
from tests.journey.test_booking import task_posted, with_slots
from tests.patterns.cards import part_of
from tests.patterns.helpers import earlier_leavers
from tests.storage.test_click_statements import BOUNDS, statements
from tests.storage.test_click_statements import counted as counted  # the fixture
from tests.survey.helpers import card_of


async def test_the_booking_runs_no_statement_for_them_and_a_unit_is_counted_once(
    counted: LiveApp,
) -> None:
    app = counted
    await seed(app.app[DATABASE], earlier_leavers())
    departure, slots = await with_slots(app)
    with statements(app) as pick:
        await app.press_button(LEAVER, slots, "booking.pick")
    assert pick.own <= BOUNDS["booking.pick"], pick.tables
    assert "survey_answers" not in pick.tables  # nothing counted across departures
    await app.until(lambda: task_posted(app, departure.id), what="task card sent")

    refresh = {"departure": departure.id}
    with statements(app) as first:
        shown = card_of(await app.press(PARTNER, "task.refresh", refresh))
    with statements(app) as again:
        shown_again = card_of(await app.press(PARTNER, "task.refresh", refresh))
    assert part_of(shown, app.config) is not None
    assert shown_again == shown
    print(f"\ntask.refresh: {first.tables}\nthen {again.tables}")
    # The first refresh counts the unit's figures (storage.insights: departures, answers,
    # ratings ... per unit and period, each a statement over departures); the second reads
    # the departure itself and nothing across departures.
    assert first.tables.count("departures") >= 1 + 3
    assert again.tables.count("departures") == 1
