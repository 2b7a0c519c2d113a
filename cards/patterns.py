"""Patterns before the conversation, on the interviewer's task card (journey.patterns).

What earlier leavers of the unit said over one whole period: the reasons they named most and
the ratings per area as horizontal bars, who would recommend the workplace as a donut; each
chart falls back to text bars (cards.charts). Only shown figures are given: a hidden one is
neither drawn nor written in a fallback. Too few leavers: one line instead of figures.
"""

from __future__ import annotations

from collections.abc import Sequence

from cards import charts
from cards.base import Element, facts, paragraph, subheading
from cards.charts import Point
from cards.insights import bar, drawn_value, number, recommend_donut
from cards.locale import Speaker
from config.insights import option_label, section_order, section_title
from journey.insights import Kind
from journey.insights_figures import Figure
from journey.patterns import Patterns


def patterns_block(
    say: Speaker, patterns: Patterns, *, unit_name: str, period: str, min_answers: int
) -> list[Element]:
    """The task card's part on earlier leavers of `unit_name` over `period` (its title)."""
    if not patterns.shown:
        line = say("patterns.too_few", unit_name=unit_name, period=period)
        return [_part([paragraph(line, subtle=True)])]
    intro = say("patterns.intro", period=period, departures=str(patterns.departures))
    items = [
        subheading(say("patterns.title", unit_name=unit_name)),
        paragraph(intro, subtle=True),
    ]
    items += _reasons(say, patterns)
    items += _areas(say, patterns)
    items += _recommend(say, patterns.recommend)
    items.append(paragraph(say("patterns.note", min=min_answers), subtle=True))
    return [_part(items)]


def _part(items: list[Element]) -> Element:
    """Set apart from the facts above it, before the answers and the notes."""
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def _small_heading(text: str) -> Element:
    return subheading(text, spacing="Small")


def _bars(
    say: Speaker, figures: Sequence[tuple[str, Figure]], kind: Kind, title: str | None
) -> Element:
    """Shown figures as horizontal bars over their text bars (▇ in proportion, and the value)."""
    largest = max((f.value or 0.0 for _, f in figures), default=0.0)
    pairs = []
    for label, figure in figures:
        value = figure.value or 0.0
        fraction = (value - 1) / 4 if kind is Kind.MEAN else (value / largest if largest else 0)
        pairs.append((label, f"{bar(fraction)} {number(say, figure, kind)}".strip()))
    points = [Point(label, drawn_value(figure, kind)) for label, figure in figures]
    return charts.horizontal_bar(points, facts(pairs), title=title)


def _reasons(say: Speaker, patterns: Patterns) -> list[Element]:
    """The reasons named most, in per cent of those who named any."""
    if not patterns.reasons:
        return []
    question = say.config.organisation.insights.reasons_question
    labelled = [
        (option_label(say.config, question, option, say.locale), figure)
        for option, figure in patterns.reasons
    ]
    respondents = number(say, patterns.respondents, Kind.COUNT)
    return [
        _small_heading(say("insights.reasons", n=respondents)),
        _bars(say, labelled, Kind.SHARE, say.plain("insights.in_percent")),
    ]


def _areas(say: Speaker, patterns: Patterns) -> list[Element]:
    """The mean rating per area, in the order the question sets ask them."""
    if not patterns.areas:
        return []
    order = section_order(say.config)
    areas = sorted(patterns.areas, key=lambda area: (order.get(area[0], len(order)), area[0]))
    labelled = [(section_title(say.config, s, say.locale), figure) for s, figure in areas]
    return [_small_heading(say("insights.areas")), _bars(say, labelled, Kind.MEAN, None)]


def _recommend(say: Speaker, share: Figure) -> list[Element]:
    """Would recommend the job: yes against no, as a donut."""
    if not share.shown:
        return []
    return [_small_heading(say("insights.recommend")), recommend_donut(say, share)]
