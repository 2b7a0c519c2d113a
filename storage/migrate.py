"""Schema migrations run from code: no alembic.ini needed in the working directory."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import URL, Connection

from storage.database import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
UPGRADE_HINT = "run `exitbot db upgrade`"


class SchemaOutOfDate(RuntimeError):
    """The database schema is not the one this code was written for."""


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic Config pointing at storage/migrations (for the alembic API or a shell)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Without it Alembic warns that it splits paths the legacy way.
    config.set_main_option("path_separator", "os")
    if url is not None:
        rendered = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        # ConfigParser treats % as interpolation; a password may contain one.
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The revision the code needs (the newest migration)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # only if someone deleted every migration
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def _revision_of(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade(url: str | URL, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (default: the newest); DatabaseUnavailable."""
    async with await Database.open(url) as db, db.engine.begin() as connection:
        if db.dialect == "sqlite":
            # The sqlite3 module runs DDL outside any transaction; an explicit BEGIN makes the
            # upgrade all-or-nothing, and IMMEDIATE keeps a running service from writing meanwhile.
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        await connection.run_sync(_upgrade, revision)


async def current_revision(url: str | URL) -> str | None:
    """The revision the database at `url` is at; None when it has no exitbot schema yet."""
    async with await Database.open(url) as db:
        return await _current(db)


async def _current(db: Database) -> str | None:
    async with db.engine.connect() as connection:
        return await connection.run_sync(_revision_of)


async def check_schema(db: Database) -> None:
    """Raise SchemaOutOfDate unless the database is at exactly the revision the code needs."""
    current = await _current(db)
    head = head_revision()
    if current == head:
        return
    where = f"the database at {db.redacted_url}"
    if current is None:
        raise SchemaOutOfDate(
            f"{where} has no exitbot schema yet, the code needs {head}: {UPGRADE_HINT}"
        )
    known = ScriptDirectory.from_config(alembic_config())
    try:
        known.get_revision(current)
    except CommandError:
        raise SchemaOutOfDate(
            f"{where} is at revision {current}, which this version of exitbot does not know "
            f"(it needs {head}): was it upgraded by a newer version?"
        ) from None
    raise SchemaOutOfDate(
        f"{where} is at revision {current}, the code needs {head}: {UPGRADE_HINT}"
    )
