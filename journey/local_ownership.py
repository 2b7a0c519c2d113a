"""Who sees which unit: the one rule for insights and the follow-up lists (issue 14).

Seed 000: the exit conversation belongs in "the managers' and the union representatives'
toolbox", and learning is hard to apply locally when only HR sees it. So:

- HR sees every unit.
- A unit's manager (the manager of at least one departure registered for it) sees that unit.
- A unit's union or staff representative (HR's YAML, units.yaml `representatives`; a parent
  unit's representatives cover the units below it) sees that unit.
- Anyone else sees no unit.

Seeing a unit means its figures and its follow-ups, never more about one departure than the
caller's own rule allows (journey.follow_up_lists: a representative sees no leaver's name).
Plain Python: the managed units come through a small port (storage.insights), the represented
ones from the configuration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    """Why a person sees a unit; the strongest wins (HR above manager above representative)."""

    HR = "hr"
    MANAGER = "manager"
    REPRESENTATIVE = "representative"


class ManagedUnits(Protocol):
    """The units in which a person manages a departure (storage.insights.SqlInsightsSource)."""

    async def managed_units(self, upn: str | None) -> frozenset[str]: ...


@dataclass(frozen=True)
class LocalScope:
    """The units a person may see, and in which role."""

    everything: bool = False  # HR
    managed: frozenset[str] = frozenset()
    represented: frozenset[str] = frozenset()

    @property
    def units(self) -> frozenset[str]:
        """The units named for this person (HR's are all units, not listed here)."""
        return self.managed | self.represented

    @property
    def anything(self) -> bool:
        return self.everything or bool(self.units)

    def sees(self, unit: str | None) -> bool:
        """Whether the person may see `unit` (None: the whole organisation, HR only)."""
        if self.everything:
            return True
        return unit is not None and unit in self.units

    def role_in(self, unit: str) -> Role | None:
        """The person's strongest role in `unit`, None when they may not see it."""
        if self.everything:
            return Role.HR
        if unit in self.managed:
            return Role.MANAGER
        if unit in self.represented:
            return Role.REPRESENTATIVE
        return None

    def visible(self, units: Iterable[str]) -> list[str]:
        """Of `units`, those the person may see, in their order."""
        return [unit for unit in units if self.sees(unit)]


NOBODY = LocalScope()


async def local_scope(
    upn: str | None, *, hr: bool, represented: frozenset[str], managers: ManagedUnits
) -> LocalScope:
    """The scope of the person asking: HR's without a query, else the units they manage
    (one query) and those they represent (`represented`, from HR's YAML)."""
    if hr:
        return LocalScope(everything=True)
    if not (upn or "").strip():
        return NOBODY
    managed = await managers.managed_units(upn)
    return LocalScope(managed=managed, represented=represented)
