"""bench.hr_actions, small: HR's actions per leaver for each door, from registration to a closed
departure, on the real service; the Entra auto door takes none (issue 16's goal)."""

from __future__ import annotations

from pathlib import Path

from bench.hr_actions import measure, table
from bench.hr_doors import TEAMS, entra_doors

LEAVERS = 3


async def test_hr_acts_for_every_teams_leaver_and_not_at_all_with_entra_auto(
    tmp_path: Path,
) -> None:
    auto = [door for door in entra_doors() if door.name == "Entra, auto"]
    rows = await measure([TEAMS, *auto], LEAVERS, tmp_path)
    shown = table(rows)

    teams = rows[0]
    assert teams.problem is None, shown
    assert teams.closed == LEAVERS, shown
    assert teams.tally.total >= LEAVERS, shown  # at least the form's submit per leaver
    assert teams.per_leaver >= 1
    assert "register.submit" in teams.what()
    for row in rows[1:]:
        assert row.problem is None, shown
        assert row.closed == LEAVERS, shown  # every departure registered by itself, then closed
        assert row.tally.total == 0, shown
        assert row.what() == "none"
