"""`exitbot db upgrade`: the database at DATABASE_URL brought to the current schema."""

from __future__ import annotations

import asyncio

from bot.settings import DatabaseSettings
from cli.errors import EXIT_INVALID, EXIT_OK, CommandFailed
from cli.startup import command_settings
from storage.database import DatabaseUnavailable, redact_url
from storage.migrate import current_revision, upgrade


async def _upgrade(database_url: str) -> str:
    try:
        await upgrade(database_url)
        return await current_revision(database_url)
    except DatabaseUnavailable as exc:
        raise CommandFailed(str(exc), EXIT_INVALID) from None


def upgrade_command() -> int:
    """Run the migrations that are missing; say which revision the database is at."""
    settings = command_settings(DatabaseSettings)
    revision = asyncio.run(_upgrade(settings.database_url))
    print(f"database at {redact_url(settings.database_url)} is at revision {revision}")
    return EXIT_OK
