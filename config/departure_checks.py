"""Checks of where departures come from (issue 16), across organisation.yaml and units.yaml.

The values in `departures.entra.unit_from.values` are read from the file as written: Entra's
values are compared without regard to case or surrounding spaces (journey.leave_dates), so
two entries that differ only so are one value mapped twice, which the model alone would merge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ruamel.yaml.comments import CommentedMap

from config.hints import suggest
from config.overrides import lineage
from config.parsed import Parsed
from config.problems import ConfigProblem
from config.schema import Unit
from config.setting_checks import units_by_id
from config.yaml_source import Loc, YamlDocument
from journey.leave_dates import attribute_value_key

VALUES: Loc = ("departures", "entra", "unit_from", "values")


def check_departures(parsed: Parsed) -> list[ConfigProblem]:
    """The unit each value maps to, values mapped twice, the look-ahead, and units that take
    departures from Entra with no value mapped to them."""
    organisation = parsed.organisation
    if organisation is None:
        return []
    doc, departures = organisation.doc, organisation.model.departures
    values = _mapping(doc.data, VALUES)
    problems = _mapped_twice(doc, values)
    units = units_by_id(parsed.units.model.units) if parsed.units is not None else None
    if units is not None:
        for value, unit in values.items():
            if unit not in units:
                message = f"unknown unit {unit!r}{suggest(unit, units)}"
                problems.append(doc.problem((*VALUES, value), message))
    uses_entra = departures.source == "entra" or any(
        unit.departures_source == "entra" for unit in (units or {}).values()
    )
    if uses_entra and departures.entra.look_ahead_days > departures.max_days_ahead:
        message = (
            f"looks {departures.entra.look_ahead_days} days ahead, but a last working day may "
            f"be at most {departures.max_days_ahead} days ahead (departures.max_days_ahead): "
            "registering the later ones would be refused"
        )
        problems.append(doc.problem_near(("departures", "entra", "look_ahead_days"), message))
    if parsed.units is not None and units is not None:
        problems += _units_not_mapped(parsed.units.doc, parsed.units.model.units, units, values)
    return problems


def _mapping(data: Any, loc: Loc) -> Mapping[str, Any]:
    """The mapping at `loc` as written, or an empty one."""
    node = data
    for step in loc:
        if not isinstance(node, CommentedMap) or step not in node:
            return {}
        node = node[step]
    return node if isinstance(node, CommentedMap) else {}


def _mapped_twice(doc: YamlDocument, values: Mapping[str, Any]) -> list[ConfigProblem]:
    problems = []
    first: dict[str, str] = {}
    for value in values:
        key = attribute_value_key(str(value))
        if key in first:
            line = doc.locate((*VALUES, first[key]), at_key=True)[0]
            message = (
                f"{str(value).strip()!r} is mapped twice (first on line {line}); values are "
                "compared without regard to case"
            )
            problems.append(doc.problem((*VALUES, value), message, at_key=True))
        else:
            first[key] = value
    return problems


def _units_not_mapped(
    doc: YamlDocument,
    written: list[Unit],
    units: Mapping[str, Unit],
    values: Mapping[str, Any],
) -> list[ConfigProblem]:
    """A unit that writes `departures_source: entra` while no value maps to it or to a unit
    below it: no leaver from Entra would ever be found for it."""
    covered = {
        unit.id
        for target in set(values.values())
        if target in units
        for unit in lineage(str(target), units) or []
    }
    problems = []
    for i, unit in enumerate(written):
        if unit.departures_source != "entra" or unit.id in covered or units[unit.id] is not unit:
            continue
        message = (
            f"takes departures from Entra ID, but no departures.entra.unit_from.values entry in "
            f"organisation.yaml maps to {unit.id!r} or a unit below it"
        )
        problems.append(doc.problem(("units", i, "departures_source"), message))
    return problems
