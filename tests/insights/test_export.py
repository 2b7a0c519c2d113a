"""`exitbot insights export`: files that open with csv and openpyxl, with the card's figures."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.typedefs import DATABASE
from cli.insights import HEADER
from cli.main import main
from testkit.insights_seed import derivable_by_subtraction, one_small_unit, seed
from tests.helpers.journey import LiveApp
from tests.insights.test_card import fact, hr_card


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _read_xlsx(path: Path) -> list[dict[str, Any]]:
    book = load_workbook(path, read_only=True)
    try:
        sheet = book.active
        assert sheet is not None
        header, *rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    assert tuple(header) == HEADER
    return [{k: ("" if v is None else v) for k, v in zip(header, row, strict=True)} for row in rows]


async def _export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """The command, in a thread (it runs its own event loop), on the app's database file."""
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    # live_app's database, in the same tmp_path
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}")
    return await asyncio.to_thread(main, ["insights", "export", *args])


def _row(rows: list[dict[str, Any]], section: str, item: str = "total") -> dict[str, Any]:
    return next(r for r in rows if r["section"] == section and r["item"] == item)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_the_export_holds_the_cards_figures(
    app: LiveApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    await seed(app.app[DATABASE], one_small_unit())
    out = tmp_path / f"insights{suffix}"
    # The card's default period on the fixed clock: the newest half-year that is over.
    assert (
        await _export(tmp_path, monkeypatch, "--from", "2026-01", "--to", "2026-06", str(out)) == 0
    )
    rows = _read_csv(out) if suffix == ".csv" else _read_xlsx(out)
    card = await hr_card(app)
    departures = _row(rows, "departures")
    assert str(departures["value"]) == "55" and str(departures["previous_value"]) == "0"
    assert (departures["previous_from"], departures["previous_to"]) == ("2025-07", "2025-12")
    assert fact(card, "Departures") == "55 (before: 0)"
    recommend = _row(rows, "recommend", "yes")
    assert fact(card, "Would recommend the job").startswith(f"{recommend['value']}%")
    for section_id, title in (
        ("motivation", "Motivation and development"),
        ("job_content", "Job content"),
    ):
        area = _row(rows, "areas", section_id)
        assert area["previous_value"] == ""  # nobody left in the half-year before
        assert fact(card, title).endswith(f"{float(area['value']):.1f} (before: –)")
    june = _row(rows, "per_month", "2026-06")
    assert june["previous_value"] == ""
    assert fact(card, "Jun 2026").endswith(f"{june['value']} (before: –)")
    # Aggregates only: no names, no unit of a comment, nothing finer than a month.
    text = out.read_bytes() if suffix == ".csv" else b""
    assert b"Leaver Person" not in text and b"2026-06-15" not in text


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
async def test_the_export_hides_what_the_card_hides(
    app: LiveApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    await seed(app.app[DATABASE], derivable_by_subtraction())
    for unit, hidden in (("home-care", True), ("social-care", True), ("technical-services", False)):
        out = tmp_path / f"{unit}{suffix}"
        args = ["--from", "2026-01", "--to", "2026-06", "--unit", unit, str(out)]
        assert await _export(tmp_path, monkeypatch, *args) == 0
        rows = _read_csv(out) if suffix == ".csv" else _read_xlsx(out)
        values = [str(r["value"]) for r in rows]
        if hidden:
            assert values == ["hidden"] * 3, unit  # departures, accepted, answered: no more
            assert all(r["n"] == "" for r in rows)
        else:
            assert _row(rows, "departures")["value"] in ("30", 30)
            assert "hidden" not in values


async def test_only_a_whole_half_year_that_is_over_is_exported(
    app: LiveApp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two overlapping periods would give away the months where they differ (issue 14)."""
    await seed(app.app[DATABASE], derivable_by_subtraction())
    out = tmp_path / "x.csv"
    for first, last in (("2025-12", "2026-11"), ("2026-01", "2026-05"), ("2026-07", "2026-12")):
        assert await _export(tmp_path, monkeypatch, "--from", first, "--to", last, str(out)) == 2
    assert not out.exists()
    errors = capsys.readouterr().err.splitlines()
    assert errors[0] == (
        "exitbot: --from 2025-12 --to 2026-11: insights are shown per whole half-year "
        "(organisation.yaml, insights.period), e.g. 2025-07 to 2025-12"
    )
    assert errors[1].endswith("e.g. 2026-01 to 2026-06")
    assert "2026-07 to 2026-12 is not over yet" in errors[2]


def test_bad_arguments_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["insights", "export", "--from", "2026-13", "--to", "2026-12", "x.csv"]) == 2
    assert main(["insights", "export", "--from", "2026-05", "--to", "2026-04", "x.csv"]) == 2
    assert main(["insights", "export", "--from", "2026-01", "--to", "2026-12", "x.pdf"]) == 2
    assert not (tmp_path / "x.csv").exists()
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        "exitbot: 2026-13 is not a month as YYYY-MM",
        "exitbot: the period ends (2026-04) before it starts (2026-05)",
        "exitbot: x.pdf: the file must end in .csv or .xlsx",
    ]
