"""survey.after_decline: off unless HR turns it on, per unit; a wrong value says where it is."""

from __future__ import annotations

from pathlib import Path

from config.loader import load_config
from config.survey_plan import survey_plan
from tests.config.builder import write_config
from tests.config.test_mistakes import org, problems_in, units


def test_off_by_default_and_on_for_the_unit_that_asks(tmp_path: Path) -> None:
    files = units("      sections: [about]\n", "      after_decline: true\n")
    config = load_config(write_config(tmp_path, files))
    assert survey_plan(config, "roads").after_decline is True
    assert survey_plan(config, "care").after_decline is False


def test_a_wrong_value_is_reported_with_file_and_line(tmp_path: Path) -> None:
    files = org("    question_set: basic\n", "    question_set: basic\n    after_decline: maybe\n")
    assert problems_in(tmp_path, files) == [
        "organisation.yaml:16:20: defaults.survey.after_decline: input should be a valid "
        "boolean, unable to interpret input (got 'maybe')"
    ]
