"""`exitbot insights export`: the insights figures as CSV or Excel, aggregates only.

The same report as the card (journey.insights.report_rows), with the same small-group
protection: a hidden figure is written as "hidden", never as its number. No comments, no
names, no departures one by one; months are the finest time. Like the card, only for one whole
period of HR's `insights.period` that is over (journey.insights_service.refusal): periods that
overlap would give away the months where they differ.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from cli.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE, CommandFailed
from cli.startup import started
from config.hints import did_you_mean
from config.insights import insights_rules, option_label, reportable_questions, section_title
from config.loaded import LoadedConfig
from journey.insights import Figure, Kind, Row, report_rows
from journey.insights_service import Insights, gather, refusal
from journey.periods import Month, Period
from storage.export_cells import export_row
from storage.insights import SqlInsightsSource

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
    if row.section in ("areas", "follow_ups_agreed", "follow_ups_done"):
        return section_title(config, row.item, locale)
    if row.section == "per_month":
        return row.item
    if row.section in ("by_type", "accepted_by_type"):
        return config.text(f"departure_type.{row.item}", locale)
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
    """The rows as UTF-8 CSV under the header; text that looks like a formula is defused."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(export_row(HEADER))
        writer.writerows(export_row(row) for row in rows)


def write_xlsx(path: Path, rows: Sequence[Sequence[Cell]]) -> None:
    """The rows as an Excel sheet `insights` under a frozen header: text as text cells,
    defused like the CSV's, never a formula."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "insights"
    for r, row in enumerate([HEADER, *rows], start=1):
        for c, value in enumerate(export_row(row), start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl makes any "=..." a formula otherwise
    sheet.freeze_panes = "A2"
    book.save(path)


def export_command(first: str, last: str, unit: str | None, output: Path, locale: str) -> int:
    """The CLI command: check the arguments, then read the counts and write the file."""
    try:
        period = Period(Month.parse(first), Month.parse(last))
    except ValueError as exc:
        raise CommandFailed(str(exc), EXIT_USAGE) from None
    if output.suffix.lower() not in (".csv", ".xlsx"):
        raise CommandFailed(f"{output}: the file must end in .csv or .xlsx", EXIT_USAGE)
    config, insights = asyncio.run(_gather(period, unit))
    rows = export_rows(config, insights, locale)
    try:
        if output.suffix.lower() == ".csv":
            write_csv(output, rows)
        else:
            write_xlsx(output, rows)
    except OSError as exc:
        raise CommandFailed(
            f"{output}: cannot write the file ({exc.strerror})", EXIT_INVALID
        ) from None
    shown = "hidden: too few departures" if insights.report.hidden else f"{len(rows)} rows"
    print(f"wrote {output} ({shown}; {period.first} to {period.last}, {unit or 'organisation'})")
    return EXIT_OK


async def _gather(period: Period, unit: str | None) -> tuple[LoadedConfig, Insights]:
    """HR's configuration and the figures for `period`, counted in the database."""
    async with started(with_config=True, unusable=EXIT_INVALID) as run:
        if unit is not None and unit not in run.config.units:
            raise CommandFailed(_unknown_unit(unit, run.config), EXIT_USAGE)
        rules = insights_rules(run.config)
        today = datetime.now(run.config.defaults.calendar.zone).date()
        refused = refusal(period, rules, today)
        if refused:
            raise CommandFailed(f"--from {period.first} --to {period.last}: {refused}", EXIT_USAGE)
        insights = await gather(
            SqlInsightsSource(run.db),
            period,
            unit,
            reportable_questions(run.config),
            rules,
        )
        return run.config, insights


def _unknown_unit(unit: str, config: LoadedConfig) -> str:
    known = sorted(config.units)
    return (
        f"--unit {unit!r}: no such unit in HR's configuration{did_you_mean(unit, known)}; "
        f"the units are: {', '.join(known) or 'none'} (leave out --unit for the organisation)"
    )
