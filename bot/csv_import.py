"""`exitbot departures import FILE.csv`: register departures from HR's spreadsheet.

The file: UTF-8 (with or without a byte order mark, as Excel's "CSV UTF-8" writes it), comma-
or semicolon-separated (Nordic Excel writes semicolons), and a header of exactly these columns:

    external_id,leaver,manager,unit,last_working_day,locale,interviewer_pool

and optionally an eighth, `cancelled`: a row with `yes` there (or ja, true, x, 1) cancels the
departure of that external_id (the leaver stays); the other cells of such a row are not used.

Dates are yyyy-mm-dd only: 03-04-2026 is the 3rd of April in Denmark and the 4th of March in
an American export, so a day-month-year date is refused rather than guessed. `manager`,
`unit`, `locale` and `interviewer_pool` may be empty (the directory and the configuration fill
them in); `interviewer_pool` lists addresses separated by spaces. Each row goes through the same
RegistrationService as Teams and the HTTP API, on its own: a bad row is reported and skipped,
the others are imported. Re-running a file whose rows carry an external_id changes nothing.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import getpass
import io
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from journey.people import DirectoryUnavailable
from journey.registration import Outcome, OutcomeKind, RegistrationRequest, RegistrationService

COLUMNS: tuple[str, ...] = (
    "external_id",
    "leaver",
    "manager",
    "unit",
    "last_working_day",
    "locale",
    "interviewer_pool",
)
OPTIONAL = "cancelled"
_YES = frozenset({"yes", "ja", "true", "x", "1"})
DOOR = "csv"
EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FIRST = re.compile(r"^\d{1,2}[-./]\d{1,2}[-./]\d{4}$")
_POOL_SEPARATORS = re.compile(r"[\s,;]+")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")


class CsvFileError(ValueError):
    """The file cannot be imported at all; nothing was read into the database."""


@dataclass(frozen=True)
class CsvRow:
    """One data row: its line in the file and its cells by column."""

    line: int
    cells: dict[str, str]
    problem: str | None = None  # set when the row does not even have the right shape


def _decode(data: bytes, name: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvFileError(
            f"{name}: line {line}: the file is not UTF-8 (byte 0x{data[exc.start]:02x} cannot be "
            "read; Excel's plain CSV writes Windows-1252, which turns æ, ø and å into such "
            "bytes). Save it as 'CSV UTF-8' and import again; nothing was imported."
        ) from None


def read_rows(data: bytes, name: str) -> list[CsvRow]:
    """The data rows of a departures CSV; CsvFileError for a file that cannot be used at all."""
    text = _decode(data, name)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise CsvFileError(f"{name}: the file is empty; nothing was imported.")
        found = tuple(cell.strip() for cell in header)
        if found not in (COLUMNS, (*COLUMNS, OPTIONAL)):
            raise CsvFileError(
                f"{name}: line 1: the header must be exactly {','.join(COLUMNS)} (optionally "
                f"followed by ,{OPTIONAL}) but is {','.join(found)}; nothing was imported."
            )
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(found):
                rows.append(CsvRow(line, {}, f"has {len(cells)} fields, the header {len(found)}"))
                continue
            values = dict(zip(found, (c.strip() for c in cells), strict=True))
            rows.append(CsvRow(line, {OPTIONAL: "", **values}))
    except csv.Error as exc:
        raise CsvFileError(
            f"{name}: line {reader.line_num}: not valid CSV ({exc}); nothing was imported."
        ) from None
    return rows


def parse_row(row: CsvRow) -> RegistrationRequest | str:
    """The registration a row asks for, or the reason (in English) it cannot be read."""
    if row.problem is not None:
        return row.problem
    cells = row.cells
    day = cells["last_working_day"]
    if not _ISO_DAY.match(day):
        if _DAY_FIRST.match(day):
            return "last_working_day: write the date as yyyy-mm-dd (day-month-year is ambiguous)"
        return "last_working_day: write the date as yyyy-mm-dd"
    try:
        return RegistrationRequest(
            external_id=cells["external_id"] or None,
            leaver=cells["leaver"],
            manager=cells["manager"] or None,
            unit=cells["unit"] or None,
            last_working_day=day,
            locale=cells["locale"] or None,
            interviewer_pool=[a for a in _POOL_SEPARATORS.split(cells["interviewer_pool"]) if a],
        )
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg'].removeprefix('Value error, ')}"


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
        return RowResult(row.line, OutcomeKind.REJECTED, _shown_leaver(row), parsed)
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
    shown = _shown_leaver(row)
    if row.cells[OPTIONAL].lower() not in _YES:
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


def _shown_leaver(row: CsvRow) -> str:
    """The leaver cell if it is an address; anything else might be free text, so never shown."""
    cell = row.cells.get("leaver", "").strip().lower()
    return cell if _ADDRESS.match(cell) else "-"


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


def _actor() -> str:
    try:
        return f"csv:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in some containers
        return "csv"


def import_command(path: Path, *, dry_run: bool) -> int:
    """The CLI command: read and check the file, then register its rows."""
    try:
        rows = read_rows(path.read_bytes(), str(path))
    except OSError as exc:
        return _fail(f"{path}: cannot read the file ({exc.strerror})")
    except CsvFileError as exc:
        return _fail(str(exc))
    return asyncio.run(_import(rows, dry_run=dry_run))


def _fail(message: str) -> int:
    print(f"exitbot: {message}", file=sys.stderr)
    return EXIT_UNUSABLE


async def _import(rows: Sequence[CsvRow], *, dry_run: bool) -> int:
    """Settings, database, configuration and directory, then the rows and the report."""
    from bot.people import people_services
    from bot.settings import PeopleSettings, SettingsError, load_settings
    from config.loader import ConfigError, load_config
    from journey.clock import SystemClock
    from storage.database import Database, DatabaseUnavailable
    from storage.journey_events import StoredJourneyEvents
    from storage.migrate import SchemaOutOfDate, check_schema
    from storage.repositories import SqlAuditLog, SqlDepartureRepository

    try:
        settings = load_settings(PeopleSettings)
        config = load_config(settings.resolved_config_dir)
    except SettingsError as exc:
        return _fail(str(exc))
    except ConfigError as exc:
        return _fail("; ".join(str(problem) for problem in exc.problems))
    try:
        db = await Database.open(settings.database_url)
    except DatabaseUnavailable as exc:
        return _fail(str(exc))
    try:
        await check_schema(db)
        clock = SystemClock()
        async with people_services(settings, clock) as people:
            departures, audit = SqlDepartureRepository(db, clock), SqlAuditLog(db)
            service = RegistrationService(
                departures,
                people.directory,
                lambda: config,
                clock,
                audit,
                # This process has no chat to Teams: the running service takes these events
                # (offers, moved bookings, withdrawals) from the database and acts on them.
                StoredJourneyEvents(db, clock),
                zones=people.zones,
            )
            results = await import_rows(
                rows,
                service,
                lambda code: config.text(code, "en"),
                actor=_actor(),
                dry_run=dry_run,
                progress=Progress(len(rows), sys.stderr),
            )
    except (SchemaOutOfDate, SettingsError) as exc:
        return _fail(str(exc))
    finally:
        await db.close()
    report(results, dry_run=dry_run, out=sys.stdout)
    rejected = any(result.kind is OutcomeKind.REJECTED for result in results)
    return EXIT_REJECTED if rejected else EXIT_OK
