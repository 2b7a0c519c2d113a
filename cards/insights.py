"""The insights card: figures across departures, hidden where a group is too small.

Each group of figures is drawn with one of Teams' chart elements (cards.charts): departures per
month as a line over this period and the one before, reasons, area ratings and the share who
accepted per type as horizontal bars, departures per type as vertical bars, and who would
recommend the job as a donut. A hidden figure is never drawn (no data point); the labels of the
hidden ones are named under the chart. Each chart's `fallback` is the text bars (▇ repeated in
proportion, in a FactSet, with the period before): a host without charts, the Adaptive Cards
SDK and Agents Playground show those, with every figure and "hidden" where one is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from cards import charts, verbs
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
from cards.charts import Point, Series
from cards.cldr import MONTHS_SHORT_STAND_ALONE, written_date, written_number, written_percent
from cards.locale import Speaker
from config.insights import comment_prompt, option_label, section_order, section_title
from journey.insights import Figure, Kind, Report, Row, hides_follow_ups, report_rows
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
    return written_date(month.first_day, "MMM y", say.lang)


# The most months a chart's axis names ("jan."): beyond, its number ("1"), as a name is cut
# short under each point (a year's twelve in Agents Playground: "j…", "f…").
NAMED_MONTHS = 6


def month_name(say: Speaker, month: Month, months: int = NAMED_MONTHS) -> str:
    """A month as the axis of a chart over `months` months names it: abbreviated on its own
    ("jan.", "Jan"), or its number when there are more than NAMED_MONTHS."""
    if months > NAMED_MONTHS:
        return str(month.month)
    return MONTHS_SHORT_STAND_ALONE[say.lang][month.month - 1]


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
        return written_percent(figure.value, say.lang)
    if kind is Kind.MEAN:
        return written_number(figure.value, say.lang, places=1)
    return written_number(figure.value, say.lang)


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
    body += _per_month(say, by_section.get("per_month", []), insights.report.current.period)
    body += _reasons(say, by_section["reasons"])
    body += _areas(say, by_section.get("areas", []))
    body += _recommend(say, by_section["recommend"][0])
    split_hidden = insights.report.current.by_type_hidden
    body += _by_type(say, by_section) if not split_hidden else _split_hidden(say)
    follow_ups_hidden = hides_follow_ups(insights.report)
    body += _follow_ups(say, by_section, follow_ups_hidden)
    body += _comments(say, insights.comments)
    hidden = split_hidden or follow_ups_hidden
    if hidden or any(r.current.hidden or r.previous.hidden for r in rows):
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


def drawn_value(figure: Figure, kind: Kind) -> float:
    """A shown figure as a chart draws it: a share in per cent, a mean to one decimal."""
    value = figure.value or 0.0
    if kind is Kind.SHARE:
        return round(value * 100)
    if kind is Kind.MEAN:
        return round(value, 1)
    return value


def _hidden_items(say: Speaker, labels: Sequence[str]) -> list[Element]:
    """Under a chart: which figures it leaves out because they are hidden."""
    if not labels:
        return []
    return [paragraph(say("insights.hidden_items", items=", ".join(labels)), subtle=True)]


Chart = Callable[..., Element]  # a cards.charts builder: (points, fallback, *, title)


def _charted(
    say: Speaker, chart: Chart, rows: Sequence[Row], label: Mapping[str, str]
) -> list[Element]:
    """The rows' shown figures drawn by `chart` over their text bars, and the hidden ones named;
    "no answers yet" when there are no rows."""
    if not rows:
        return [paragraph(say("insights.no_answers"), subtle=True)]
    points = [
        Point(label.get(r.item, r.item), drawn_value(r.current, r.kind))
        for r in rows
        if r.current.shown
    ]
    hidden = [label.get(r.item, r.item) for r in rows if r.current.hidden]
    title = say.plain("insights.in_percent") if rows[0].kind is Kind.SHARE else None
    body = [chart(points, _bars(say, rows, label), title=title)]
    # Without a chart the text bars stand alone, and say "hidden" themselves.
    return body + (_hidden_items(say, hidden) if points else [])


def _per_month(say: Speaker, rows: Sequence[Row], period: Period) -> list[Element]:
    """Departures per month: a line for this period and one for the period before, over this
    period's months (the axis names the month, `month_name`, each line's legend its period: a
    label with its year is cut short on a narrow card), hidden months left out; the text bars
    (this period, each with its month before) underneath."""
    months = {r.item: Month.parse(r.item) for r in rows}
    labels = {item: month_label(say, month) for item, month in months.items()}
    axis = {item: month_name(say, month, period.length) for item, month in months.items()}
    this = [(r.item, r.current) for r in rows]
    before = [(r.item, r.previous) for r in rows]
    if all(figure.hidden for _, figure in before):
        before = []  # the whole period before is hidden: its text bars say so
    lines = [
        Series(period_label(say, shown), _month_points(axis, figures), color)
        for shown, figures, color in (
            (period, this, charts.LINE_COLOR),
            (period.previous(), before, charts.COMPARED_COLOR),
        )
    ]
    drawn = charts.line(lines, _bars(say, rows, labels))
    hidden = sorted(
        [months[item] for item, figure in this if figure.hidden]
        + [months[item].plus(-period.length) for item, figure in before if figure.hidden]
    )
    # Without a line the text bars stand alone, and say "hidden" themselves.
    drew_any = any(line.points for line in lines)
    hidden_labels = [month_label(say, month) for month in hidden] if drew_any else []
    return [_subheading(say("insights.per_month")), drawn, *_hidden_items(say, hidden_labels)]


def _month_points(
    axis: Mapping[str, str], figures: Sequence[tuple[str, Figure]]
) -> tuple[Point, ...]:
    """A line's points: each shown figure at its month's place on the axis."""
    return tuple(Point(axis[item], drawn_value(f, Kind.COUNT)) for item, f in figures if f.shown)


def _reasons(say: Speaker, rows: Sequence[Row]) -> list[Element]:
    """How many answered, and the reasons they named most (per cent of those who answered)."""
    respondents, *reasons = rows
    n = number(say, respondents.current, respondents.kind)
    question = _reasons_question(say)
    labels = {r.item: option_label(say.config, question, r.item, say.locale) for r in reasons}
    return [
        _subheading(say("insights.reasons", n=n)),
        *_charted(say, charts.horizontal_bar, reasons, labels),
    ]


def _areas(say: Speaker, rows: Sequence[Row]) -> list[Element]:
    """The mean rating per area, in the order the question sets ask them."""
    order = _section_order(say)
    areas = sorted(rows, key=lambda r: (order.get(r.item, len(order)), r.item))
    titles = {r.item: section_title(say.config, r.item, say.locale) for r in areas}
    return [
        _subheading(say("insights.areas")),
        *_charted(say, charts.horizontal_bar, areas, titles),
    ]


def _recommend(say: Speaker, row: Row) -> list[Element]:
    """Who would recommend the job, yes against no, as a donut; nothing when it is hidden (the
    headline says so) or nobody answered."""
    if not row.current.shown:
        return []
    return [_subheading(say("insights.recommend")), recommend_donut(say, row.current)]


def recommend_donut(say: Speaker, share: Figure) -> Element:
    """A shown share of yes (of yes and no) as a donut of yes and no, both shares as text for a
    host without charts; also on the task card's patterns (cards.patterns)."""
    yes = int(drawn_value(share, Kind.SHARE))
    points = [Point(say.plain("insights.yes"), yes), Point(say.plain("insights.no"), 100 - yes)]
    shares = [(p.label, written_percent(p.value / 100, say.lang)) for p in points]
    return charts.donut(
        points, facts(shares), colors=("good", "neutral"), title=say.plain("insights.in_percent")
    )


def _by_type(say: Speaker, by_section: Mapping[str, list[Row]]) -> list[Element]:
    """Departures, and the share who said yes to a conversation, per type of departure."""
    counts = by_section.get("by_type", [])
    if not counts:
        return []
    names = {row.item: say(f"departure_type.{row.item}") for row in counts}
    accepted = by_section.get("accepted_by_type", [])
    return [
        _subheading(say("insights.by_type")),
        *_charted(say, charts.vertical_bar, counts, names),
        _subheading(say("insights.accepted_by_type")),
        *_charted(say, charts.horizontal_bar, accepted, names),
    ]


def _follow_ups(
    say: Speaker, by_section: Mapping[str, list[Row]], some_hidden: bool
) -> list[Element]:
    """Per area, follow-ups agreed and done (issue 14); a hidden area is not named, and when
    every area is hidden the heading says "hidden"; nothing without any follow-up."""
    agreed = by_section.get("follow_ups_agreed", [])
    if not agreed:
        if not some_hidden:
            return []
        return [
            _subheading(say("insights.follow_ups_agreed")),
            paragraph(say("insights.hidden"), subtle=True),
        ]
    order = _section_order(say)

    def in_order(rows: Sequence[Row]) -> list[Row]:
        return sorted(rows, key=lambda r: (order.get(r.item, len(order)), r.item))

    areas, done = in_order(agreed), in_order(by_section.get("follow_ups_done", []))
    titles = {r.item: section_title(say.config, r.item, say.locale) for r in areas}
    return [
        _subheading(say("insights.follow_ups_agreed")),
        *_charted(say, charts.horizontal_bar, areas, titles),
        _subheading(say("insights.follow_ups_done")),
        *_charted(say, charts.horizontal_bar, done, titles),
    ]


def _split_hidden(say: Speaker) -> list[Element]:
    """The split by type is hidden whole: said so, with no type named (that would tell it is
    not empty)."""
    return [_subheading(say("insights.by_type")), paragraph(say("insights.hidden"), subtle=True)]


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
    return section_order(say.config)


def _reasons_question(say: Speaker) -> str:
    return say.config.organisation.insights.reasons_question


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= COMMENT_MAX_CHARS:
        return flat
    return flat[: COMMENT_MAX_CHARS - 1].rstrip() + "…"
