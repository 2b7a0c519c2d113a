"""Hand-built earlier leavers of social care for the patterns on the interviewer's task card.

Twelve left social care in June 2026, inside the newest whole half-year that is settled on the
tests' clock (23 November 2026): January to June 2026. What the interviewer may see of them:
the workload (10 of 12) and working hours (6 of 12) as reasons, four areas rated, 8 of 12
would recommend. What must stay hidden: better career elsewhere (4) and leadership (2), too few
each, and pay and benefits (rated by 2). Thirty in technical services give the organisation
around them, and the half-year before holds nobody from social care.
"""

from __future__ import annotations

from typing import Any

from testkit.insights_seed import JUNE, Leaver, rated

UNIT = "social-care"
SHOWN_REASONS = {"workload": 10, "working_hours": 6}
HIDDEN_REASONS = ("career", "leadership")
HIDDEN_AREA = "pay_benefits"
SHOWN_AREAS = ("job_content", "motivation", "relations", "work_environment")


def _without_pay(answers: dict[str, Any]) -> dict[str, Any]:
    return {q: v for q, v in answers.items() if q != "pay_satisfaction"}


def earlier_leavers() -> list[Leaver]:
    """Social care's twelve, and technical services' thirty (see the module's docstring)."""
    leavers = [
        Leaver(UNIT, JUNE, answers=_without_pay(rated(4, reasons=["workload", "working_hours"])))
        for _ in range(6)
    ]
    leavers += [
        Leaver(
            UNIT,
            JUNE,
            answers=_without_pay(rated(2, recommend="no", reasons=["workload", "career"])),
        )
        for _ in range(4)
    ]
    leavers += [Leaver(UNIT, JUNE, answers=rated(3, reasons=["leadership"])) for _ in range(2)]
    leavers += [
        Leaver("technical-services", JUNE, answers=rated(4, reasons=["career"])) for _ in range(30)
    ]
    return leavers


def too_few_leavers() -> list[Leaver]:
    """Four left social care in the half-year: below the minimum of five."""
    leavers = [Leaver(UNIT, JUNE, answers=rated(1, reasons=["leadership"])) for _ in range(4)]
    leavers += [
        Leaver("technical-services", JUNE, answers=rated(4, reasons=["career"])) for _ in range(30)
    ]
    return leavers
