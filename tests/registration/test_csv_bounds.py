"""`exitbot departures import` with cells no departure has (issue 12): a last working day in the
year 9999, U+0000 and other control characters, lone surrogates. Each is a line error, never a
traceback; the good rows go in and nothing of a bad one is stored. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.departures_csv import COLUMNS
from cli.main import main
from config.loader import default_config_dir, load_config
from storage.database import Database
from storage.migrate import upgrade
from storage.tables import audit_log, departures
from tests.registration.helpers import DEMO_PEOPLE

HEADER = ",".join(COLUMNS)
EN = load_config(default_config_dir())


def _day(days: int = 40) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


@pytest.fixture
def database(blank_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrated database of the kind under test, and HR's shell environment."""
    asyncio.run(upgrade(blank_database_url))
    for name in ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("EXITBOT_LOCAL_MODE", raising=False)
    monkeypatch.delenv("EXITBOT_CONFIG_DIR", raising=False)
    monkeypatch.setenv("DATABASE_URL", blank_database_url)
    monkeypatch.setenv("EXITBOT_DIRECTORY", "local")
    monkeypatch.setenv("EXITBOT_PEOPLE_FILE", str(DEMO_PEOPLE))
    monkeypatch.chdir(tmp_path)
    return blank_database_url


def _stored(url: str) -> tuple[list[str], int]:
    """The stored departures' external ids and how many audit entries there are."""

    async def read() -> tuple[list[str], int]:
        db = await Database.open(url)
        try:
            async with db.sessions() as session:
                ids = (await session.execute(select(departures.c.external_id))).scalars()
                audited = await session.scalar(select(func.count()).select_from(audit_log))
                return sorted(ids), int(audited or 0)
        finally:
            await db.close()

    return asyncio.run(read())


def _import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data: bytes
) -> tuple[int, list[str], str]:
    path = tmp_path / "departures.csv"
    path.write_bytes(data)
    code = main(["departures", "import", str(path)])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_a_last_day_in_the_year_9999_is_a_line_error(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        HEADER,
        "HR-1,leaver@contoso.example,,social-care,9999-12-31,,",
        f"HR-2,leaver.se@contoso.example,,home-care,{_day()},sv,",
    ]
    code, out, err = _import(capsys, tmp_path, ("\n".join(rows) + "\n").encode())
    assert code == 1
    too_far = EN.text("register.last_day_too_far", "en")
    assert out[0] == f"line 2: rejected  leaver@contoso.example: last_working_day: {too_far}"
    assert out[1] == "line 3: created   leaver.se@contoso.example"
    assert "Traceback" not in err
    assert _stored(database)[0] == ["HR-2"]


def test_control_characters_and_lone_surrogates_are_line_errors(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        HEADER + ",cancelled",
        f"HR-\x00,leaver@contoso.example,,social-care,{_day()},,,",
        f"HR-3,leaver\x00@contoso.example,,social-care,{_day()},,,",
        f"HR-4,leaver.no@contoso.example,\x1bmanager@contoso.example,,{_day()},,,",
        "HR-\x00,,,,,,,yes",  # a cancelled row: its external_id is looked up
        f"HR-5,leaver.se@contoso.example,,home-care,{_day()},sv,,",
    ]
    code, out, err = _import(capsys, tmp_path, ("\n".join(rows) + "\n").encode())
    assert code == 1
    assert "Traceback" not in err
    unreadable = "contains a control character or an invalid (lone surrogate) character"
    assert out[0] == f"line 2: rejected  leaver@contoso.example: external_id: {unreadable}"
    assert out[1] == f"line 3: rejected  -: leaver: {unreadable}"
    assert out[2] == f"line 4: rejected  leaver.no@contoso.example: manager: {unreadable}"
    unknown = EN.text("register.unknown_external_id", "en")
    assert out[3] == f"line 5: rejected  -: external_id: {unknown}"
    assert out[4] == "line 6: created   leaver.se@contoso.example"
    assert _stored(database)[0] == ["HR-5"]


def test_a_lone_surrogate_in_the_file_names_its_line_and_imports_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = f"HR-1,leaver@contoso.example,,social-care,{_day()},,".encode()
    # U+D800 written as UTF-8 bytes (ED A0 80), which no UTF-8 file may hold.
    bad = f"HR-2,leaver.se@contoso.example,,home-care,{_day()},sv,".encode() + b"\xed\xa0\x80"
    code, _, err = _import(capsys, tmp_path, HEADER.encode() + b"\n" + good + b"\n" + bad)
    assert code != 0
    assert "line 3: the file is not UTF-8" in err
    assert "Traceback" not in err
    assert _stored(database) == ([], 0)
