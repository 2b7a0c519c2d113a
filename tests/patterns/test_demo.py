"""`exitbot demo`'s history (cli.demo_history) gives a demo interviewer real patterns: Sofie
leaves social care, and Peter's task card shows what its earlier leavers said."""

from __future__ import annotations

from bot.typedefs import DATABASE
from cli.demo_history import write_history
from tests.helpers.journey import T0, LiveApp
from tests.patterns.cards import charts_of, part_of, x_labels
from tests.patterns.test_task_card import task_for_partner


async def test_a_demo_interviewer_sees_patterns_of_a_demo_unit(app: LiveApp) -> None:
    assert await write_history(app.app[DATABASE], T0) > 150
    _, task = await task_for_partner(app)
    part = part_of(task, app.config)
    assert part is not None
    horizontal = [item for item in part["items"] if item["type"] == "Chart.HorizontalBar"]
    assert len(horizontal) == 2  # the reasons, and the ratings per area
    reasons, areas = horizontal
    assert 1 <= len(x_labels(reasons)) <= 3
    assert "Work environment" in x_labels(areas)
    assert "Chart.Donut" in charts_of(part)
