"""closing.days_after_last_day: 14 unless HR says otherwise, per unit; a wrong value says where."""

from __future__ import annotations

from pathlib import Path

from config.loader import load_config
from config.rules import closing_rules, shortest_closing_days
from tests.config.builder import write_config
from tests.config.test_mistakes import org, problems_in, units


def test_fourteen_days_unless_a_unit_says_otherwise(tmp_path: Path) -> None:
    files = units(
        "      sections: [about]\n",
        "      sections: [about]\n    closing:\n      days_after_last_day: 3\n",
    )
    config = load_config(write_config(tmp_path, files))
    assert closing_rules(config, "roads").days_after_last_day == 3
    assert closing_rules(config, "care").days_after_last_day == 14
    assert closing_rules(config, None).days_after_last_day == 14
    assert shortest_closing_days(config) == 3  # the job's first filter takes the fewest


def test_a_negative_number_of_days_is_reported_with_file_and_line(tmp_path: Path) -> None:
    files = org(
        "    question_set: basic\n",
        "    question_set: basic\n  closing:\n    days_after_last_day: -1\n",
    )
    assert problems_in(tmp_path, files) == [
        "organisation.yaml:17:26: defaults.closing.days_after_last_day: input should be "
        "greater than or equal to 0 (got -1)"
    ]
