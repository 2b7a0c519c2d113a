"""The database with Azure's role layout: a password administrator and the bot's identity, both
non-superuser logins (the administrator a member of azure_pg_admin, with CREATEROLE and
CREATEDB, as Azure Database for PostgreSQL makes it), on the tests' own PostgreSQL.

Before issue 15 the administrator migrated (infra/deploy.sh) and so owned every table, and the
identity's `exitbot serve` ended in a traceback: permission denied for table alembic_version.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import pytest

from storage.database import Database
from storage.grants import grant_login
from storage.migrate import current_revision, head_revision, upgrade
from testkit.pg_server import SUPERUSER, PostgresServer
from tests.cli.helpers import REPO, command_env, free_port, run_exitbot, serving

pytestmark = pytest.mark.postgres

PASSWORD = "admin-pw-1"
DEMO_PEOPLE = REPO / "config" / "demo" / "people.yaml"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class AzureLayout:
    """One database on the shared server, with its administrator, identity and owner role."""

    server: PostgresServer
    database: str
    admin: str
    identity: str
    owner: str

    def url(self, login: str) -> str:
        password = f":{PASSWORD}" if login == self.admin else ""
        return (
            f"postgresql+asyncpg://{login}{password}@127.0.0.1:{self.server.port}/{self.database}"
        )

    async def connect(self, login: str) -> asyncpg.Connection:
        return await asyncpg.connect(
            host="127.0.0.1",
            port=self.server.port,
            user=login,
            password=PASSWORD if login == self.admin else None,
            database=self.database,
            timeout=10,
        )


async def _layout(server: PostgresServer, *, identity_is_entra_admin: bool) -> AzureLayout:
    number = next(_numbers)
    layout = AzureLayout(
        server, f"exitbot_{number}", f"pgadmin_{number}", f"exitbot-{number}-id", f"owner_{number}"
    )
    await server.add_password_role(layout.admin, PASSWORD)
    platform = await asyncpg.connect(
        host="127.0.0.1", port=server.port, user=SUPERUSER, database="postgres", timeout=10
    )
    try:
        if not await platform.fetchval("SELECT 1 FROM pg_roles WHERE rolname = 'azure_pg_admin'"):
            await platform.execute("CREATE ROLE azure_pg_admin NOLOGIN")
        await platform.execute(f"ALTER ROLE {layout.admin} CREATEROLE CREATEDB")
        await platform.execute(f"GRANT azure_pg_admin TO {layout.admin}")
        # Today the identity is the server's Entra administrator (the same rights); with issue
        # 15 it is a plain principal: pgaadauth_create_principal(name, false, false).
        rights = "CREATEROLE CREATEDB IN ROLE azure_pg_admin" if identity_is_entra_admin else ""
        await platform.execute(f'CREATE ROLE "{layout.identity}" LOGIN {rights}')
        # Azure's databases belong to azure_pg_admin, not to a superuser.
        await platform.execute(f"CREATE DATABASE {layout.database} OWNER azure_pg_admin")
    finally:
        await platform.close()
    return layout


def _env(url: str, **values: str) -> dict[str, str]:
    env = command_env(DATABASE_URL=url, **values)
    for name in ("DATABASE_OWNER_ROLE", "DATABASE_AUTH"):
        env.pop(name, None)
    env.update(values)
    return env


def _serve_env(layout: AzureLayout, **values: str) -> dict[str, str]:
    return _env(
        layout.url(layout.identity),
        EXITBOT_LOCAL_MODE="true",
        EXITBOT_PORT=str(free_port()),
        **values,
    )


async def _grant(layout: AzureLayout) -> list[str]:
    """`exitbot db grant <identity>` as the administrator, in this process."""
    async with await Database.open(layout.url(layout.admin)) as db:
        return await grant_login(db, layout.identity, layout.owner)


async def _exitbot(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    return await run_exitbot(*args, env=env, cwd=REPO)


async def test_today_the_identity_cannot_read_what_the_administrator_migrated_and_is_told_how(
    postgres_server: PostgresServer,
) -> None:
    layout = await _layout(postgres_server, identity_is_entra_admin=True)
    code, _, err = await _exitbot("db", "upgrade", env=_env(layout.url(layout.admin)))
    assert code == 0, err

    code, _, err = await _exitbot("serve", env=_serve_env(layout))

    assert code == 1
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith("exitbot:")]
    assert f'login "{layout.identity}"' in line
    assert "permission denied for table alembic_version" in line
    assert f"exitbot db grant {layout.identity}" in line
    assert PASSWORD not in err

    # The fix on a database migrated that way: the administrator's grant hands the tables over.
    code, out, err = await _exitbot(
        "db",
        "grant",
        layout.identity,
        env=_env(layout.url(layout.admin), DATABASE_OWNER_ROLE=layout.owner),
    )
    assert code == 0, err
    assert f'ALTER TABLE public."alembic_version" OWNER TO "{layout.owner}"' in out
    async with serving(_serve_env(layout)) as health:
        assert health["status"] == "ok"


async def test_the_identity_serves_migrates_later_and_writes_a_departure(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    layout = await _layout(postgres_server, identity_is_entra_admin=False)
    admin_env = _env(layout.url(layout.admin), DATABASE_OWNER_ROLE=layout.owner)
    code, out, err = await _exitbot("db", "grant", layout.identity, env=admin_env)
    assert code == 0, err
    assert f'CREATE ROLE "{layout.owner}" NOLOGIN' in out
    # The administrator migrates as the owner role, to the revision before the newest ...
    await upgrade(layout.url(layout.admin), "0010", owner_role=layout.owner)

    # ... and the identity's own start brings it to the newest, as the same owner.
    started = _serve_env(layout, EXITBOT_MIGRATE_ON_START="true", DATABASE_OWNER_ROLE=layout.owner)
    async with serving(started) as health:
        assert health["status"] == "ok"
        csv = tmp_path / "departures.csv"
        last_day = (date.today() + timedelta(days=40)).isoformat()
        csv.write_text(
            "external_id,leaver,manager,unit,last_working_day,locale,interviewer_pool\n"
            f"HR-1,leaver@contoso.example,,social-care,{last_day},,\n"
        )
        imported = _env(
            layout.url(layout.identity),
            EXITBOT_DIRECTORY="local",
            EXITBOT_PEOPLE_FILE=str(DEMO_PEOPLE),
        )
        code, _, err = await _exitbot("departures", "import", str(csv), env=imported)
        assert code == 0, err

    admin = await layout.connect(layout.admin)
    try:
        assert await admin.fetchval("SELECT count(*) FROM departures") == 1
        owners = await admin.fetch(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        )
        assert [row["tableowner"] for row in owners] == [layout.owner]
    finally:
        await admin.close()
    assert await current_revision(layout.url(layout.identity)) == head_revision()
    # A later upgrade by the administrator still works, without naming the owner role.
    code, out, err = await _exitbot("db", "upgrade", env=_env(layout.url(layout.admin)))
    assert code == 0, err
    assert f"is at revision {head_revision()}" in out


async def test_the_identity_may_not_create_roles_or_databases_or_read_what_it_was_not_given(
    postgres_server: PostgresServer,
) -> None:
    layout = await _layout(postgres_server, identity_is_entra_admin=False)
    await _grant(layout)
    admin = await layout.connect(layout.admin)
    try:
        await admin.execute("CREATE SCHEMA payroll CREATE TABLE salaries (amount int)")
    finally:
        await admin.close()

    identity = await layout.connect(layout.identity)
    try:
        for statement in (
            "CREATE ROLE intruder LOGIN",
            f"CREATE DATABASE {layout.database}_copy",
            "SELECT * FROM payroll.salaries",
            "SET ROLE azure_pg_admin",
            f'ALTER ROLE "{layout.identity}" CREATEROLE',
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await identity.execute(statement)
    finally:
        await identity.close()


async def test_a_login_not_granted_the_schema_is_refused_in_one_line_when_it_migrates(
    postgres_server: PostgresServer,
) -> None:
    layout = await _layout(postgres_server, identity_is_entra_admin=False)

    code, _, err = await _exitbot("db", "upgrade", env=_env(layout.url(layout.identity)))

    assert code == 1
    assert "Traceback" not in err
    (line,) = err.splitlines()
    assert f'login "{layout.identity}" may not change exitbot\'s schema' in line
    assert "permission denied for schema public" in line
    assert "exitbot db grant" in line


async def test_instances_starting_together_migrate_once(postgres_server: PostgresServer) -> None:
    layout = await _layout(postgres_server, identity_is_entra_admin=False)
    await _grant(layout)
    url = layout.url(layout.identity)
    await asyncio.gather(*(upgrade(url, owner_role=layout.owner) for _ in range(3)))
    assert await current_revision(url) == head_revision()


async def test_grant_on_sqlite_is_refused_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    code, _, err = await _exitbot("db", "grant", "someone", env=_env(url))
    assert code == 2
    assert err.strip() == (
        "exitbot: roles are a PostgreSQL matter: SQLite has one user, the file's owner"
    )
