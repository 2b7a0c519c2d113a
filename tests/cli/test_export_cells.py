"""Exported files open in a spreadsheet as text: no cell is a formula, whatever HR or a leaver
wrote; `exitbot insights export` refuses a unit HR's configuration does not have."""

from __future__ import annotations

import asyncio
import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cli.main import main
from config.loader import default_config_dir
from journey.farewell import AlumniContact
from storage.alumni import alumni_csv
from storage.database import Database
from storage.export_cells import FORMULA_STARTS, export_cell
from storage.migrate import upgrade
from testkit.insights_seed import one_small_unit, seed
from tests.helpers.journey import T0

# Labels of reasons the seeded leavers gave, as HR might paste them: each starts a formula.
LABELS = {
    "Better career opportunities elsewhere": "=1+1",
    "Pay and benefits": "@SUM(A1)",
    "Leadership": '-2+HYPERLINK("http://evil.example")',
}
# One leaver named leadership: a reason of fewer than five is never exported (issue 14).
EXPORTED = [label for old, label in LABELS.items() if old != "Leadership"]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HR's configuration with formula-like labels, and a migrated database with departures."""
    config = tmp_path / "config"
    shutil.copytree(default_config_dir(), config)
    questions = config / "questions.yaml"
    text = questions.read_text(encoding="utf-8")
    for old, new in LABELS.items():
        assert text.count(f"en: {old}}}") >= 1, old  # in both question sets
        text = text.replace(f"en: {old}}}", f"en: '{new}'}}")
    questions.write_text(text, encoding="utf-8")
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"

    async def prepare() -> None:
        await upgrade(url)
        async with await Database.open(url) as db:
            await seed(db, one_small_unit())

    asyncio.run(prepare())
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("EXITBOT_CONFIG_DIR", str(config))
    return tmp_path


def _export(*args: str) -> int:
    return main(["insights", "export", "--from", "2026-01", "--to", "2026-06", *args])


def _looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def test_the_csv_holds_no_formula(workspace: Path) -> None:
    out = workspace / "insights.csv"
    assert _export(str(out)) == 0
    with out.open(newline="", encoding="utf-8") as file:
        cells = [cell for row in csv.reader(file) for cell in row]
    assert not [cell for cell in cells if _looks_like_formula(cell)]
    for label in EXPORTED:
        assert f"'{label}" in cells  # shown as written, with the spreadsheets' text mark


def test_the_xlsx_holds_text_cells_not_formulas(workspace: Path) -> None:
    out = workspace / "insights.xlsx"
    assert _export(str(out)) == 0
    book = load_workbook(out)
    sheet = book["insights"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells and not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert not [cell.value for cell in cells if _looks_like_formula(cell.value)]
    labels = {cell.value: cell.data_type for cell in cells if isinstance(cell.value, str)}
    for label in EXPORTED:
        assert labels[f"'{label}"] == "s"
    # Figures stay numbers.
    assert any(cell.data_type == "n" and isinstance(cell.value, int) for cell in cells)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_unknown_unit_is_refused_and_nothing_written(
    workspace: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    out = workspace / f"x{suffix}"
    assert _export("--unit", "=1+1", str(out)) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "--unit '=1+1': no such unit in HR's configuration" in err
    assert "the units are: home-care, social-care, technical-services" in err
    # A near miss is pointed at.
    assert _export("--unit", "home-car", str(out)) == 2
    assert "did you mean 'home-care'?" in capsys.readouterr().err
    assert not out.exists()
    # A unit that exists is exported.
    assert _export("--unit", "home-care", str(out)) == 0 and out.exists()


def test_every_formula_start_is_defused_and_other_cells_kept() -> None:
    for start in FORMULA_STARTS:
        assert export_cell(f"{start}1+1") == f"'{start}1+1"
    for kept in ("Anna", "", "2026-11", "a=b", "'=already"):
        assert export_cell(kept) == kept
    for number in (-3, 2.5, 0):
        assert export_cell(number) == number


def test_the_alumni_export_defuses_every_column() -> None:
    row = AlumniContact(
        departure_id="d1",
        name="+SUM(A1)",
        unit="@unit",
        private_email="-a@example.org",
        consented_at=T0,
    )
    lines = alumni_csv([row]).splitlines()
    assert lines[1] == "'+SUM(A1),'@unit,'-a@example.org,2026-11-23"
