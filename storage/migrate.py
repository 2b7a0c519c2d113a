"""Schema migrations run from code: no alembic.ini needed in the working directory.

Checking the schema (every start of the service and of a command) needs neither Alembic nor
its templates: the revision the code needs is read from the migration files' text, the one the
database is at from `alembic_version` with a plain query. Alembic is imported only to upgrade,
or to explain a database that is not at the code's revision.

On PostgreSQL the schema's objects belong to an owner role (DATABASE_OWNER_ROLE, created by
`exitbot db grant`) whoever migrates: an upgrade runs `SET LOCAL ROLE` to it (or, unset, to the
owner of alembic_version when the login is a member of it), so the tables an administrator
created stay usable by the service's own login, which is granted the same role, and either can
migrate later. An advisory lock lets one of several starting instances migrate.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database, DatabaseUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
UPGRADE_HINT = "run `exitbot db upgrade`"
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps
GRANT_HINT = "docs/operations.md, 'The database and the identity'"
# pg_advisory_xact_lock's key for "one migration at a time" (the bytes of "exitbot").
MIGRATION_LOCK = 0x65786974626F74
# PostgreSQL's SQLSTATEs for "not allowed" (also SET ROLE without membership) and for a role
# that does not exist (SET ROLE to one).
PERMISSION_STATES = {"42501": "permission denied", "22023": "no such role"}
ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,62}$")

# `revision: str = "0009"` and `down_revision: str | None = "0008"` (or a tuple of them, or
# None) at the start of a line of a migration file, as Alembic writes them.
_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


class SchemaOutOfDate(RuntimeError):
    """The database schema is not the one this code was written for."""


class DatabasePermissionDenied(DatabaseUnavailable):
    """The login may not use (or change) exitbot's tables; the message says who fixes it, how."""


def permission_state(exc: BaseException) -> str | None:
    """PERMISSION_STATES' key when `exc` is PostgreSQL refusing a login something, else None."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    cause = getattr(orig, "__cause__", None)
    state = getattr(orig, "sqlstate", None) or getattr(cause, "sqlstate", None)
    return state if state in PERMISSION_STATES else None


def _refusal(exc: DBAPIError, db: Database, wanted: str, fix: str) -> DatabasePermissionDenied:
    """One line: which login may not do what, PostgreSQL's own words, and the fix."""
    lines = str(exc.orig or exc).strip().splitlines()
    said = lines[0].split(": ", 1)[-1] if lines else PERMISSION_STATES["42501"]
    login = db.url.username or "(this login)"
    return DatabasePermissionDenied(
        f'the database login "{login}" may not {wanted} at {db.redacted_url} ({said}): {fix}'
    )


def _owner_role_sql(owner_role: str) -> str:
    if not ROLE_NAME.fullmatch(owner_role):
        raise ValueError(f"DATABASE_OWNER_ROLE: {owner_role!r} is not a role name")
    return f'SET LOCAL ROLE "{owner_role}"'


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


async def upgrade(url: str | URL, revision: str = "head", *, owner_role: str = "") -> None:
    """Bring the database at `url` to `revision` (default: the newest); DatabaseUnavailable."""
    async with await Database.open(url) as db:
        await upgrade_database(db, revision, owner_role=owner_role)


async def upgrade_database(db: Database, revision: str = "head", *, owner_role: str = "") -> None:
    """Migrate an open database, as `owner_role` when given (PostgreSQL), one at a time."""
    try:
        async with db.engine.begin() as connection:
            if db.dialect == "sqlite":
                # The sqlite3 module runs DDL outside any transaction; an explicit BEGIN makes
                # the upgrade all-or-nothing, and IMMEDIATE keeps a running service from writing.
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                # Instances starting together: the first migrates, the others wait, find the
                # schema current and migrate nothing.
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
                role = owner_role or await _schema_owner(connection)
                if role:
                    await connection.exec_driver_sql(_owner_role_sql(role))
            await connection.run_sync(_upgrade, revision)
    except DBAPIError as exc:
        if permission_state(exc) is None:
            raise
        owner = owner_role or "the owner role"
        fix = (
            f"migrate as a login that is granted {owner} (DATABASE_OWNER_ROLE), which an "
            f"administrator gives it once with `exitbot db grant <login>` ({GRANT_HINT})"
        )
        raise _refusal(exc, db, "change exitbot's schema", fix) from None


async def _schema_owner(connection: AsyncConnection) -> str:
    """The role owning alembic_version when it is not this login but this login may act as it
    (the administrator or the identity after `exitbot db grant`), else ''."""
    owner = await connection.execute(
        text(
            "SELECT o.rolname FROM pg_class c JOIN pg_roles o ON o.oid = c.relowner "
            f"WHERE c.oid = to_regclass('{VERSION_TABLE}') AND o.rolname <> current_user "
            "AND pg_has_role(current_user, o.oid, 'MEMBER')"
        )
    )
    return owner.scalar() or ""


async def prepare_schema(db: Database, *, migrate: bool, owner_role: str = "") -> None:
    """At the service's start: migrate first when asked to, then check the schema."""
    if migrate:
        await upgrade_database(db, owner_role=owner_role)
    await check_schema(db)


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
    try:
        async with db.engine.connect() as connection:
            return await connection.run_sync(_stored_revision)
    except DBAPIError as exc:
        if permission_state(exc) is None:
            raise
        fix = (
            "an administrator grants this login the owner role once, "
            f"`exitbot db grant {db.url.username or '<login>'}` ({GRANT_HINT})"
        )
        raise _refusal(exc, db, "read exitbot's tables", fix) from None


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
