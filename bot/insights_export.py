"""`exitbot insights export`: the insights figures as CSV or Excel, aggregates only.

The same report as the card (journey.insights.report_rows), with the same small-group
protection: a hidden figure is written as "hidden", never as its number. No comments, no
names, no departures one by one; months are the finest time.
"""

from __future__ import annotations

import asyncio
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from config.insights import option_label, section_title
from config.loaded import LoadedConfig
from journey.insights import Figure, Insights, Kind, Period, Row, report_rows

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
HIDDEN = "hidden"
HEADER = (
    "scope",
    "period_from",
    "period_to",
    "section",
    "item",
    "label",
    "unit_of_value",
    "value",
    "n",
    "previous_from",
    "previous_to",
    "previous_value",
    "previous_n",
)
_UNITS = {Kind.COUNT: "count", Kind.SHARE: "percent", Kind.MEAN: "mean 1-5"}

Cell = str | int | float


def figure_value(figure: Figure, kind: Kind) -> Cell:
    """The figure as the card rounds it: whole percent, one decimal for a mean, whole counts."""
    if figure.hidden:
        return HIDDEN
    if figure.value is None:
        return ""
    if kind is Kind.SHARE:
        return round(figure.value * 100)
    if kind is Kind.MEAN:
        return round(figure.value, 1)
    return round(figure.value)


def _n(figure: Figure) -> Cell:
    return figure.n if figure.shown else ""


def _label(config: LoadedConfig, row: Row, locale: str) -> str:
    if row.section == "reasons" and row.item != "respondents":
        return option_label(config, config.organisation.insights.reasons_question, row.item, locale)
    if row.section == "areas":
        return section_title(config, row.item, locale)
    if row.section == "per_month":
        return row.item
    key = {"departures": "departures", "accepted": "accepted", "answered": "answered"}.get(
        row.section
    )
    if key:
        return config.text(f"insights.{key}", locale)
    if row.section == "recommend":
        return config.text("insights.recommend", locale)
    return row.item


def export_rows(config: LoadedConfig, insights: Insights, locale: str = "en") -> list[list[Cell]]:
    """The rows of the file (without the header)."""
    report = insights.report
    now, before = report.current.period, report.previous.period
    scope = report.unit or "organisation"
    return [
        [
            scope,
            str(now.first),
            str(now.last),
            row.section,
            row.item,
            _label(config, row, locale),
            _UNITS[row.kind],
            figure_value(row.current, row.kind),
            _n(row.current),
            str(before.first),
            str(before.last),
            figure_value(row.previous, row.kind),
            _n(row.previous),
        ]
        for row in report_rows(report)
    ]


def write_csv(path: Path, rows: Sequence[Sequence[Cell]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: Sequence[Sequence[Cell]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "insights"
    sheet.append(list(HEADER))
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    book.save(path)


def _fail(message: str, code: int = EXIT_INVALID) -> int:
    print(f"exitbot: {message}", file=sys.stderr)
    return code


def export_command(first: str, last: str, unit: str | None, output: Path, locale: str) -> int:
    """The CLI command: check the arguments, then read the counts and write the file."""
    from journey.insights import Month

    try:
        period = Period(Month.parse(first), Month.parse(last))
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    suffix = output.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        return _fail(f"{output}: the file must end in .csv or .xlsx", EXIT_USAGE)
    return asyncio.run(_export(period, unit, output, locale))


async def _export(period: Period, unit: str | None, output: Path, locale: str) -> int:
    from bot.settings import PeopleSettings, SettingsError, load_settings
    from config.insights import insights_rules, reportable_questions
    from config.loader import ConfigError, load_config
    from journey.insights import gather
    from storage.database import Database, DatabaseUnavailable
    from storage.insights import SqlInsightsSource
    from storage.migrate import SchemaOutOfDate, check_schema

    try:
        settings = load_settings(PeopleSettings)
        config = load_config(settings.resolved_config_dir)
    except SettingsError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except ConfigError as exc:
        return _fail("; ".join(str(problem) for problem in exc.problems))
    try:
        db = await Database.open(settings.database_url)
    except DatabaseUnavailable as exc:
        return _fail(str(exc))
    try:
        await check_schema(db)
        insights = await gather(
            SqlInsightsSource(db),
            period,
            unit,
            reportable_questions(config),
            insights_rules(config),
        )
    except SchemaOutOfDate as exc:
        return _fail(str(exc))
    finally:
        await db.close()
    rows = export_rows(config, insights, locale)
    try:
        if output.suffix.lower() == ".csv":
            write_csv(output, rows)
        else:
            write_xlsx(output, rows)
    except OSError as exc:
        return _fail(f"{output}: cannot write the file ({exc.strerror})")
    shown = "hidden: too few departures" if insights.report.hidden else f"{len(rows)} rows"
    print(f"wrote {output} ({shown}; {period.first} to {period.last}, {unit or 'organisation'})")
    return EXIT_OK
