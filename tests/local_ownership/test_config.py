"""Representatives in HR's YAML (issue 14): where each mistake is, and whom a list covers."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.loader import default_config_dir, load_config
from tests.config.builder import UNITS, write_config
from tests.config.test_mistakes import problems_in

# Below UNITS' two units (care, roads): home under care, each with what the case adds.
HOME = "  - id: home\n    name: Home\n    parent: care\n"


def with_representatives(care: str, home: str = "", roads: str = "") -> dict[str, str]:
    """units.yaml with `representatives:` lines (already indented) under care, home and roads."""
    care_at = "    name: Care\n"
    roads_at = "    name: Roads\n"
    text = UNITS.replace(care_at, care_at + care).replace(roads_at, roads_at + roads)
    return {"units.yaml": text + HOME + home}


CASES = {
    "not a UPN": (
        with_representatives("    representatives: [tr@example.org, Tina TR]\n"),
        [
            "units.yaml:4:39: units[0].representatives[1]: 'tina tr' is not a "
            "user principal name such as anna@contoso.com"
        ],
    ),
    "listed twice": (
        with_representatives("    representatives: [tr@example.org, TR@example.org]\n"),
        ["units.yaml:4:5: units[0].representatives: tr@example.org is listed twice"],
    ),
    "again under a unit its parent's list covers": (
        with_representatives(
            "    representatives: [tr@example.org]\n",
            home="    representatives: [other@example.org, tr@example.org]\n",
        ),
        [
            "units.yaml:15:42: units[2].representatives[1]: tr@example.org is already a "
            "representative of 'care', whose representatives cover the units below it"
        ],
    ),
    "in the organisation's defaults": (
        {
            "organisation.yaml": (
                "name: Testkommune\nhr:\n  members: [hr@example.org]\ndefaults:\n"
                "  representatives: [tr@example.org]\n  survey:\n    question_set: basic\n"
            )
        },
        # ... and the keys allowed there, which a later issue may add to.
        ["organisation.yaml:5:3: defaults.representatives: unknown key 'representatives'"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_mistake_is_reported_with_file_and_line(tmp_path: Path, case: str) -> None:
    files, expected = CASES[case]
    found = problems_in(tmp_path, files)
    assert len(found) == len(expected), found
    for problem, start in zip(found, expected, strict=True):
        assert problem.startswith(start), problem


def test_a_parent_units_representatives_cover_the_units_below(tmp_path: Path) -> None:
    files = with_representatives(
        "    representatives: [tr@example.org]\n",
        home="    representatives: [home.tr@example.org]\n",
        roads="    representatives: [Roads.TR@example.org]\n",
    )
    write_config(tmp_path, files)
    config = load_config(tmp_path)
    assert config.represented_units("tr@example.org") == {"care", "home"}
    assert config.represented_units("HOME.tr@example.org") == {"home"}
    assert config.represented_units("roads.tr@example.org") == {"roads"}
    assert config.represented_units("hr@example.org") == frozenset()
    assert config.representatives("home") == {"tr@example.org", "home.tr@example.org"}
    # Representatives are not a setting: the home unit's settings are its parent's as before.
    assert config.unit("home") == config.unit("care")


def test_the_shipped_configuration_names_social_cares_representative() -> None:
    config = load_config(default_config_dir())
    represented = config.represented_units("union.rep@contoso.example")
    assert represented == {"social-care", "home-care"}
