"""`exitbot db upgrade` and `exitbot db grant`: the schema at DATABASE_URL, and who may use it."""

from __future__ import annotations

import asyncio

from bot.settings import DatabaseSettings
from cli.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE, CommandFailed
from cli.startup import command_settings
from storage.database import Database, DatabaseUnavailable, redact_url
from storage.migrate import current_revision, upgrade


async def _upgrade(database_url: str, owner_role: str) -> str:
    try:
        await upgrade(database_url, owner_role=owner_role)
        return await current_revision(database_url)
    except DatabaseUnavailable as exc:  # also a login refused the owner role or the schema
        raise CommandFailed(str(exc), EXIT_INVALID) from None


def upgrade_command() -> int:
    """Run the migrations that are missing (as DATABASE_OWNER_ROLE); say the revision."""
    settings = command_settings(DatabaseSettings)
    revision = asyncio.run(_upgrade(settings.database_url, settings.database_owner_role))
    print(f"database at {redact_url(settings.database_url)} is at revision {revision}")
    return EXIT_OK


async def _grant(database_url: str, login: str, owner_role: str) -> list[str]:
    from storage.grants import GrantRefused, grant_login

    try:
        async with await Database.open(database_url) as db:
            return await grant_login(db, login, owner_role)
    except GrantRefused as exc:
        raise CommandFailed(str(exc), EXIT_USAGE) from None
    except DatabaseUnavailable as exc:
        raise CommandFailed(str(exc), EXIT_INVALID) from None


def grant_command(login: str | None) -> int:
    """As an administrator: the owner role (DATABASE_OWNER_ROLE) owns exitbot's tables and
    `login` (the service's identity) is granted it; prints each statement run."""
    if not login:
        raise CommandFailed("db grant needs the login to grant, e.g. exitbot-prod-id", EXIT_USAGE)
    settings = command_settings(DatabaseSettings)
    from storage.grants import DEFAULT_OWNER_ROLE

    owner_role = settings.database_owner_role or DEFAULT_OWNER_ROLE
    for statement in asyncio.run(_grant(settings.database_url, login, owner_role)):
        print(statement)
    print(f"{login} may use exitbot's schema as {owner_role}; migrate with DATABASE_OWNER_ROLE")
    return EXIT_OK
