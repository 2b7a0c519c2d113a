"""Wiring: the one place that builds the service from its settings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.adapter import ExitbotAdapter
from bot.auth import ChannelTokenValidator
from bot.connector import ConnectorClient, NoToken, TokenProvider
from bot.credentials import bot_token_provider
from bot.handler import ExitBot, make_turn_error_handler
from bot.people import people_services
from bot.routes import add_routes
from bot.settings import Settings
from bot.typedefs import ADAPTER, BOT, CONFIG, DATABASE, PEOPLE, SETTINGS
from config.holder import ConfigHolder
from dialogs.routes import build_router
from dialogs.turn import Services
from journey.clock import Clock, SystemClock
from storage.database import Database
from storage.migrate import check_schema
from storage.repositories import (
    SeenActivities,
    SqlAuditLog,
    SqlConversationRefStore,
    SqlDepartureRepository,
)

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    bot_tokens: TokenProvider | None = None,
) -> web.Application:
    """The aiohttp application; resources open on startup and close on cleanup.

    `clock` and `bot_tokens` replace the system clock and the Entra token source (tests, demos).
    """
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app[CONFIG] = ConfigHolder.load(settings.resolved_config_dir)

    async def database(app: web.Application) -> AsyncIterator[None]:
        db = await Database.open(settings.database_url)
        try:
            await check_schema(db)
            app[DATABASE] = db
            yield
        finally:
            await db.close()

    async def people(app: web.Application) -> AsyncIterator[None]:
        async with people_services(settings, clock or SystemClock()) as services:
            app[PEOPLE] = services
            yield

    async def bot(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            if settings.auth_enabled:
                validator = ChannelTokenValidator(
                    session,
                    app_id=settings.app_id,
                    metadata_url=settings.openid_metadata_url,
                    issuer=settings.token_issuer,
                )
                tokens: TokenProvider = bot_tokens or bot_token_provider(settings)
            else:
                log.warning(
                    "EXITBOT_LOCAL_MODE is on: incoming activities are NOT authenticated. "
                    "Never run a deployment like this."
                )
                validator, tokens = None, NoToken()
            db = app[DATABASE]
            services = Services(
                config=lambda: app[CONFIG].current,
                departures=SqlDepartureRepository(db),
                conversations=SqlConversationRefStore(db),
                audit=SqlAuditLog(db),
                clock=clock or SystemClock(),
                people=app[PEOPLE],
            )
            connector = ConnectorClient(session, tokens)
            seen = SeenActivities(db)
            app[ADAPTER] = ExitbotAdapter(
                connector,
                validator=validator,
                tenant_id=settings.app_tenant_id,
                first_time=seen.first_time,
                on_turn_error=make_turn_error_handler(services),
            )
            app[BOT] = ExitBot(services, build_router(), connector)
            try:
                yield
            finally:
                await tokens.close()

    app.cleanup_ctx.append(database)
    app.cleanup_ctx.append(people)
    app.cleanup_ctx.append(bot)
    add_routes(app)
    return app
