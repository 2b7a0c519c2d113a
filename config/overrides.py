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


def lineage(unit_id: str, units: Mapping[str, Unit]) -> list[Unit] | None:
    """The unit and its parents, the topmost first; None on an unknown parent or a loop."""
    chain: list[Unit] = []
    seen: set[str] = set()
    current: str | None = unit_id
    while current is not None:
        if current in seen or current not in units:
            return None
        seen.add(current)
        chain.append(units[current])
        current = units[current].parent
    return list(reversed(chain))


def effective_settings(
    defaults: UnitSettings, unit_id: str, units: Mapping[str, Unit]
) -> UnitSettings | None:
    """What applies in a unit; None when its parents cannot be followed."""
    chain = lineage(unit_id, units)
    if chain is None:
        return None
    settings = defaults
    for unit in chain:
        settings = merge(settings, unit)
    return settings


def effective_texts(unit_id: str, units: Mapping[str, Unit]) -> dict[str, Localized]:
    """The texts a unit rewords, its own wording winning over its parents'."""
    texts: dict[str, Localized] = {}
    for unit in lineage(unit_id, units) or []:
        texts.update(unit.texts)
    return texts
