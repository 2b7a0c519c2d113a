"""`exitbot departures import FILE.csv`: register departures from HR's spreadsheet.

Each row goes through the same RegistrationService as Teams and the HTTP API, on its own: a bad
row is reported and skipped, the others are imported. The file's format: cli/departures_csv.py.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.people import open_people
from bot.settings import SettingsError
from cli.departures_csv import (
    OPTIONAL,
    YES,
    CsvFileError,
    CsvRow,
    parse_row,
    read_rows,
    shown_leaver,
)
from cli.errors import CommandFailed
from cli.startup import operator, started
from journey.departure import Door
from journey.people import DirectoryUnavailable
from journey.registration import RegistrationService
from journey.registration_rules import Outcome, OutcomeKind
from storage.departure_events import StoredDepartureEvents
from storage.repositories import SqlAuditLog, SqlDepartureRepository

DOOR = Door.CSV
EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise."""

    WIDTH = 20

    def __init__(self, total: int, stream: TextIO) -> None:
        self._total = total
        self._stream = stream
        self._tty = stream.isatty()
        self._shown_tenth = -1

    def _bar(self, done: int) -> str:
        filled = self.WIDTH * done // self._total if self._total else self.WIDTH
        return f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {done}/{self._total}"

    def update(self, done: int) -> None:
        """Show that `done` of the rows are handled."""
        if self._tty:
            end = "\n" if done >= self._total else ""
            self._stream.write(f"\r{self._bar(done)}{end}")
        else:
            tenth = 10 * done // self._total if self._total else 10
            if tenth == self._shown_tenth:
                return
            self._shown_tenth = tenth
            self._stream.write(f"{self._bar(done)}\n")
        self._stream.flush()


@dataclass(frozen=True)
class RowResult:
    line: int
    kind: OutcomeKind
    leaver: str  # the parsed address, or "-" when the cell was not an address
    reason: str = ""


async def import_rows(
    rows: Sequence[CsvRow],
    service: RegistrationService,
    explain: Callable[[str], str],
    *,
    actor: str,
    dry_run: bool,
    progress: Progress | None = None,
) -> list[RowResult]:
    """Register each row on its own; `explain` turns a problem code into English."""
    results: list[RowResult] = []
    first_line: dict[str, int] = {}
    for done, row in enumerate(rows, start=1):
        results.append(await _one(row, service, explain, actor, dry_run, first_line))
        if progress is not None:
            progress.update(done)
    return results


async def _one(
    row: CsvRow,
    service: RegistrationService,
    explain: Callable[[str], str],
    actor: str,
    dry_run: bool,
    first_line: dict[str, int],
) -> RowResult:
    if row.problem is None and row.cells[OPTIONAL]:
        return await _cancel(row, service, explain, actor, dry_run)
    parsed = parse_row(row)
    if isinstance(parsed, str):
        return RowResult(row.line, OutcomeKind.REJECTED, shown_leaver(row), parsed)
    # A file describes each departure once; a repeat would depend on the order of the rows.
    for key in (f"leaver:{parsed.leaver}", f"external_id:{parsed.external_id}"):
        if key.endswith(":None"):
            continue
        if key in first_line:
            what = key.split(":", 1)[0]
            reason = f"the same {what} is on line {first_line[key]} already"
            return RowResult(row.line, OutcomeKind.REJECTED, parsed.leaver, reason)
        first_line[key] = row.line
    try:
        outcome = await service.register(parsed, actor, door=DOOR, dry_run=dry_run)
    except DirectoryUnavailable:
        reason = "the directory could not be reached; import the file again later"
        return RowResult(row.line, OutcomeKind.REJECTED, parsed.leaver, reason)
    reason = _reasons(outcome, explain)
    return RowResult(row.line, outcome.kind, parsed.leaver, reason)


async def _cancel(
    row: CsvRow,
    service: RegistrationService,
    explain: Callable[[str], str],
    actor: str,
    dry_run: bool,
) -> RowResult:
    """A row that says the leaver stays: cancel the departure of its external_id."""
    shown = shown_leaver(row)
    if row.cells[OPTIONAL].lower() not in YES:
        reason = f"{OPTIONAL}: write yes to cancel the departure, or leave it empty"
        return RowResult(row.line, OutcomeKind.REJECTED, shown, reason)
    if not row.cells["external_id"]:
        reason = "external_id: a cancelled row needs the HR system's id of the departure"
        return RowResult(row.line, OutcomeKind.REJECTED, shown, reason)
    outcome = await service.cancel_external(
        row.cells["external_id"], actor, door=DOOR, dry_run=dry_run
    )
    reason = _reasons(outcome, explain)
    if outcome.departure is not None:
        shown = outcome.departure.leaver_upn
    if outcome.kind is OutcomeKind.UPDATED:
        reason = "cancelled: the leaver stays"
    return RowResult(row.line, outcome.kind, shown, reason)


def _reasons(outcome: Outcome, explain: Callable[[str], str]) -> str:
    """The outcome's problems in English, each after the field it is about."""
    return " ".join((f"{p.field}: " if p.field else "") + explain(p.code) for p in outcome.problems)


def report(results: Sequence[RowResult], *, dry_run: bool, out: TextIO) -> None:
    """One line per row, then a summary; only addresses and reasons, never other cell content."""
    verb = "would be " if dry_run else ""
    for result in results:
        line = f"line {result.line}: {verb}{result.kind.value:<9} {result.leaver}"
        out.write(f"{line}: {result.reason}\n" if result.reason else f"{line}\n")
    counts = Counter(result.kind for result in results)
    summary = ", ".join(f"{counts[kind]} {verb}{kind.value}" for kind in OutcomeKind)
    out.write(f"{len(results)} rows: {summary}.")
    if counts[OutcomeKind.REJECTED]:
        out.write(" Rejected rows were skipped; every other row was handled on its own.")
    if dry_run:
        out.write(" Dry run: nothing was written.")
    out.write("\n")


def import_command(path: Path, *, dry_run: bool) -> int:
    """The CLI command: read and check the file, then register its rows."""
    try:
        rows = read_rows(path.read_bytes(), str(path))
    except OSError as exc:
        raise CommandFailed(
            f"{path}: cannot read the file ({exc.strerror})", EXIT_UNUSABLE
        ) from None
    except CsvFileError as exc:
        raise CommandFailed(str(exc), EXIT_UNUSABLE) from None
    results = asyncio.run(_import(rows, dry_run=dry_run))
    report(results, dry_run=dry_run, out=sys.stdout)
    rejected = any(result.kind is OutcomeKind.REJECTED for result in results)
    return EXIT_REJECTED if rejected else EXIT_OK


async def _import(rows: Sequence[CsvRow], *, dry_run: bool) -> list[RowResult]:
    """Settings, database, configuration and directory, then the rows."""
    async with started(with_config=True, unusable=EXIT_UNUSABLE) as run:
        config, clock = run.config, run.clock
        try:
            async with open_people(run.settings, clock) as people:
                service = RegistrationService(
                    SqlDepartureRepository(run.db, clock),
                    people.directory,
                    lambda: config,
                    clock,
                    SqlAuditLog(run.db),
                    # This process has no chat to Teams: the running service takes these events
                    # (offers, moved bookings, withdrawals) from the database and acts on them.
                    StoredDepartureEvents(run.db, clock),
                    zones=people.zones,
                )
                return await import_rows(
                    rows,
                    service,
                    lambda code: config.text(code, "en"),
                    actor=operator(DOOR.value),
                    dry_run=dry_run,
                    progress=Progress(len(rows), sys.stderr),
                )
        except SettingsError as exc:  # e.g. Graph asked for without its settings
            raise CommandFailed(str(exc), EXIT_UNUSABLE) from None
