"""The figures of HR's insights and the small-group protection they all share (see
journey.insights for the rules); the split by type of departure (issue 11)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from journey.departure import DepartureType
from journey.insights_counts import DepartureCell

K = TypeVar("K", bound=Hashable)

# ------------------------------------------------------------------------------- suppression


def suppressed(groups: Mapping[K, int], minimum: int, also: Iterable[K] = ()) -> frozenset[K]:
    """The groups whose figures must be hidden at one level (e.g. every unit, every month).

    A group with fewer than `minimum` members (but at least one) is hidden. While something is
    hidden, the smallest shown groups are hidden with it until at least two are hidden and they
    hold `minimum` members together: then the total minus the shown groups tells nothing about
    any one hidden group. Empty groups reveal no one and are never needed to cover another.
    `also`: groups hidden for another reason (a figure hidden at another level).
    """
    hidden = {key for key, size in groups.items() if 0 < size < minimum}
    hidden |= {key for key in also if groups.get(key, 0) > 0}
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


def by_type(
    cells: Sequence[DepartureCell], unit: str | None, minimum: int
) -> tuple[tuple[str, Figure, Figure], ...]:
    """Departures and the share who accepted, per type of departure within the scope.

    A type is hidden when it is small in the scope, when the unit's figure for that type is
    hidden among the units (so the organisation's figure minus the shown units tells
    nothing), and with its cover, like every other level.
    """
    per_unit: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    accepted: dict[str, int] = defaultdict(int)
    for c in cells:
        per_unit[c.departure_type][c.unit] += c.departures
        if unit is None or c.unit == unit:
            accepted[c.departure_type] += c.accepted
    sizes = {
        kind: sum(units.values()) if unit is None else units.get(unit, 0)
        for kind, units in per_unit.items()
    }
    other_level = [
        kind for kind, units in per_unit.items()
        if unit is not None and unit in suppressed(units, minimum)
    ]  # fmt: skip
    hidden = suppressed(sizes, minimum, other_level)
    order = {kind.value: index for index, kind in enumerate(DepartureType)}
    return tuple(
        (kind, HIDDEN, HIDDEN) if kind in hidden
        else (kind, Figure(n, n), Figure(accepted[kind] / n, n))
        for kind, n in sorted(sizes.items(), key=lambda item: order.get(item[0], len(order)))
        if n > 0
    )  # fmt: skip
