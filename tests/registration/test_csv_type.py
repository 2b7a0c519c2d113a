"""The CSV import's `departure_type` column: each type stored, an unknown one rejected with its
line, and files without the column still read."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.departures_csv import COLUMNS
from storage.tables import departures
from tests.registration.test_csv_import import _counts, _day, _rows, _run, _write
from tests.registration.test_csv_import import database as database  # the fixture

HEADER = ",".join(COLUMNS) + ",departure_type"
# Six people of the demo directory, one per type; the last two name their manager.
ROWS = [
    f"T-1,leaver@contoso.example,,social-care,{_day()},,,resignation",
    f"T-2,leaver.se@contoso.example,,home-care,{_day()},,,retirement",
    f"T-3,leaver.no@contoso.example,,,{_day()},,,fixed_term_end",
    f"T-4,union.rep@contoso.example,,,{_day()},,,traineeship_end",
    f"T-5,hrpartner@contoso.example,manager@contoso.example,,{_day()},,,Dismissal",
    f"T-6,hr@contoso.example,manager@contoso.example,,{_day()},,,other",
]


def test_each_type_in_the_column_is_stored(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, _write(tmp_path, [HEADER, *ROWS]))
    assert code == 0, out
    assert out[-1] == "6 rows: 6 created, 0 updated, 0 unchanged, 0 rejected."
    stored = dict(_rows(database, departures.c.external_id, departures.c.departure_type))
    assert stored == {
        "T-1": "resignation",
        "T-2": "retirement",
        "T-3": "fixed_term_end",
        "T-4": "traineeship_end",
        "T-5": "dismissal",
        "T-6": "other",
    }


def test_an_unknown_type_rejects_its_row_with_the_line_and_stores_nothing_for_it(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = f"T-9,leaver.se@contoso.example,,,{_day()},,,fired"
    code, out, _ = _run(capsys, _write(tmp_path, [HEADER, ROWS[0], bad]))
    assert code != 0
    [line] = [line for line in out if line.startswith("line 3:")]
    assert "rejected" in line
    assert "departure_type: Input should be 'resignation'" in line
    assert "fired" not in line  # the cell is not repeated
    assert out[-1].startswith("2 rows: 1 created, 0 updated, 0 unchanged, 1 rejected.")
    assert _counts(database)[0] == 1


def test_the_column_may_stand_with_cancelled_in_either_order_or_be_left_out(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = ",".join(COLUMNS) + ",cancelled,departure_type"
    row = f"T-1,leaver@contoso.example,,social-care,{_day()},,,,retirement"
    code, out, _ = _run(capsys, _write(tmp_path, [header, row]))
    assert code == 0, out
    old = f"T-2,leaver.se@contoso.example,,home-care,{_day()},,"
    code, out, _ = _run(capsys, _write(tmp_path, [",".join(COLUMNS), old], name="old.csv"))
    assert code == 0, out
    stored = dict(_rows(database, departures.c.external_id, departures.c.departure_type))
    assert stored == {"T-1": "retirement", "T-2": "resignation"}
    twice = ",".join(COLUMNS) + ",departure_type,departure_type"
    code, out, err = _run(capsys, _write(tmp_path, [twice, row + ",x"], name="twice.csv"))
    assert code != 0
    assert "line 1: the header must be exactly" in err + "\n".join(out)
