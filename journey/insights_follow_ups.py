"""Insights per area (issue 14): how many follow-ups were agreed and how many are done, for the
departures whose last working day is in the period.

The group behind an area's figures is the departures with at least one follow-up in it (that
a follow-up exists tells what a leaver talked about). It needs the minimum, in the scope and
in the rest of the organisation, like every group figure (ReportScope.shows_group); an area
whose group is too small is hidden and, like a rare reason, not named (naming it would tell
that someone's conversation touched it). Both figures of an area are shown or hidden together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from journey.insights_counts import FollowUpCell
from journey.insights_figures import HIDDEN, Figure, ReportScope


def follow_up_figures(
    cells: Sequence[FollowUpCell], scope: ReportScope
) -> dict[str, tuple[Figure, Figure]]:
    """Per area with follow-ups in the scope: (agreed, done), each HIDDEN when the group is."""
    per_area: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    agreed: dict[str, int] = defaultdict(int)
    done: dict[str, int] = defaultdict(int)
    for cell in cells:
        per_area[cell.area][cell.unit] += cell.departures
        if scope.holds(cell.unit):
            agreed[cell.area] += cell.agreed
            done[cell.area] += cell.done
    figures: dict[str, tuple[Figure, Figure]] = {}
    for area, per_unit in sorted(per_area.items()):
        n = sum(count for unit, count in per_unit.items() if scope.holds(unit))
        if not n:
            continue
        if scope.shows_group(per_unit):
            figures[area] = (Figure(agreed[area], n), Figure(done[area], n))
        else:
            figures[area] = (HIDDEN, HIDDEN)
    return figures


def shown_areas(figures: Mapping[str, tuple[Figure, Figure]]) -> list[str]:
    """The areas whose figures are shown, in the order given."""
    return [area for area, (agreed, _) in figures.items() if agreed.shown]
