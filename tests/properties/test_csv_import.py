"""`exitbot departures import` takes any file: the command ends with exit code 0, 1 or 2 and
one report, never a traceback; a row it rejects stores nothing, a file it cannot use stores
nothing at all, and no text a database cannot hold is stored."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cli.departures_csv import COLUMNS, EXTRA_COLUMNS
from cli.main import main
from config.loader import default_config_dir, load_config
from storage.database import Database
from storage.tables import departures
from tests.helpers.journey import DEMO_PEOPLE
from tests.properties.strategies import any_char, examples, nasty_text, short_text
from tests.properties.watch import JOURNEY, Snapshot, assert_clean, changed

LEAVERS = ("leaver@contoso.example", "leaver.se@contoso.example", "leaver.no@contoso.example")
# The report's line per row: "line N: [would be ]KIND ..." (cli/departures.py report).
REPORTED = re.compile(r"^line (\d+): (created|updated|unchanged|rejected)\b", re.M)


def _day(offset: int) -> str:
    return (date.today() + timedelta(offset)).isoformat()


CELLS: dict[str, st.SearchStrategy[str]] = {
    "external_id": st.one_of(st.sampled_from(["", "HR-1", "HR-2", "HR-\x00"]), short_text),
    "leaver": st.one_of(st.sampled_from(LEAVERS), short_text),
    "manager": st.one_of(st.sampled_from(["", "manager@contoso.example"]), short_text),
    "unit": st.one_of(st.sampled_from(["", "social-care", "nope"]), short_text),
    "last_working_day": st.one_of(
        st.integers(-3, 400).map(_day),
        st.sampled_from(["9999-12-31", "31-12-2026", "2026-02-30", ""]),
        short_text,
    ),
    "locale": st.one_of(st.sampled_from(["", "da", "sv", "xx"]), short_text),
    "interviewer_pool": st.one_of(st.just(""), st.just("hrpartner@contoso.example"), short_text),
    "departure_type": st.one_of(st.sampled_from(["", "other", "RETIREMENT"]), short_text),
    "cancelled": st.one_of(st.sampled_from(["", "yes", "ja", "no"]), short_text),
}


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """A departures file as a spreadsheet writes it, with arbitrary cells; or any bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.binary(max_size=80), st.text(any_char, max_size=80).map(_utf8)))
    extra = draw(st.lists(st.sampled_from(EXTRA_COLUMNS), unique=True))
    header = [*COLUMNS, *extra]
    if draw(st.integers(0, 9)) == 0:
        header = draw(st.lists(nasty_text, min_size=1, max_size=9))
    rows = [
        [draw(CELLS.get(name, nasty_text)) for name in header]
        for _ in range(draw(st.integers(0, 4)))
    ]
    if rows and draw(st.booleans()):  # a row too short or too long
        rows[-1] = rows[-1][: draw(st.integers(0, len(header) + 1))] or [draw(nasty_text)]
    out = io.StringIO()
    delimiter = draw(st.sampled_from([",", ";"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator=ending).writerows(
        [header, *rows]
    )
    text = out.getvalue() + draw(st.sampled_from(["", '"', "\x00", "\ud800"]))
    bom = "\ufeff" if draw(st.booleans()) else ""
    return _utf8(bom + text)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@pytest.fixture
def command_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """The environment HR's shell would have, the database migrated."""
    for name in ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID"):
        monkeypatch.delenv(name, raising=False)
    for name in ("EXITBOT_LOCAL_MODE", "EXITBOT_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("EXITBOT_DIRECTORY", "local")
    monkeypatch.setenv("EXITBOT_PEOPLE_FILE", str(DEMO_PEOPLE))
    monkeypatch.chdir(tmp_path)  # no stray .env file
    return database_url


def snapshot(url: str) -> Snapshot:
    async def read() -> Snapshot:
        db = await Database.open(url)
        try:
            found: Snapshot = {}
            async with db.sessions() as session:
                for table in JOURNEY:
                    rows = (await session.execute(table.select())).all()
                    found[table.name] = sorted((tuple(row) for row in rows), key=repr)
            return found
        finally:
            await db.close()

    return asyncio.run(read())


@examples(20)  # each starts the command: settings, HR's configuration, the database
@given(data=csv_files())
@example(data=_utf8(",".join(COLUMNS) + f"\nHR-\x00,{LEAVERS[0]},,,{_day(30)},,\n"))
@example(data=_utf8(",".join(COLUMNS) + f"\n,{LEAVERS[1]},,,9999-12-31,,\n"))
@example(data=_utf8(",".join(COLUMNS) + f"\n,{LEAVERS[2]}\ud800,,,{_day(30)},,\n"))
def test_any_file_is_reported_and_a_rejected_row_stores_nothing(
    command_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    data: bytes,
) -> None:
    path = tmp_path / "departures.csv"
    path.write_bytes(data)
    before = snapshot(command_env)
    capsys.readouterr()
    caplog.clear()
    code = main(["departures", "import", str(path)])
    out, err = capsys.readouterr()
    after = snapshot(command_env)
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in out + err
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    kinds = [kind for _, kind in REPORTED.findall(out)]
    if code == 2 or not any(kind in ("created", "updated") for kind in kinds):
        # Nothing could be used, or every row was rejected or unchanged: nothing stored.
        assert not changed(before, after), (code, kinds, changed(before, after))
    created = len(after["departures"]) - len(before["departures"])
    assert created == kinds.count("created"), (kinds, created)
    assert_clean(before, after)
    assert_within_window(after, before)


def assert_within_window(after: Snapshot, before: Snapshot) -> None:
    """Every last working day the file stored is within the window HR's YAML allows."""
    old = {repr(row) for row in before["departures"]}
    for row in after["departures"]:
        if repr(row) not in old:
            assert row[LAST_DAY] <= date.today() + timedelta(AHEAD), row[LAST_DAY]


LAST_DAY = list(departures.columns.keys()).index("last_working_day")
AHEAD = getattr(load_config(default_config_dir()), "max_days_ahead", 3650)
