"""Schema migrations run from code: no alembic.ini needed in the working directory.

Checking the schema (every start of the service and of a command) needs neither Alembic nor
its templates: the revision the code needs is read from the migration files' text, the one the
database is at from `alembic_version` with a plain query. Alembic is imported only to upgrade,
or to explain a database that is not at the code's revision.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import URL, Connection

from storage.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
UPGRADE_HINT = "run `exitbot db upgrade`"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps

# `revision: str = "0009"` and `down_revision: str | None = "0008"` (or a tuple of them, or
# None) at the start of a line of a migration file, as Alembic writes them.
_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


class SchemaOutOfDate(RuntimeError):
    """The database schema is not the one this code was written for."""


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic Config pointing at storage/migrations (for the alembic API or a shell)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Without it Alembic warns that it splits paths the legacy way.
    config.set_main_option("path_separator", "os")
    if url is not None:
        rendered = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        # ConfigParser treats % as interpolation; a password may contain one.
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def _scanned_heads() -> set[str]:
    """The revisions no migration file revises, read from the files' text (nothing imported)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN_REVISION.search(source)
        if down is not None:
            revised.update(_QUOTED.findall(down.group(1)))
    return revisions - revised


def head_revision() -> str:
    """The revision the code needs (the newest migration)."""
    heads = _scanned_heads()
    if len(heads) == 1:
        return heads.pop()
    # Several heads, or a file the scan cannot read: Alembic decides (and says what is wrong).
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # only if someone deleted every migration
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

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


def _stored_revision(connection: Connection) -> str | None:
    """What Alembic's MigrationContext.get_current_revision answers, with one plain query."""
    if not connection.dialect.has_table(connection, VERSION_TABLE):
        return None
    stored = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(stored) > 1:  # branches Alembic would refuse to name one revision of
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()
    return stored[0] if stored else None


async def _current(db: Database) -> str | None:
    async with db.engine.connect() as connection:
        return await connection.run_sync(_stored_revision)


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
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

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
