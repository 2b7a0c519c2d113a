"""`exitbot departures import FILE.csv`: the command as HR runs it, on a real SQLite file."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from cli.departures import Progress
from cli.departures_csv import COLUMNS
from cli.main import main
from storage.database import Database
from storage.migrate import upgrade
from storage.tables import audit_log, departures, journey_events
from tests.registration.helpers import DEMO_PEOPLE

HEADER = ",".join(COLUMNS)


def _day(days: int = 40) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated SQLite file and the environment HR's shell would have: no bot identity."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    asyncio.run(upgrade(url))
    for name in (
        "MICROSOFT_APP_ID",
        "MICROSOFT_APP_PASSWORD",
        "MICROSOFT_APP_TENANT_ID",
        "EXITBOT_LOCAL_MODE",
        "EXITBOT_CONFIG_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("EXITBOT_DIRECTORY", "local")
    monkeypatch.setenv("EXITBOT_PEOPLE_FILE", str(DEMO_PEOPLE))
    monkeypatch.chdir(tmp_path)  # no stray .env file
    return url


def _counts(url: str) -> tuple[int, int]:
    """(departures, audit entries) read straight from the database."""

    async def count() -> tuple[int, int]:
        db = await Database.open(url)
        try:
            async with db.sessions() as session:
                stored = await session.scalar(select(func.count()).select_from(departures))
                audited = await session.scalar(select(func.count()).select_from(audit_log))
            return int(stored or 0), int(audited or 0)
        finally:
            await db.close()

    return asyncio.run(count())


def _rows(url: str, *columns: Any) -> list[tuple[Any, ...]]:
    """The rows of a SELECT of `columns`, read straight from the database."""

    async def read() -> list[tuple[Any, ...]]:
        db = await Database.open(url)
        try:
            async with db.sessions() as session:
                return [tuple(row) for row in await session.execute(select(*columns))]
        finally:
            await db.close()

    return asyncio.run(read())


def _versions(url: str) -> dict[str, int]:
    return dict(_rows(url, departures.c.leaver_upn, departures.c.version))


def _write(tmp_path: Path, lines: list[str], *, name: str = "departures.csv", **kw: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=kw.get("encoding", "utf-8"))
    return path


def _run(capsys: pytest.CaptureFixture[str], path: Path, *flags: str) -> tuple[int, list[str], str]:
    code = main(["departures", "import", str(path), *flags])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


GOOD = [
    f"HR-1,leaver@contoso.example,,social-care,{_day()},,",
    f"HR-2,leaver.se@contoso.example,,home-care,{_day(50)},sv,union.rep@contoso.example",
]


def test_good_rows_are_registered_and_a_rerun_changes_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, [HEADER, *GOOD])
    code, out, err = _run(capsys, path)
    assert code == 0
    assert out[:2] == [
        "line 2: created   leaver@contoso.example",
        "line 3: created   leaver.se@contoso.example",
    ]
    assert out[-1] == "2 rows: 2 created, 0 updated, 0 unchanged, 0 rejected."
    assert "[####################] 2/2" in err  # the progress bar, on stderr
    counts, versions = _counts(database), _versions(database)
    assert counts[0] == 2

    code, out, _ = _run(capsys, path)
    assert code == 0
    assert out[-1] == "2 rows: 0 created, 0 updated, 2 unchanged, 0 rejected."
    assert _counts(database) == counts
    assert _versions(database) == versions


def test_a_bad_row_is_reported_and_the_good_rows_still_go_in(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    confidential = "told me she is burnt out"
    rows = [
        HEADER,
        GOOD[0],
        f"HR-3,nobody@contoso.example,,,{_day()},,",
        f"HR-4,leaver.no@contoso.example,{confidential},,{_day()},,",
        f"HR-5,leaver@contoso.example,,,{_day(70)},,",  # the same leaver as line 2
        f"HR-6,{confidential},,,{_day()},,",
        "HR-7,union.rep@contoso.example,,,30-04-2027,,",
        GOOD[1],
    ]
    code, out, _ = _run(capsys, _write(tmp_path, rows))
    assert code == 1
    assert out[0] == "line 2: created   leaver@contoso.example"
    assert out[1].startswith("line 3: rejected  nobody@contoso.example: leaver: ")
    assert (
        out[2]
        == "line 4: rejected  leaver.no@contoso.example: manager: not an email address or UPN"
    )
    assert out[3] == (
        "line 5: rejected  leaver@contoso.example: the same leaver is on line 2 already"
    )
    assert out[4] == "line 6: rejected  -: leaver: not an email address or UPN"
    assert out[5] == (
        "line 7: rejected  union.rep@contoso.example: last_working_day: write the date as "
        "yyyy-mm-dd (day-month-year is ambiguous)"
    )
    assert out[6] == "line 8: created   leaver.se@contoso.example"
    assert out[7].startswith("7 rows: 2 created, 0 updated, 0 unchanged, 5 rejected.")
    assert "every other row was handled on its own" in out[7]
    assert confidential not in "\n".join(out)
    assert _counts(database)[0] == 2


def test_a_changed_last_day_updates_the_departure(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, _write(tmp_path, [HEADER, GOOD[0]]))
    moved = [HEADER, f"HR-1,leaver@contoso.example,,social-care,{_day(90)},,"]
    code, out, _ = _run(capsys, _write(tmp_path, moved, name="moved.csv"))
    assert code == 0
    assert out[0] == "line 2: updated   leaver@contoso.example"
    assert _versions(database) == {"leaver@contoso.example": 1}


def test_a_dry_run_writes_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, _write(tmp_path, [HEADER, *GOOD]), "--dry-run")
    assert code == 0
    assert out[0] == "line 2: would be created   leaver@contoso.example"
    assert out[-1].endswith("Dry run: nothing was written.")
    assert _counts(database) == (0, 0)


def test_a_wrong_header_names_both_and_imports_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, ["external_id,email,last day", GOOD[0]])
    code, out, err = _run(capsys, path)
    assert code == 2
    assert out == []
    assert f"must be exactly {HEADER}" in err
    assert "but is external_id,email,last day" in err
    assert _counts(database) == (0, 0)


def test_a_windows_1252_file_is_refused_naming_the_encoding_and_line(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [HEADER, GOOD[0], f"HR-9,søren.ærø@contoso.example,,,{_day()},,"]
    code, out, err = _run(capsys, _write(tmp_path, rows, encoding="cp1252"))
    assert out == []
    assert code == 2
    assert "line 3" in err and "not UTF-8" in err and "CSV UTF-8" in err
    # Not even the good line 2 was imported: the whole file is refused.
    assert _counts(database) == (0, 0)


def test_excels_utf8_with_bom_and_semicolons_is_read(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [HEADER.replace(",", ";"), GOOD[0].replace(",", ";")]
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode("utf-8") + b"\r\n")
    code, out, _ = _run(capsys, path)
    assert code == 0
    assert out[0] == "line 2: created   leaver@contoso.example"


def test_the_progress_bar_redraws_in_place_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = Progress(4, stream)
    for done in range(1, 5):
        progress.update(done)
    assert stream.getvalue() == (
        "\r[#####---------------] 1/4\r[##########----------] 2/4"
        "\r[###############-----] 3/4\r[####################] 4/4\n"
    )


def _journey_events(url: str) -> list[str]:
    """What the import left for the service to do, oldest first."""
    rows = _rows(url, journey_events.c.id, journey_events.c.event)
    return [event for _, event in sorted(rows)]


def _statuses(url: str) -> dict[str, str]:
    return dict(_rows(url, departures.c.leaver_upn, departures.c.status))


def test_the_import_leaves_the_offers_to_the_running_service(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, [HEADER, *GOOD])
    _run(capsys, path)
    assert _journey_events(database) == ["registered", "registered"]
    _run(capsys, path)  # unchanged rows ask for nothing more
    assert _journey_events(database) == ["registered", "registered"]


def test_a_cancelled_column_cancels_by_external_id(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, _write(tmp_path, [HEADER, *GOOD]))
    header = f"{HEADER},cancelled"
    rows = [
        header,
        f"HR-1,leaver@contoso.example,,,{_day()},,,yes",
        f"HR-404,someone@contoso.example,,,{_day()},,,ja",
        f"HR-2,leaver.se@contoso.example,,,{_day()},,,maybe",
        f",leaver.se@contoso.example,,,{_day()},,,yes",
    ]
    path = _write(tmp_path, rows, name="stays.csv")

    code, out, _ = _run(capsys, path, "--dry-run")
    assert (
        out[0] == "line 2: would be updated   leaver@contoso.example: cancelled: the leaver stays"
    )
    assert _statuses(database)["leaver@contoso.example"] == "registered"

    code, out, _ = _run(capsys, path)
    assert code == 1
    assert out[0] == "line 2: updated   leaver@contoso.example: cancelled: the leaver stays"
    assert out[1] == (
        "line 3: rejected  someone@contoso.example: external_id: "
        "There is no departure with that id from the HR system."
    )
    assert out[2] == (
        "line 4: rejected  leaver.se@contoso.example: cancelled: write yes to cancel the "
        "departure, or leave it empty"
    )
    assert out[3].startswith("line 5: rejected  leaver.se@contoso.example: external_id: ")
    assert _statuses(database) == {
        "leaver@contoso.example": "cancelled",
        "leaver.se@contoso.example": "registered",
    }
    assert _journey_events(database)[-1] == "cancelled"

    code, out, _ = _run(capsys, _write(tmp_path, rows[:2], name="again.csv"))
    assert (code, out[0]) == (0, "line 2: unchanged leaver@contoso.example")
