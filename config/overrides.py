"""A unit's effective settings: the organisation's defaults, then each parent unit, then its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel

from config.schema import Localized, Unit, UnitSettings

S = TypeVar("S", bound=BaseModel)


def merge(base: S, override: BaseModel) -> S:
    """`base` with every field `override` set in its YAML; nested sections merge key by key."""
    updates = {}
    fields = type(base).model_fields
    for name in override.model_fields_set:
        if name not in fields:
            continue  # a unit's own id, name, parent and texts are not settings
        new, old = getattr(override, name), getattr(base, name)
        if isinstance(new, BaseModel) and type(new) is type(old):
            new = merge(old, new)
        updates[name] = new
    return base.model_copy(update=updates)


# How many units deep a unit may sit under its topmost parent. Organisations have a few
# levels; the bound keeps following the parents of every unit linear in the number of units.
MAX_UNIT_DEPTH = 32


def climb(unit_id: str, units: Mapping[str, Unit]) -> tuple[list[Unit], str | None]:
    """The unit and its parents, the topmost first, or why they cannot be followed:
    "unknown" (a parent that is not a unit), "loop" or "deep" (more than MAX_UNIT_DEPTH)."""
    chain: list[Unit] = []
    seen: set[str] = set()
    current: str | None = unit_id
    while current is not None:
        if current not in units:
            return [], "unknown"
        if current in seen:
            return [], "loop"
        if len(chain) == MAX_UNIT_DEPTH:
            return [], "deep"
        seen.add(current)
        chain.append(units[current])
        current = units[current].parent
    return list(reversed(chain)), None


def lineage(unit_id: str, units: Mapping[str, Unit]) -> list[Unit] | None:
    """The unit and its parents, the topmost first; None when they cannot be followed."""
    chain, trouble = climb(unit_id, units)
    return None if trouble else chain


def all_effective_settings(
    defaults: UnitSettings, units: Mapping[str, Unit]
) -> dict[str, UnitSettings | None]:
    """What applies in every unit, each parent's result merged once and reused by its
    children; None for a unit whose parents cannot be followed."""
    done: dict[str, UnitSettings | None] = {}
    for unit_id in units:
        chain = lineage(unit_id, units)
        if chain is None:
            done[unit_id] = None
            continue
        settings = defaults
        for unit in chain:
            known = done.get(unit.id)
            if known is None:
                known = merge(settings, unit)
                done[unit.id] = known
            settings = known
    return done


def effective_texts(unit_id: str, units: Mapping[str, Unit]) -> dict[str, Localized]:
    """The texts a unit rewords, its own wording winning over its parents'."""
    texts: dict[str, Localized] = {}
    for unit in lineage(unit_id, units) or []:
        texts.update(unit.texts)
    return texts


def unit_departures_source(unit_id: str, units: Mapping[str, Unit]) -> str | None:
    """Where a unit's departures come from when it (or the nearest unit above it) says so
    (`departures_source`); None: as the organisation's `departures.source`."""
    source = None
    for unit in lineage(unit_id, units) or []:
        source = unit.departures_source or source
    return source
