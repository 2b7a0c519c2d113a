"""`exitbot db grant`: the owner role of exitbot's schema, and a login allowed to use it.

Run once per database by an administrator (on Azure: the password administrator or the
server's Entra administrator, both members of azure_pg_admin, neither a superuser). Afterwards
whoever migrates does so as the owner role (storage/migrate.py), so every table belongs to it,
and the service's login, granted the role, reads, writes and migrates them. The login gets no
other right: it creates no role or database and reads nothing it was not granted.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database
from storage.migrate import ROLE_NAME, permission_state

DEFAULT_OWNER_ROLE = "exitbot_owner"

# Relations in the public schema the administrator owns: tables, views and sequences no
# column owns (a column's sequence follows its table). exitbot's database holds only its own.
_OWNED_HERE = text(
    """
    SELECT c.relkind::text, c.relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user
      AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND NOT (c.relkind = 'S' AND EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
      ))
    ORDER BY c.relname
    """
)
_KIND = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}


class GrantRefused(ValueError):
    """The grant cannot be made as asked; the message says why and what to do instead."""


def _quoted(role: str, what: str) -> str:
    if not ROLE_NAME.fullmatch(role):
        raise GrantRefused(f"{what}: {role!r} is not a role name")
    return f'"{role}"'


async def _role_exists(connection: AsyncConnection, role: str) -> bool:
    found = await connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    return found.first() is not None


async def grant_login(db: Database, login: str, owner_role: str = DEFAULT_OWNER_ROLE) -> list[str]:
    """Create `owner_role` if missing, give it exitbot's objects, grant it to `login`; the
    statements run, in order (nothing when all was done before but the grants, which repeat)."""
    try:
        return await _grant(db, login, owner_role)
    except DBAPIError as exc:
        if permission_state(exc) is None:
            raise
        said = str(exc.orig or exc).strip().splitlines()[0].split(": ", 1)[-1]
        raise GrantRefused(
            f'the login "{db.url.username}" may not grant the schema ({said}): run it as the '
            "server's administrator (a member of azure_pg_admin on Azure) or the database owner"
        ) from None


async def _grant(db: Database, login: str, owner_role: str) -> list[str]:
    if db.dialect != "postgresql":
        raise GrantRefused("roles are a PostgreSQL matter: SQLite has one user, the file's owner")
    owner, grantee = _quoted(owner_role, "owner role"), _quoted(login, "login")
    done: list[str] = []
    async with db.engine.begin() as connection:
        if not await _role_exists(connection, login):
            raise GrantRefused(
                f"no login {login!r} on this server: create it first (on Azure, as the Entra "
                f"administrator in the postgres database: select * from "
                f"pgaadauth_create_principal('{login}', false, false);)"
            )

        async def run(statement: str) -> None:
            await connection.exec_driver_sql(statement)
            done.append(statement)

        if not await _role_exists(connection, owner_role):
            await run(f"CREATE ROLE {owner} NOLOGIN")
        # The administrator becomes a member too, to hand its tables over and to migrate as it.
        await run(f"GRANT {owner} TO CURRENT_USER")
        await run(f"GRANT USAGE, CREATE ON SCHEMA public TO {owner}")
        for kind, name in (await connection.execute(_OWNED_HERE)).all():
            await run(f'ALTER {_KIND[kind]} public."{name}" OWNER TO {owner}')
        await run(f"GRANT {owner} TO {grantee}")
    return done
