"""The departures CSV HR's spreadsheet writes: reading and checking it, no database.

The file: UTF-8 (with or without a byte order mark, as Excel's "CSV UTF-8" writes it), comma-
or semicolon-separated (Nordic Excel writes semicolons), and a header of exactly these columns:

    external_id,leaver,manager,unit,last_working_day,locale,interviewer_pool

and optionally, after them and in either order, `departure_type` and `cancelled`.
`departure_type` is one of resignation, retirement, fixed_term_end, traineeship_end
(traineeship or apprenticeship), dismissal, other; empty is a resignation for a new departure
and keeps the stored type for a known external_id; any other word rejects the row, with its
line. A row with `yes` under `cancelled` (or ja, true, x, 1) cancels the departure of that
external_id (the leaver stays); the other cells of such a row are not used.

Dates are yyyy-mm-dd only: 03-04-2026 is the 3rd of April in Denmark and the 4th of March in
an American export, so a day-month-year date is refused rather than guessed. `manager`,
`unit`, `locale` and `interviewer_pool` may be empty (the directory and the configuration fill
them in); `interviewer_pool` lists addresses separated by spaces. Each row goes through the same
RegistrationService as Teams and the HTTP API, on its own: a bad row is reported and skipped,
the others are imported. Re-running a file whose rows carry an external_id changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass

from pydantic import ValidationError

from journey.registration_rules import RegistrationRequest
from journey.text_input import clean_text

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
TYPE_COLUMN = "departure_type"
# Optional columns after COLUMNS, each at most once, in any order.
EXTRA_COLUMNS: tuple[str, ...] = (TYPE_COLUMN, OPTIONAL)
YES = frozenset({"yes", "ja", "true", "x", "1"})

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
        if not _header_fits(found):
            raise CsvFileError(
                f"{name}: line 1: the header must be exactly {','.join(COLUMNS)} (optionally "
                f"followed by ,{TYPE_COLUMN} and/or ,{OPTIONAL}) but is {','.join(found)}; "
                "nothing was imported."
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
            rows.append(CsvRow(line, {OPTIONAL: "", TYPE_COLUMN: "", **values}))
    except csv.Error as exc:
        raise CsvFileError(
            f"{name}: line {reader.line_num}: not valid CSV ({exc}); nothing was imported."
        ) from None
    return rows


def _header_fits(found: tuple[str, ...]) -> bool:
    extra = found[len(COLUMNS) :]
    return (
        found[: len(COLUMNS)] == COLUMNS
        and len(set(extra)) == len(extra)
        and set(extra) <= set(EXTRA_COLUMNS)
    )


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
            departure_type=cells[TYPE_COLUMN].lower() or None,
        )
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg'].removeprefix('Value error, ')}"


def shown_leaver(row: CsvRow) -> str:
    """The leaver cell if it is an address; anything else might be free text, so never shown."""
    cell = row.cells.get("leaver", "").strip().lower()
    # Control characters (an escape sequence among them) never reach HR's terminal.
    return cell if _ADDRESS.match(cell) and clean_text(cell) == cell else "-"
