"""The one start-up every command shares: settings, HR's configuration, the database.

What cannot start raises `CommandFailed`, which `cli.main` prints, so no command prints its own
start-up failures or closes the database on each of its paths.
"""

from __future__ import annotations

import getpass
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.settings import PeopleSettings, S, SettingsError, load_settings
from cli.errors import EXIT_USAGE, CommandFailed
from config.loaded import LoadedConfig
from config.loader import ConfigError, load_config
from journey.clock import Clock, SystemClock
from storage.database import Database, DatabaseUnavailable
from storage.migrate import SchemaOutOfDate, check_schema

# What EXITBOT_LOG_LEVEL may say (any case), most verbose first.
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def operator(door: str) -> str:
    """How the audit log names whoever runs a command through `door` (cli, csv)."""
    try:
        return f"{door}:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in some containers
        return door


def command_settings(kind: type[S], **overrides: object) -> S:
    """The settings of `kind`; a missing or wrong variable stops the command with exit 2."""
    try:
        settings = load_settings(kind, **overrides)
    except SettingsError as exc:
        raise CommandFailed(str(exc), EXIT_USAGE) from None
    level = getattr(settings, "log_level", None)
    if isinstance(level, str) and level.upper() not in LOG_LEVELS:
        raise CommandFailed(
            f"EXITBOT_LOG_LEVEL: {level!r} is not a log level; use one of "
            f"{', '.join(LOG_LEVELS)} (INFO when unset)",
            EXIT_USAGE,
        )
    return settings


def command_config(settings: PeopleSettings, unusable: int) -> LoadedConfig:
    """HR's configuration; every problem on one line, exit `unusable`."""
    try:
        return load_config(settings.resolved_config_dir)
    except ConfigError as exc:
        raise CommandFailed("; ".join(str(p) for p in exc.problems), unusable) from None


@asynccontextmanager
async def command_database(url: str, unusable: int) -> AsyncIterator[Database]:
    """The database at `url`, checked to be at the current schema; closed after the block."""
    try:
        db = await Database.open(url)
    except DatabaseUnavailable as exc:
        raise CommandFailed(str(exc), unusable) from None
    try:
        try:
            await check_schema(db)
        except SchemaOutOfDate as exc:
            raise CommandFailed(str(exc), unusable) from None
        yield db
    finally:
        await db.close()


@dataclass(frozen=True)
class Started:
    """What a command works with once the start-up went well."""

    settings: PeopleSettings
    db: Database
    clock: Clock
    loaded: LoadedConfig | None

    @property
    def config(self) -> LoadedConfig:
        """HR's configuration; only for a command started `with_config`."""
        if self.loaded is None:
            raise RuntimeError("this command was started without HR's configuration")
        return self.loaded


@asynccontextmanager
async def started(*, with_config: bool, unusable: int) -> AsyncIterator[Started]:
    """Settings, then HR's configuration (if asked for), then the database at its schema.

    `unusable` is the exit code of the command's own convention for "could not run".
    """
    settings = command_settings(PeopleSettings)
    config = command_config(settings, unusable) if with_config else None
    async with command_database(settings.database_url, unusable) as db:
        yield Started(settings, db, SystemClock(), config)
