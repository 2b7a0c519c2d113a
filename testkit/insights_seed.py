"""Hand-built leavers written straight into the tables insights reads (also used by the bench).

The writer itself is cli.past_departures (the demo's history uses it too); this module keeps the
tests' data sets and the names they import.
"""

from __future__ import annotations

from datetime import date

from cli.past_departures import (
    AREAS,
    NOW,
    RATINGS,
    SECTION,
    Leaver,
    rated,
    rows,
    seed,
    write,
)
from journey.survey import Attribution

__all__ = [
    "AREAS",
    "NOW",
    "RATINGS",
    "SECTION",
    "Leaver",
    "rated",
    "rows",
    "seed",
    "write",
]

# ---------------------------------------------------------------- the data sets of the tests

JUNE = date(2026, 6, 15)  # inside the last 12 months of 23 November 2026
LAST_YEAR = date(2025, 6, 15)  # inside the 12 months before those
MANAGER_UPN = "manager@contoso.example"  # the demo directory's manager (tests/journey)


def one_small_unit() -> list[Leaver]:
    """One leaver in home-care, who rated everything 1, would not recommend, named leadership.

    A naive unit report for home-care shows exactly that person's answers.
    """
    leavers = [
        Leaver(
            "home-care",
            JUNE,
            manager="other.boss@contoso.example",
            answers=rated(1, recommend="no", reasons=["leadership"]),
        )
    ]
    leavers += [Leaver("social-care", JUNE, answers=rated(4)) for _ in range(12)]
    leavers += [
        Leaver(
            "technical-services", JUNE, manager=MANAGER_UPN, answers=rated(4, reasons=["career"])
        )
        for _ in range(30)
    ]
    # Answers that must never count: shared only with the interviewer, or never sent.
    leavers += [
        Leaver(
            "home-care",
            JUNE,
            answers=rated(2, recommend="no", reasons=["workload"]),
            attribution=Attribution.INTERVIEWER_ONLY,
        )
        for _ in range(6)
    ]
    leavers += [
        Leaver("home-care", JUNE, answers=rated(2, reasons=["workload"]), sent=False)
        for _ in range(6)
    ]
    # The year before, for the comparison.
    leavers += [Leaver("technical-services", LAST_YEAR, answers=rated(3)) for _ in range(20)]
    return leavers


def derivable_by_subtraction() -> list[Leaver]:
    """home-care is small; social-care is big enough on its own, but org minus the two others
    would give home-care away if only home-care were hidden."""
    leavers = [Leaver("home-care", JUNE, answers=rated(1, recommend="no")) for _ in range(3)]
    leavers += [Leaver("social-care", JUNE, answers=rated(5)) for _ in range(6)]
    leavers += [Leaver("technical-services", JUNE, answers=rated(3)) for _ in range(30)]
    return leavers


def comments(writers: int, *, unit: str = "technical-services") -> list[Leaver]:
    """`writers` leavers who wrote a counted comment to `stay`, and 10 who kept theirs private."""
    leavers = [
        Leaver(
            unit,
            JUNE,
            name=f"Named Person {i}",
            answers={**rated(4), "stay": f"Counted comment number {i}"},
        )
        for i in range(writers)
    ]
    leavers += [
        Leaver(
            unit,
            JUNE,
            answers={**rated(4), "stay": f"Private comment number {i}"},
            attribution=Attribution.INTERVIEWER_ONLY,
        )
        for i in range(10)
    ]
    return leavers
