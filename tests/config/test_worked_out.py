"""What a click asks of the configuration again and again (a unit's survey, reminders, offer
and booking rules) is worked out once per loaded configuration: the same answers every time,
a caller's changes to its copy do not reach the next one, and a reload answers anew."""

from __future__ import annotations

from pathlib import Path

from config.loader import load_config
from config.rules import offer_policy, reminder_rules, unit_rules
from tests.config.builder import write_config
from tests.config.test_mistakes import org, units


def test_a_units_sections_are_the_same_each_time_and_a_callers_list_is_its_own(
    tmp_path: Path,
) -> None:
    config = load_config(write_config(tmp_path))
    first = config.survey_sections("roads")
    assert [s.id for s in first] == ["about"]
    first.clear()
    assert [s.id for s in config.survey_sections("roads")] == ["about"]
    # A unit the configuration does not know asks the organisation's survey.
    assert config.survey_sections("gone") == config.survey_sections(None)
    assert [s.id for s in config.survey_sections(None)] == ["about", "more"]


def test_a_reload_answers_with_the_new_settings(tmp_path: Path) -> None:
    before = load_config(write_config(tmp_path / "before"))
    files = {
        **org("handover_days_before: 10", "handover_days_before: 4"),
        **units("      sections: [about]\n", "      sections: [more]\n"),
    }
    after = load_config(write_config(tmp_path / "after", files))
    for _ in range(2):
        assert reminder_rules(before, "care").handover_days_before == 10
        assert reminder_rules(after, "care").handover_days_before == 4
        assert [s.id for s in before.survey_sections("roads")] == ["about"]
        assert [s.id for s in after.survey_sections("roads")] == ["more"]
    assert unit_rules(before, "care") == unit_rules(before, "care")
    assert unit_rules(before, "care").pool == ("rep@example.org",)
    assert offer_policy(before, "roads") == offer_policy(before, "")
