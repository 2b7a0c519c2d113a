"""Wiring: the one place that builds the service from its settings."""

from __future__ import annotations

import logging
from functools import partial

from aiohttp import web

from bot import resources
from bot.clock_route import PATH as TEST_CLOCK_PATH
from bot.clock_route import add_test_clock
from bot.health import add_health_routes
from bot.public_pages import add_public_pages
from bot.reload import config_reload
from bot.routes import add_routes
from bot.settings import Settings
from bot.telemetry import Telemetry, open_telemetry, telemetry_context
from bot.typedefs import CLOCK, CONFIG, SETTINGS, TELEMETRY
from config.holder import ConfigHolder
from config.loaded import LoadedConfig
from hr_api.routes import add_api_routes
from journey.clock import Clock, ShiftedClock, SystemClock
from outbox.connector import TokenProvider

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    *,
    config: LoadedConfig | None = None,
    clock: Clock | None = None,
    bot_tokens: TokenProvider | None = None,
    telemetry: Telemetry | None = None,
) -> web.Application:
    """The aiohttp application; its resources open on startup and close on cleanup."""
    # `config`: HR's configuration already read from settings.resolved_config_dir (`serve`
    # reads it once, to refuse to start on a mistake); None reads it here.
    # `clock` and `bot_tokens` replace the system clock and the Entra token source (tests, demos);
    # `telemetry` the one the settings ask for (tests: in-memory exporters).
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app[CLOCK] = clock or (_test_clock(app) if settings.test_clock else SystemClock())
    folder = settings.resolved_config_dir
    app[CONFIG] = ConfigHolder.load(folder) if config is None else ConfigHolder(folder, config)
    app[TELEMETRY] = telemetry or open_telemetry(settings)
    app.cleanup_ctx.extend(
        [
            resources.database,
            telemetry_context,  # flushed after the delivery worker's last sends
            resources.people,
            partial(resources.bot_http, tokens=bot_tokens),
            resources.services,
            resources.outbox_worker,
            resources.background_jobs,
            config_reload,
            resources.hr_api_http,
        ]
    )
    add_routes(app)
    add_health_routes(app)
    add_public_pages(app)
    add_api_routes(app, role=settings.api_role)
    return app


def _test_clock(app: web.Application) -> ShiftedClock:
    """A clock that POST /_test/clock moves on; settings allow it only in local mode."""
    log.warning("EXITBOT_TEST_CLOCK is on: POST %s moves the service's time", TEST_CLOCK_PATH)
    clock = ShiftedClock()
    add_test_clock(app, clock)
    return clock
