"""Patterns before the conversation: what earlier leavers of the same unit said (seed 001:
"Identifiera mönster från tidigare exitsamtal … redan innan mötet äger rum").

The figures are the unit's insights (journey.insights.build_report, through
journey.insights_service.gather): one whole, settled period a person may ask for
(offered_periods), so every small group is hidden exactly as on the insights card, and a
hidden figure is left out here, not named. The period is the newest offered one that ends
before the month of the leaver's own last working day: departures are counted by that month,
so the leaver's own answers are never among the figures, even for a conversation booked long
after the last day.

Only the person holding the conversation sees them, and only while it is booked and not yet
held; never the leaver, not even one who would hold their own conversation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from journey.access import Asker, Role, roles_of
from journey.clock import Clock
from journey.departure import Departure, DepartureStatus
from journey.insights import Report
from journey.insights_counts import InsightsRules, QuestionInfo
from journey.insights_figures import NONE, Figure
from journey.insights_service import InsightsSource, gather, offered_periods
from journey.periods import Month, Period

TOP_REASONS = 3  # the reasons the interviewer sees, most named first
CACHE_SIZE = 256  # units × periods × configuration revisions kept per process
# A settled period does not change; erasure and retention may still remove a leaver's
# answers, so a unit's patterns are counted again after this long.
MAX_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class Patterns:
    """What the interviewer sees of a unit's earlier leavers: shown figures only."""

    unit: str
    period: Period
    departures: int  # how many left the unit in the period (0 when the unit is hidden)
    respondents: Figure  # how many named their reasons
    reasons: tuple[tuple[str, Figure], ...]  # option id -> share of the respondents
    areas: tuple[tuple[str, Figure], ...]  # section id -> mean rating on a 1..5 scale
    recommend: Figure  # the share who would recommend the workplace (NONE: not shown)

    @property
    def shown(self) -> bool:
        """Whether any figure may be shown; if not, the card says there are too few."""
        return bool(self.reasons or self.areas or self.recommend.shown)


def select_patterns(report: Report, top: int = TOP_REASONS) -> Patterns:
    """The unit report's figures the interviewer sees: every hidden one left out."""
    now = report.current
    unit = report.unit or ""
    if now.hidden or not now.departures.shown:
        return Patterns(unit, now.period, 0, NONE, (), (), NONE)
    reasons = tuple(
        (option, now.reasons[option])
        for option in report.top_reasons[:top]
        if now.reasons[option].shown
    )
    areas = tuple((section, f) for section, f in now.areas.items() if f.shown)
    return Patterns(
        unit=unit,
        period=now.period,
        departures=int(now.departures.value or 0),
        respondents=now.reasons_respondents if reasons else NONE,
        reasons=reasons,
        areas=areas,
        recommend=now.recommend_share if now.recommend_share.shown else NONE,
    )


def patterns_period(rules: InsightsRules, today: date, last_working_day: date) -> Period | None:
    """The newest period a person may ask for that ends before the leaver's own month."""
    own = Month.of(last_working_day)
    return next((p for p in offered_periods(rules, today) if p.last < own), None)


def shows_patterns(departure: Departure, asker: Asker, *, enabled: bool) -> bool:
    """Whether `asker` sees the unit's patterns on the task card of `departure`: the person
    holding the conversation, before it is held, where HR's YAML has them on."""
    if not enabled or not departure.unit or departure.status is not DepartureStatus.BOOKED:
        return False
    roles = roles_of(departure, asker.upn, is_hr=asker.is_hr)
    return Role.INTERVIEWER in roles and Role.LEAVER not in roles


_Key = tuple[str, Period, str]  # unit, period, configuration revision


class UnitPatterns:
    """Each unit's patterns per period, counted at most once per configuration revision (and
    again after MAX_AGE): a task card refreshed again and again costs no further statement."""

    def __init__(
        self,
        source: InsightsSource,
        clock: Clock,
        *,
        size: int = CACHE_SIZE,
        max_age: timedelta = MAX_AGE,
    ) -> None:
        self._source = source
        self._clock = clock
        self._size = size
        self._max_age = max_age
        self._kept: OrderedDict[_Key, tuple[datetime, Patterns]] = OrderedDict()

    async def of(
        self,
        unit: str,
        period: Period,
        questions: Mapping[str, QuestionInfo],
        rules: InsightsRules,
        *,
        revision: str,
    ) -> Patterns:
        """The patterns of `unit` over `period` under the configuration `revision`."""
        key = (unit, period, revision)
        now = self._clock.now()
        kept = self._kept.get(key)
        if kept is not None and timedelta(0) <= now - kept[0] < self._max_age:
            self._kept.move_to_end(key)
            return kept[1]
        insights = await gather(self._source, period, unit, questions, rules)
        patterns = select_patterns(insights.report)
        self._kept[key] = (now, patterns)
        self._kept.move_to_end(key)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return patterns
