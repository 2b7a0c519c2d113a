"""The insights card: figures across departures, hidden where a group is too small.

Bars are text (▇ repeated in proportion) in FactSets: Teams' Chart.* elements are a Teams-only
extension that the Adaptive Cards SDK (and so the card validator and Agents Playground) does
not know, and a chart cannot say "hidden" for one bar. Text bars render everywhere, in every
Teams client, and read out with the number next to them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from cards import verbs
from cards.base import (
    Element,
    adaptive_card,
    choice_set,
    execute,
    facts,
    heading,
    literal,
    paragraph,
    subheading,
)
from cards.locale import Speaker
from config.insights import comment_prompt, option_label, section_title
from journey.insights import Figure, Kind, Report, Row, report_rows
from journey.insights_service import Insights
from journey.periods import Month, Period

BAR = "▇"
BAR_WIDTH = 10
COMMENT_MAX_CHARS = 300
VERB = verbs.INSIGHTS_SHOW


@dataclass(frozen=True)
class Choice:
    value: str
    title: str


def month_label(say: Speaker, month: Month) -> str:
    """A month as people write it, e.g. "nov. 2026"; never a day."""
    return format_date(month.first_day, "MMM y", locale=say.lang)


def period_label(say: Speaker, period: Period) -> str:
    """A period as its first and last month, or the month alone."""
    if period.length == 1:
        return month_label(say, period.first)
    return f"{month_label(say, period.first)} – {month_label(say, period.last)}"


def number(say: Speaker, figure: Figure, kind: Kind) -> str:
    """A shown figure as text in the reader's language; "hidden", or "–" without data."""
    if figure.hidden:
        return say("insights.hidden")
    if figure.value is None:
        return "–"
    if kind is Kind.SHARE:
        return format_percent(figure.value, locale=say.lang)
    if kind is Kind.MEAN:
        return format_decimal(figure.value, format="0.0", locale=say.lang)
    return format_decimal(figure.value, format="0", locale=say.lang)


def bar(fraction: float) -> str:
    """A text bar of up to BAR_WIDTH blocks (at least one for anything above zero)."""
    fraction = min(max(fraction, 0.0), 1.0)
    blocks = round(fraction * BAR_WIDTH)
    return BAR * (blocks or (1 if fraction > 0 else 0))


def _with_before(say: Speaker, row: Row, shown: str) -> str:
    return f"{shown} ({say('insights.before', value=number(say, row.previous, row.kind))})"


def _fraction(row: Row, largest: float) -> float:
    value = row.current.value or 0.0
    if row.kind is Kind.MEAN:
        return (value - 1) / 4
    return value / largest if largest else 0.0


def _bars(say: Speaker, rows: Sequence[Row], label: Mapping[str, str]) -> Element:
    largest = max((r.current.value or 0.0 for r in rows if r.current.shown), default=0.0)
    pairs = []
    for row in rows:
        shown = number(say, row.current, row.kind)
        blocks = bar(_fraction(row, largest)) if row.current.shown else ""
        if blocks:
            shown = f"{blocks} {shown}"
        pairs.append((label.get(row.item, row.item), _with_before(say, row, shown)))
    return facts(pairs)


def _subheading(text: str) -> Element:
    return subheading(text, spacing="Medium", separator=True)


def _choice_set(input_id: str, label: str, choices: Sequence[Choice], value: str) -> Element:
    return choice_set(input_id, label, [(c.title, c.value) for c in choices], value=value)


def insights_card(
    say: Speaker,
    insights: Insights,
    *,
    scope_title: str,
    units: Sequence[Choice],
    unit_value: str,
    periods: Sequence[Choice],
    period_value: str,
    min_answers: int,
) -> dict:
    """The card for one scope and period, with the choices to show another."""
    report = insights.report
    body = _header(say, report, scope_title)
    if report.hidden:
        body.append(paragraph(say("insights.too_few", min=min_answers)))
    else:
        body += _figures(say, insights, min_answers)
    body.append(_choice_set("unit", say("insights.unit_label"), units, unit_value))
    body.append(_choice_set("period", say("insights.period_label"), periods, period_value))
    return adaptive_card(body, [execute(say("insights.show"), VERB)], lang=say.lang)


def _header(say: Speaker, report: Report, scope_title: str) -> list[Element]:
    """The title, the scope, and which period is compared with which."""
    compared = say(
        "insights.compared",
        period=period_label(say, report.current.period),
        previous=period_label(say, report.previous.period),
    )
    return [
        heading(say("insights.title")),
        subheading(scope_title),
        paragraph(compared, subtle=True),
    ]


def _figures(say: Speaker, insights: Insights, min_answers: int) -> list[Element]:
    """Every figure of a report that is not hidden as a whole, section by section."""
    rows = report_rows(insights.report)
    by_section: dict[str, list[Row]] = {}
    for row in rows:
        by_section.setdefault(row.section, []).append(row)
    body = [_headline(say, by_section)]
    months = by_section.get("per_month", [])
    body.append(_subheading(say("insights.per_month")))
    body.append(_bars(say, months, {r.item: month_label(say, Month.parse(r.item)) for r in months}))
    body += _reasons(say, by_section["reasons"])
    body += _areas(say, by_section.get("areas", []))
    body += _by_type(say, by_section)
    body += _comments(say, insights.comments)
    if any(r.current.hidden or r.previous.hidden for r in rows):
        body.append(paragraph(say("insights.hidden_note", min=min_answers), subtle=True))
    return body


def _shown(say: Speaker, row: Row) -> str:
    return _with_before(say, row, number(say, row.current, row.kind))


def _headline(say: Speaker, by_section: Mapping[str, list[Row]]) -> Element:
    """Departures, the shares who accepted and answered, and who would recommend the job."""
    headline = [
        (say(f"insights.{section}"), _shown(say, row))
        for section in ("departures", "accepted", "answered")
        for row in by_section[section]
    ]
    headline.append((say("insights.recommend"), _shown(say, by_section["recommend"][0])))
    return facts(headline)


def _bars_or_none(say: Speaker, rows: Sequence[Row], label: Mapping[str, str]) -> Element:
    """The bars, or "no answers yet" when there are none."""
    if not rows:
        return paragraph(say("insights.no_answers"), subtle=True)
    return _bars(say, rows, label)


def _reasons(say: Speaker, rows: Sequence[Row]) -> list[Element]:
    """How many answered, and the reasons they named most."""
    respondents, *reasons = rows
    n = number(say, respondents.current, respondents.kind)
    question = _reasons_question(say)
    labels = {r.item: option_label(say.config, question, r.item, say.locale) for r in reasons}
    return [_subheading(say("insights.reasons", n=n)), _bars_or_none(say, reasons, labels)]


def _areas(say: Speaker, rows: Sequence[Row]) -> list[Element]:
    """The mean rating per area, in the order the question sets ask them."""
    order = _section_order(say)
    areas = sorted(rows, key=lambda r: (order.get(r.item, len(order)), r.item))
    titles = {r.item: section_title(say.config, r.item, say.locale) for r in areas}
    return [_subheading(say("insights.areas")), _bars_or_none(say, areas, titles)]


def _by_type(say: Speaker, by_section: Mapping[str, list[Row]]) -> list[Element]:
    """Departures, and the share who said yes to a conversation, per type of departure."""
    counts = by_section.get("by_type", [])
    if not counts:
        return []
    names = {row.item: say(f"departure_type.{row.item}") for row in counts}
    return [
        _subheading(say("insights.by_type")),
        _bars(say, counts, names),
        _subheading(say("insights.accepted_by_type")),
        _bars(say, by_section.get("accepted_by_type", []), names),
    ]


def _comments(say: Speaker, comments: Mapping[str, Sequence[str]]) -> list[Element]:
    """The comments that may be shown, under their question's prompt."""
    shown = [(q, texts) for q, texts in comments.items() if texts]
    if not shown:
        return []
    body = [_subheading(say("insights.comments"))]
    for question_id, texts in shown:
        prompt = comment_prompt(say.config, question_id, say.locale) or question_id
        body.append(paragraph(prompt, subtle=True))
        # A leaver's own words: shown as written, never as markdown.
        body.extend(literal(f"“{_clip(text)}”") for text in texts)
    return body


def _section_order(say: Speaker) -> dict[str, int]:
    """Sections in the order the question sets ask them."""
    order: dict[str, int] = {}
    for qset in say.config.question_sets.values():
        for section in qset.sections:
            order.setdefault(section.id, len(order))
    return order


def _reasons_question(say: Speaker) -> str:
    return say.config.organisation.insights.reasons_question


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= COMMENT_MAX_CHARS:
        return flat
    return flat[: COMMENT_MAX_CHARS - 1].rstrip() + "…"
