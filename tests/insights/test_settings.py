"""insights.period in HR's YAML: half-years unless HR says otherwise; a wrong value says where;
a tile is settled once the slowest unit's cases could have closed."""

from __future__ import annotations

from pathlib import Path

from config.insights import insights_rules
from config.loader import load_config
from journey.periods import Tiling
from tests.config.builder import ORGANISATION, write_config
from tests.config.test_mistakes import problems_in, units


def test_half_years_unless_hr_says_otherwise(tmp_path: Path) -> None:
    closing = "      sections: [about]\n    closing:\n      days_after_last_day: 40\n"
    slow = units("      sections: [about]\n", closing)
    rules = insights_rules(load_config(write_config(tmp_path / "default", slow)))
    assert rules.period is Tiling.HALF_YEAR
    assert rules.settle_days == 41, "the slowest unit's closing, and the night it closes"
    quarters = {"organisation.yaml": ORGANISATION + "insights:\n  period: quarter\n"}
    assert insights_rules(load_config(write_config(tmp_path / "q", quarters))).period is (
        Tiling.QUARTER
    )


def test_a_period_that_is_not_a_whole_calendar_period_is_reported_with_file_and_line(
    tmp_path: Path,
) -> None:
    files = {"organisation.yaml": ORGANISATION + "insights:\n  period: last_12\n"}
    [problem] = problems_in(tmp_path, files)
    assert problem.startswith("organisation.yaml:17:11: insights.period: ")
    assert "'quarter', 'half_year' or 'year'" in problem
