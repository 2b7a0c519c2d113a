"""An adversary against insights: every figure a person can reach, and what they can work out.

Each shown figure is a sum over a group of leavers (a count: how many are in it; a share or a
mean with its n: the sum of their answers). Someone who reads many views can add and subtract
them; they learn the sum over any group whose indicator lies in the span of the shown groups'
indicators (per measure: the same thing summed). The adversary wins when that span holds a
group of 1..minimum-1 leavers: then those few leavers' answers are known (one leaver alone:
their answer). A group outside the span cannot be told apart from data where its answers are
different and the shown figures the same, so no leaver's answer follows from the views.

Spans are computed exactly enough over the integers modulo a large prime.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

PRIME = (1 << 61) - 1  # a Mersenne prime: a false "in the span" needs p to divide a minor

Measure = tuple[str, ...]


@dataclass(frozen=True)
class Shown:
    """One shown figure: what it sums, over which leavers, and which view shows it."""

    measure: Measure
    members: frozenset[str]
    view: str


@dataclass(frozen=True)
class Leak:
    """A group of fewer than the minimum leavers whose answers the views give away."""

    measure: Measure
    leavers: frozenset[str]
    views: tuple[str, ...]  # the views it is worked out from (a pair, or a few of them)

    def __str__(self) -> str:
        return f"{'/'.join(self.measure)}: {sorted(self.leavers)} from {' and '.join(self.views)}"


class _Span:
    """Vectors over GF(PRIME) in echelon form, to ask whether a vector lies in their span."""

    def __init__(self) -> None:
        self._rows: dict[int, list[int]] = {}  # pivot column -> row with 1 there

    def _reduce(self, vector: list[int]) -> list[int]:
        vector = list(vector)
        for pivot, row in self._rows.items():
            factor = vector[pivot]
            if factor:
                vector = [(v - factor * r) % PRIME for v, r in zip(vector, row, strict=True)]
        return vector

    def add(self, vector: list[int]) -> None:
        reduced = self._reduce(vector)
        pivot = next((i for i, v in enumerate(reduced) if v), None)
        if pivot is None:
            return
        inverse = pow(reduced[pivot], PRIME - 2, PRIME)
        row = [(v * inverse) % PRIME for v in reduced]
        for other, other_row in self._rows.items():
            factor = other_row[pivot]
            if factor:
                self._rows[other] = [
                    (o - factor * r) % PRIME for o, r in zip(other_row, row, strict=True)
                ]
        self._rows[pivot] = row

    def holds(self, vector: list[int]) -> bool:
        return not any(self._reduce(vector))


def _atoms(groups: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """Leavers who are in exactly the same groups: no sum tells them apart."""
    signature: dict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        for leaver in group:
            signature[leaver].append(index)
    together: dict[tuple[int, ...], set[str]] = defaultdict(set)
    for leaver, indices in signature.items():
        together[tuple(indices)].add(leaver)
    return [frozenset(leavers) for leavers in together.values()]


def pairs_leaks(figures: Iterable[Shown], minimum: int, limit: int = 20) -> list[Leak]:
    """Two views of the same measure, one group inside the other, 1..minimum-1 apart; and a
    single view over 1..minimum-1 leavers."""
    by_measure: dict[Measure, dict[frozenset[str], str]] = defaultdict(dict)
    for figure in figures:
        if figure.members:
            by_measure[figure.measure].setdefault(figure.members, figure.view)
    leaks: list[Leak] = []
    for measure, groups in by_measure.items():
        for group, view in groups.items():
            if len(group) < minimum:
                leaks.append(Leak(measure, group, (view,)))
        for (a, view_a), (b, view_b) in combinations(sorted(groups.items(), key=_size), 2):
            if len(leaks) >= limit:
                return leaks
            if a < b and len(b - a) < minimum:
                leaks.append(Leak(measure, b - a, (view_b, view_a)))
    return leaks


def _size(item: tuple[frozenset[str], str]) -> tuple[int, str]:
    return len(item[0]), item[1]


def span_leaks(figures: Iterable[Shown], minimum: int, limit: int = 20) -> list[Leak]:
    """Every group of 1..minimum-1 leavers (one or two indistinguishable sets of them) that
    all views of one measure together give away."""
    by_measure: dict[Measure, dict[frozenset[str], str]] = defaultdict(dict)
    for figure in figures:
        if figure.members:
            by_measure[figure.measure].setdefault(figure.members, figure.view)
    leaks: list[Leak] = []
    for measure, groups in by_measure.items():
        leaks += _measure_leaks(measure, groups, minimum)
        if len(leaks) >= limit:
            break
    return leaks[:limit]


def _measure_leaks(
    measure: Measure, groups: Mapping[frozenset[str], str], minimum: int
) -> list[Leak]:
    sets = list(groups)
    atoms = _atoms(sets)
    column = {leaver: index for index, atom in enumerate(atoms) for leaver in atom}
    span = _Span()
    for group in sets:
        vector = [0] * len(atoms)
        for leaver in group:
            vector[column[leaver]] = 1
        span.add(vector)
    small = [i for i, atom in enumerate(atoms) if len(atom) < minimum]
    candidates = [(i,) for i in small] + [
        (i, j) for i, j in combinations(small, 2) if len(atoms[i]) + len(atoms[j]) < minimum
    ]
    leaks = []
    for chosen in candidates:
        vector = [1 if i in chosen else 0 for i in range(len(atoms))]
        if span.holds(vector):
            leavers = frozenset().union(*(atoms[i] for i in chosen))
            views = tuple(view for group, view in groups.items() if group & leavers)
            leaks.append(Leak(measure, leavers, views[:4]))
    return leaks
