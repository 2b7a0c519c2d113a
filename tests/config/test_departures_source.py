"""Departures from Entra ID in HR's YAML (issue 16): what the check is told, and each mistake
at its file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loader import default_config_dir, load_config
from journey.leave_dates import LeaveDateSettings
from tests.config.builder import ORGANISATION, UNITS, write_config
from tests.config.test_mistakes import problems_in

# Appended to the small organisation.yaml, whose last line is 15: `departures:` is line 16.
ENTRA = """\
departures:
  source: entra
  entra:
    users:
      group: 6F1C2B3A-0000-4000-8000-00000000ABCD
      where: {companyName: Testkommune}
    unit_from:
      attribute: department
      values:
        Pleje: care
        Veje: roads
"""

# A unit below roads, for inheriting.
NORTH = """\
  - id: roads-north
    name: Roads North
    parent: roads
"""


def entra(old: str = "", new: str = "") -> str:
    assert old in ENTRA
    return ORGANISATION + ENTRA.replace(old, new)


def unit_source(unit: str, source: str) -> str:
    """units.yaml with `departures_source: source` written in `unit` (care or roads)."""
    line = f"    name: {unit.title()}\n"
    assert line in UNITS
    return UNITS.replace(line, f"{line}    departures_source: {source}\n")


def settings(root: Path, organisation: str, units: str = UNITS) -> LeaveDateSettings | None:
    files = {"organisation.yaml": organisation, "units.yaml": units}
    return load_config(write_config(root, files)).leave_dates


def test_the_organisation_taking_entra_gives_every_unit_and_the_departures_with_none(
    tmp_path: Path,
) -> None:
    found = settings(tmp_path, entra(), UNITS + NORTH)
    assert found == LeaveDateSettings(
        group_id="6f1c2b3a-0000-4000-8000-00000000abcd",
        where={"companyName": "Testkommune"},
        unit_attribute="department",
        units_by_value={"Pleje": "care", "Veje": "roads"},
        units=frozenset({"", "care", "roads", "roads-north"}),
    )
    assert (found.look_ahead_days, found.mode, found.when_cleared) == (60, "confirm", "ask")
    assert found.check_every_minutes == 60
    assert found.attributes == ("companyName", "department")


def test_a_unit_taking_departures_by_hand_leaves_out_itself_and_the_units_below_it(
    tmp_path: Path,
) -> None:
    found = settings(tmp_path, entra(), unit_source("roads", "manual") + NORTH)
    assert found is not None
    assert found.units == frozenset({"", "care"})


def test_a_unit_below_may_take_entra_again(tmp_path: Path) -> None:
    north = NORTH + "    departures_source: entra\n"
    organisation = entra("Veje: roads\n", "Veje: roads\n        Nord: roads-north\n")
    found = settings(tmp_path, organisation, unit_source("roads", "manual") + north)
    assert found is not None
    assert found.units == frozenset({"", "care", "roads-north"})


def test_only_a_unit_taking_entra_leaves_out_the_departures_with_no_unit(tmp_path: Path) -> None:
    organisation = entra("source: entra", "source: manual")
    found = settings(tmp_path, organisation, unit_source("roads", "entra") + NORTH)
    assert found is not None
    assert found.units == frozenset({"roads", "roads-north"})
    config = load_config(tmp_path)
    assert [config.departures_source(unit) for unit in ("care", "roads", "roads-north")] == [
        "manual",
        "entra",
        "entra",
    ]
    assert config.departures_source(None) == "manual"
    assert config.departures_source("no-such-unit") == "manual"


def test_departures_by_hand_unless_hr_says_entra(tmp_path: Path) -> None:
    assert settings(tmp_path, ORGANISATION) is None
    # Settings prepared but not switched on: nothing is read from Entra.
    assert settings(tmp_path, entra("source: entra", "source: manual")) is None
    assert settings(tmp_path, entra("source: entra", "source: manual"), UNITS) is None


def test_source_entra_alone_takes_the_documented_defaults(tmp_path: Path) -> None:
    found = settings(tmp_path, ORGANISATION + "departures:\n  source: entra\n")
    assert found == LeaveDateSettings(units=frozenset({"", "care", "roads"}))
    assert found.model_dump() == {
        "look_ahead_days": 60,
        "mode": "confirm",
        "when_cleared": "ask",
        "check_every_minutes": 60,
        "group_id": None,
        "where": {},
        "unit_attribute": "department",
        "units_by_value": {},
        "units": frozenset({"", "care", "roads"}),
    }


def test_every_setting_as_written(tmp_path: Path) -> None:
    organisation = entra(
        "  entra:\n",
        "  entra:\n    look_ahead_days: 30\n    mode: auto\n    when_cleared: cancel\n"
        "    check_every_minutes: 15\n",
    )
    found = settings(tmp_path, organisation)
    assert found is not None
    assert (found.look_ahead_days, found.mode, found.when_cleared) == (30, "auto", "cancel")
    assert found.check_every_minutes == 15


def test_values_map_to_units_without_regard_to_case(tmp_path: Path) -> None:
    found = settings(tmp_path, entra())
    assert found is not None
    assert found.unit_for({"department": " pleje "}) == "care"
    assert found.unit_for({"department": "VEJE"}) == "roads"
    assert found.unit_for({"department": "Kultur"}) is None  # HR picks; never guessed
    assert found.unit_for({"companyName": "Pleje"}) is None
    assert found.counts({"companyName": "testkommune", "department": "x"})
    assert not found.counts({"companyName": "Andekommune"})
    assert not found.counts({})


def test_the_demo_organisation_takes_its_departures_from_entra() -> None:
    config = load_config(default_config_dir())
    found = config.leave_dates
    assert found is not None
    assert found.mode == "confirm" and found.look_ahead_days == 60
    assert found.unit_for({"department": "Hjemmeplejen"}) == "home-care"
    assert found.unit_for({"department": "Social og Sundhed"}) == "social-care"
    assert found.unit_for({"department": "Teknik og Miljø"}) == "technical-services"
    assert found.unit_for({"department": "Kultur og Fritid"}) is None
    assert found.units == frozenset({"", "social-care", "home-care", "technical-services"})


ATTRIBUTES = (
    "department, companyName, employeeType, officeLocation, jobTitle, city, state, country, "
    "usageLocation"
)

MISTAKES: dict[str, tuple[dict[str, str], str]] = {
    "an attribute Graph does not have, misspelt": (
        {"organisation.yaml": entra("attribute: department", "attribute: Department")},
        "organisation.yaml:23:18: departures.entra.unit_from.attribute: 'Department' is not a "
        f"user property the bot reads from Entra ID ({ATTRIBUTES}); did you mean 'department'?",
    ),
    "a filter on an attribute not read": (
        {"organisation.yaml": entra("companyName: Testkommune", "division: Drift")},
        "organisation.yaml:21:15: departures.entra.users.where.division: bad key: 'division' is "
        f"not a user property the bot reads from Entra ID ({ATTRIBUTES})",
    ),
    "a group that is not an object id": (
        {"organisation.yaml": entra("6F1C2B3A-0000-4000-8000-00000000ABCD", "Plejegruppen")},
        "organisation.yaml:20:14: departures.entra.users.group: "
        "'Plejegruppen' is not an Entra ID object id (a GUID)",
    ),
    "a value mapped to a unit that does not exist": (
        {"organisation.yaml": entra("Veje: roads", "Veje: road")},
        "organisation.yaml:26:15: departures.entra.unit_from.values.Veje: "
        "unknown unit 'road'; did you mean 'roads'?",
    ),
    "a value mapped twice, in another case": (
        {"organisation.yaml": entra("Veje: roads", "PLEJE: roads")},
        "organisation.yaml:26:9: departures.entra.unit_from.values.PLEJE: 'PLEJE' is mapped "
        "twice (first on line 25); values are compared without regard to case",
    ),
    "a value written twice": (
        {"organisation.yaml": entra("Veje: roads", "Pleje: roads")},
        'organisation.yaml:26:9: (file): YAML syntax: found duplicate key "Pleje" with value '
        '"roads" (original value: "care") (while constructing a mapping)',
    ),
    "a filter attribute written twice": (
        {"organisation.yaml": entra("{companyName: Testkommune}", "{city: A, city: B}")},
        'organisation.yaml:21:24: (file): YAML syntax: found duplicate key "city" with value '
        '"B" (original value: "A") (while constructing a mapping)',
    ),
    "the source in defaults": (
        {"organisation.yaml": ORGANISATION + "  departures_source: entra\n"},
        "organisation.yaml:16:22: defaults.departures_source: the organisation's source is "
        "`departures.source` in organisation.yaml; `departures_source` is written in a unit "
        "(units.yaml) that differs from it",
    ),
    "an unknown source": (
        {"organisation.yaml": entra("source: entra", "source: graph")},
        "organisation.yaml:17:11: departures.source: input should be 'manual' or 'entra' "
        "(got 'graph')",
    ),
    "an unknown source in a unit": (
        {"units.yaml": unit_source("roads", "Entra")},
        "units.yaml:9:24: units[1].departures_source: input should be 'manual' or 'entra' "
        "(got 'Entra')",
    ),
    "a unit taking Entra that no value maps to": (
        {
            "organisation.yaml": entra("        Veje: roads\n"),
            "units.yaml": unit_source("roads", "entra"),
        },
        "units.yaml:9:24: units[1].departures_source: takes departures from Entra ID, but no "
        "departures.entra.unit_from.values entry in organisation.yaml maps to 'roads' or a "
        "unit below it",
    ),
    "a look-ahead beyond the last day allowed": (
        {
            "organisation.yaml": entra(
                "  entra:\n", "  max_days_ahead: 30\n  entra:\n    look_ahead_days: 60\n"
            )
        },
        "organisation.yaml:20:22: departures.entra.look_ahead_days: looks 60 days ahead, but a "
        "last working day may be at most 30 days ahead (departures.max_days_ahead): "
        "registering the later ones would be refused",
    ),
    "a look-ahead of more than a year": (
        {"organisation.yaml": entra("  entra:\n", "  entra:\n    look_ahead_days: 400\n")},
        "organisation.yaml:19:22: departures.entra.look_ahead_days: input should be less than "
        "or equal to 365 (got 400)",
    ),
    "checking every minute": (
        {"organisation.yaml": entra("  entra:\n", "  entra:\n    check_every_minutes: 1\n")},
        "organisation.yaml:19:26: departures.entra.check_every_minutes: input should be "
        "greater than or equal to 5 (got 1)",
    ),
    "an unknown mode": (
        {"organisation.yaml": entra("  entra:\n", "  entra:\n    mode: automatic\n")},
        "organisation.yaml:19:11: departures.entra.mode: input should be 'confirm' or 'auto' "
        "(got 'automatic')",
    ),
    "an unknown answer to a cleared date": (
        {"organisation.yaml": entra("  entra:\n", "  entra:\n    when_cleared: delete\n")},
        "organisation.yaml:19:19: departures.entra.when_cleared: input should be 'ask' or "
        "'cancel' (got 'delete')",
    ),
    "a misspelt setting": (
        {"organisation.yaml": entra("  entra:\n", "  entra:\n    lookahead_days: 30\n")},
        "organisation.yaml:19:5: departures.entra.lookahead_days: "
        "unknown key 'lookahead_days'; did you mean 'look_ahead_days'?",
    ),
}


@pytest.mark.parametrize(("files", "expected"), MISTAKES.values(), ids=MISTAKES.keys())
def test_each_mistake_is_one_problem_where_it_is(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    assert problems_in(tmp_path, files) == [expected]


def test_the_look_ahead_left_out_is_told_where_the_settings_are(tmp_path: Path) -> None:
    files = {"organisation.yaml": entra("  entra:\n", "  max_days_ahead: 30\n  entra:\n")}
    assert problems_in(tmp_path, files) == [
        "organisation.yaml:19:3: departures.entra.look_ahead_days: looks 60 days ahead, but a "
        "last working day may be at most 30 days ahead (departures.max_days_ahead): "
        "registering the later ones would be refused"
    ]


def test_a_short_max_days_ahead_is_fine_while_nothing_comes_from_entra(tmp_path: Path) -> None:
    organisation = ORGANISATION + "departures:\n  max_days_ahead: 30\n"
    assert settings(tmp_path, organisation) is None
