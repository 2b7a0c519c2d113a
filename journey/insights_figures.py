"""The figures of HR's insights and the small-group protection they all share (see
journey.insights for the rules): within one level (`suppressed`), across the organisation and
its units (`shown_scopes`); the split by type of departure (issue 11)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from journey.departure import DepartureType
from journey.insights_counts import DepartureCell

K = TypeVar("K", bound=Hashable)

# ------------------------------------------------------------------------------- suppression


def suppressed(groups: Mapping[K, int], minimum: int) -> frozenset[K]:
    """The groups whose figures must be hidden at one level (e.g. every unit, every month).

    A group with fewer than `minimum` members (but at least one) is hidden. While something is
    hidden, the smallest shown groups are hidden with it until at least two are hidden and they
    hold `minimum` members together: then the total minus the shown groups tells nothing about
    any one hidden group. Empty groups reveal no one and are never needed to cover another.
    """
    hidden = {key for key, size in groups.items() if 0 < size < minimum}
    if not hidden:
        return frozenset()
    shown = sorted(
        (key for key, size in groups.items() if size > 0 and key not in hidden),
        key=lambda key: (groups[key], str(key)),
    )
    while shown and (len(hidden) < 2 or sum(groups[key] for key in hidden) < minimum):
        hidden.add(shown.pop(0))
    return frozenset(hidden)


@dataclass(frozen=True)
class Figure:
    """One number of the report; `value` is None when it is hidden (or there is no data)."""

    value: float | None
    n: int  # the size of the group behind it: shown only together with the value
    hidden: bool = False

    @property
    def shown(self) -> bool:
        return self.value is not None and not self.hidden


HIDDEN = Figure(None, 0, hidden=True)
NONE = Figure(None, 0)


@dataclass(frozen=True)
class Scopes:
    """Where one breakdown may be shown: for the organisation, and for which units."""

    organisation: bool
    units: frozenset[str]

    def show(self, unit: str | None) -> bool:
        return self.organisation if unit is None else unit in self.units


def _fine(bands: Mapping[K, int], minimum: int) -> bool:
    return all(n == 0 or n >= minimum for n in bands.values())


def _added(groups: Iterable[Mapping[K, int]]) -> dict[K, int]:
    total: dict[K, int] = defaultdict(int)
    for bands in groups:
        for band, n in bands.items():
            total[band] += n
    return dict(total)


def shown_scopes(
    per_unit: Mapping[str, Mapping[K, int]], units: Iterable[str], minimum: int
) -> Scopes:
    """Where a breakdown (members per band, per unit) may be shown, all its bands or none.

    A scope shows it only when every band is empty or holds at least `minimum`; `units` are
    those whose figures are shown at all. The organisation's breakdown minus the shown units'
    is what the other units hold together: that rest must pass the same test, so the smallest
    shown units join it until it does; if even the whole organisation does not, the
    organisation's breakdown is hidden and the units' stand alone (they share no one).
    """
    shown = {u for u in units if _fine(per_unit.get(u, {}), minimum)}
    fine_alone = frozenset(shown)
    rest = _added(bands for u, bands in per_unit.items() if u not in shown)
    joining = sorted(
        (u for u in shown if sum(per_unit.get(u, {}).values()) > 0),
        key=lambda u: (sum(per_unit[u].values()), u),
    )
    while not _fine(rest, minimum) and joining:
        unit = joining.pop(0)
        shown.discard(unit)
        rest = _added([rest, per_unit[unit]])
    if _fine(rest, minimum):
        return Scopes(True, frozenset(shown))
    return Scopes(False, fine_alone)


@dataclass(frozen=True)
class ReportScope:
    """The scope of a report, the units whose figures are shown, and the minimum."""

    unit: str | None
    shown_units: frozenset[str]
    minimum: int

    def holds(self, unit: str) -> bool:
        return self.unit is None or unit == self.unit

    def shows(self, per_unit: Mapping[str, Mapping[str, int]]) -> bool:
        """Whether this scope may show a breakdown (members per band, per unit)."""
        return shown_scopes(per_unit, self.shown_units, self.minimum).show(self.unit)

    def shows_group(self, per_unit: Mapping[str, int]) -> bool:
        """Whether this scope may show a figure over one group (members per unit)."""
        return self.shows({u: {"": n} for u, n in per_unit.items()})


def by_type(
    cells: Sequence[DepartureCell], unit: str | None, units: Iterable[str], minimum: int
) -> tuple[tuple[str, Figure, Figure], ...] | None:
    """Departures and the share who accepted, per type of departure within the scope; None
    when the split is hidden.

    One breakdown (`shown_scopes`): every type is shown, or none (and then no type is named,
    as naming one would tell it is not empty).
    """
    per_unit: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    accepted: dict[str, int] = defaultdict(int)
    for c in cells:
        per_unit[c.unit][c.departure_type] += c.departures
        if unit is None or c.unit == unit:
            accepted[c.departure_type] += c.accepted
    sizes = _added(bands for u, bands in per_unit.items() if unit is None or u == unit)
    if not shown_scopes(per_unit, units, minimum).show(unit):
        return None
    order = {kind.value: index for index, kind in enumerate(DepartureType)}
    return tuple(
        (kind, Figure(n, n), Figure(accepted[kind] / n, n))
        for kind, n in sorted(sizes.items(), key=lambda item: order.get(item[0], len(order)))
        if n > 0
    )
