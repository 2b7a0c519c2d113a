"""`exitbot serve` and `exitbot check-config`: the service, and HR's YAML it refuses to start on."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

from cli.errors import EXIT_INVALID, EXIT_OK, CommandFailed
from cli.startup import command_database, command_settings


def check_config(directory: Path | None) -> int:
    """Validate HR's YAML: every mistake as file:line:col, or a one-line summary."""
    from config.loader import ConfigError, default_config_dir, load_config

    target = directory or default_config_dir()
    if not target.is_dir():
        raise CommandFailed(f"{target}: no such configuration directory", EXIT_INVALID)
    try:
        config = load_config(target)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise CommandFailed(f"{len(exc.problems)} problem(s) in {target}", EXIT_INVALID) from None
    print(config.summary())
    return EXIT_OK


async def _preflight(database_url: str) -> None:
    """Reach the database and check its schema before listening."""
    async with command_database(database_url, EXIT_INVALID):
        pass


def serve(host: str | None, port: int | None) -> int:
    """Start the service; refuse to on bad settings, bad config or an unreachable database."""
    from aiohttp import web

    from bot.app import create_app
    from bot.settings import Settings, SettingsError
    from config.loader import ConfigError
    from storage.database import DatabaseUnavailable
    from storage.migrate import SchemaOutOfDate

    overrides = {k: v for k, v in {"EXITBOT_HOST": host, "EXITBOT_PORT": port}.items() if v}
    settings = command_settings(Settings, **overrides)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        check_config(settings.config_dir)
    except CommandFailed as exc:
        print(f"exitbot: {exc}", file=sys.stderr)
        raise CommandFailed("refusing to start on an invalid configuration", exc.code) from None
    asyncio.run(_preflight(settings.database_url))
    try:
        app = create_app(settings)
    except ConfigError as exc:  # the files changed between the check and now
        raise CommandFailed("; ".join(str(p) for p in exc.problems), EXIT_INVALID) from None
    print(f"exitbot listening on http://{settings.host}:{settings.port}/api/messages", flush=True)
    try:
        web.run_app(app, host=settings.host, port=settings.port, print=None)
    except (SettingsError, DatabaseUnavailable, SchemaOutOfDate) as exc:
        # Raised while the app's resources open (e.g. Graph without TEAMS_APP_CATALOG_ID):
        # one line that names what to fix, not a traceback.
        raise CommandFailed(str(exc), EXIT_INVALID) from None
    return EXIT_OK
