"""`exitbot serve` and `exitbot check-config`: the service, and HR's YAML it refuses to start on."""

from __future__ import annotations

import ctypes
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cli.errors import EXIT_INVALID, EXIT_OK, CommandFailed

# glibc's mallopt parameter for the arena limit (malloc.h).
M_ARENA_MAX = -8
MALLOC_ARENAS = 2

if TYPE_CHECKING:
    from aiohttp import web

    from config.loaded import LoadedConfig


def _validated(directory: Path | None) -> LoadedConfig:
    """HR's YAML, read and checked once; every mistake as file:line:col on stderr."""
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
    print(config.summary(), flush=True)
    return config


def check_config(directory: Path | None) -> int:
    """Validate HR's YAML: every mistake as file:line:col, or a one-line summary."""
    _validated(directory)
    return EXIT_OK


def serve(host: str | None, port: int | None) -> int:
    """Start the service; refuse to on bad settings, bad config or an unreachable database.

    The configuration is read once, here, and handed to the app. The database is opened and
    its schema checked by the app's own resources, before the port is listened on.
    """
    collector_off_while_starting()
    from aiohttp import web

    from bot.app import create_app
    from bot.log_format import configure_logging
    from bot.settings import Settings, SettingsError
    from cli.startup import command_settings
    from storage.database import DatabaseUnavailable
    from storage.migrate import SchemaOutOfDate

    fewer_malloc_arenas()
    overrides = {k: v for k, v in {"EXITBOT_HOST": host, "EXITBOT_PORT": port}.items() if v}
    settings = command_settings(Settings, **overrides)
    configure_logging(settings.log_level, settings.log_format)
    try:
        config = _validated(settings.config_dir)
    except CommandFailed as exc:
        print(f"exitbot: {exc}", file=sys.stderr)
        raise CommandFailed("refusing to start on an invalid configuration", exc.code) from None
    app = create_app(settings, config=config)
    # After the resources opened (cleanup_ctx runs first), before the port is listened on.
    app.on_startup.extend([collector_settled, _announce])
    try:
        web.run_app(app, host=settings.host, port=settings.port, print=None)
    except (SettingsError, DatabaseUnavailable, SchemaOutOfDate) as exc:
        # Raised while the app's resources open (an unreachable database, a schema not
        # upgraded, Graph without TEAMS_APP_CATALOG_ID): one line that names what to fix.
        raise CommandFailed(str(exc), EXIT_INVALID) from None
    return EXIT_OK


def fewer_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """At most `arenas` glibc malloc arenas in this process (as MALLOC_ARENA_MAX would).

    glibc gives threads that meet on its lock arenas of their own, up to eight per core, and
    what is freed in one stays resident for it: aiosqlite runs every SQLite connection on its
    own thread. bench.flow (20 leavers through the cards, then 1,000 mixed turns) read 156.5 MB
    resident with glibc's default and 147.5 MB with 2. The GIL lets one thread run Python at a
    time, so they seldom contend for malloc anyway. Elsewhere (musl, macOS): nothing.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_ARENA_MAX, arenas)


def collector_off_while_starting() -> None:
    """No cyclic garbage collection while the service starts (see collector_settled).

    Importing the service and reading HR's YAML make some 150,000 objects that live as long as
    the process and a few thousand that are garbage: the collector went through them all about
    400 times, ~0.18 s of the start's ~1.1 s CPU (bench.startup, CPU to ready, gc on and off).
    The garbage is frozen with the rest: ~2 MB resident, once.
    """
    gc.disable()


async def collector_settled(_app: web.Application | None = None) -> None:
    """The collector back on, with what the start made frozen out of its sight (gc.freeze):
    collections during turns go through what turns make, not every module and table again."""
    gc.freeze()
    gc.enable()


async def _announce(app: web.Application) -> None:
    from bot.typedefs import SETTINGS

    settings = app[SETTINGS]
    print(f"exitbot listening on http://{settings.host}:{settings.port}/api/messages", flush=True)
