"""What an operator fixes gets one line naming the cause and the fix, never a traceback.

Each runs the installed `exitbot` as an operator would: a busy port (serve and demo), a log
level that does not exist, a database that refuses the service's login.
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest

from cli.errors import explained
from storage.migrate import upgrade
from testkit.pg_server import SUPERUSER, PostgresServer
from tests.cli.helpers import REPO, command_env, free_port, run_exitbot


@contextmanager
def listening(port: int) -> Iterator[None]:
    """Another program listens on `port` until the block ends."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen()
        yield


def last_line(err: str) -> str:
    """The one line the command ends on; there is no traceback before it."""
    assert "Traceback" not in err, err
    return err.strip().splitlines()[-1]


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    await upgrade(url)
    return url


async def test_serve_on_a_busy_port_names_the_port_and_the_setting(sqlite_url: str) -> None:
    port = free_port()
    env = command_env(EXITBOT_LOCAL_MODE="true", DATABASE_URL=sqlite_url, EXITBOT_PORT=str(port))
    with listening(port):
        code, _, err = await run_exitbot("serve", "--host", "127.0.0.1", env=env, cwd=REPO)
    assert code == 1
    assert last_line(err) == (
        f"exitbot: port {port} on 127.0.0.1 is already in use (another exitbot, or another "
        "program): stop it, or choose a free port with EXITBOT_PORT (serve: --port)"
    )


async def test_demo_on_a_busy_port_stops_before_starting_anything(tmp_path: Path) -> None:
    # The Playground is found (a stand-in that is never run) so the check on the port decides.
    playground = tmp_path / "node_modules" / ".bin" / "agentsplayground"
    playground.parent.mkdir(parents=True)
    playground.write_text("#!/bin/sh\nexit 1\n")
    port = free_port()
    database = tmp_path / "var" / "exitbot.sqlite3"
    env = command_env(EXITBOT_PORT=str(port), DATABASE_URL=f"sqlite+aiosqlite:///{database}")
    with listening(port):
        code, _, err = await run_exitbot("demo", env=env, cwd=tmp_path)
    assert code == 1
    assert last_line(err) == (
        f"exitbot: port {port} on 127.0.0.1 (the bot) is already in use, perhaps by an earlier "
        "`make run`: stop that program, or choose another with EXITBOT_PORT"
    )
    assert not database.exists(), "nothing is migrated before the port is known to be free"


async def test_a_log_level_that_does_not_exist_is_named_with_the_ones_that_do(
    sqlite_url: str,
) -> None:
    env = command_env(
        EXITBOT_LOCAL_MODE="true",
        DATABASE_URL=sqlite_url,
        EXITBOT_PORT=str(free_port()),
        EXITBOT_LOG_LEVEL="LOUD",
    )
    code, _, err = await run_exitbot("serve", env=env, cwd=REPO)
    assert code == 2
    assert last_line(err) == (
        "exitbot: EXITBOT_LOG_LEVEL: 'LOUD' is not a log level; use one of DEBUG, INFO, "
        "WARNING, ERROR, CRITICAL (INFO when unset)"
    )


@pytest.mark.postgres
async def test_a_login_without_the_services_grants_is_told_what_to_grant(
    postgres_server: PostgresServer,
) -> None:
    url = await postgres_server.create_database()
    await upgrade(url)
    admin = await asyncpg.connect(
        host="127.0.0.1", port=postgres_server.port, user=SUPERUSER, database="postgres"
    )
    try:
        await admin.execute("DROP ROLE IF EXISTS stranger; CREATE ROLE stranger LOGIN")
    finally:
        await admin.close()
    stranger = url.replace(f"://{SUPERUSER}@", "://stranger@", 1)
    assert stranger != url
    env = command_env(
        EXITBOT_LOCAL_MODE="true", DATABASE_URL=stranger, EXITBOT_PORT=str(free_port())
    )
    code, _, err = await run_exitbot("serve", env=env, cwd=REPO)
    assert code == 1
    line = last_line(err)
    assert line.startswith("exitbot: ")
    assert "stranger" in line and "permission denied" in line
    assert "`exitbot db grant" in line


def test_permission_denied_anywhere_else_names_the_fix_too() -> None:
    """Where storage.migrate does not word it (a table read after the start), cli.errors does."""

    class Refused(Exception):
        sqlstate = "42501"

    wrapped = RuntimeError("while delivering")
    wrapped.__cause__ = Refused("permission denied for table due_actions\nDETAIL: ...")
    failed = explained(wrapped)
    assert failed is not None
    assert str(failed) == (
        "the database refused this login: permission denied for table due_actions: an "
        "administrator grants it exitbot's owner role once with `exitbot db grant <login>` "
        "(docs/operations.md), or set DATABASE_URL to a login that has it"
    )


def test_sqlite_that_may_not_write_its_file_is_told_what_to_change(tmp_path: Path) -> None:
    # Tests run as root here, which may write any file: a read-only connection gives SQLite's
    # own error for a file the service's user may not write.
    path = tmp_path / "exitbot.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (a INTEGER)").connection.close()
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError) as refused:
            reader.execute("INSERT INTO t VALUES (1)")
    finally:
        reader.close()
    failed = explained(refused.value)
    assert failed is not None
    assert str(failed).startswith(
        "SQLite may not write the database file: attempt to write a readonly database: give"
    )
    assert "DATABASE_URL" in str(failed)


def test_a_bug_keeps_its_traceback() -> None:
    assert explained(KeyError("departure")) is None
