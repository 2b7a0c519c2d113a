"""The app's resources, each opened on startup and closed on cleanup by one cleanup context.

create_app lists them in order; each one reads what the ones before it put on the app.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta

import aiohttp
from aiohttp import web

from bot.adapter import ExitbotAdapter
from bot.auth import ChannelTokenValidator
from bot.credentials import bot_token_provider, database_tokens
from bot.handler import ExitBot, TurnErrorHandler
from bot.people import open_people
from bot.services import Resources, build_services
from bot.settings import Settings
from bot.typedefs import (
    ADAPTER,
    API_AUTH,
    BOT,
    BOT_HTTP,
    BOT_TOKENS,
    CLOCK,
    CONFIG,
    DATABASE,
    FLOW,
    LEAVE_DATES,
    OUTBOX,
    PEOPLE,
    REGISTRATION,
    SETTINGS,
    TELEMETRY,
)
from dialogs.routes import build_router
from dialogs.turn import wired
from hr_api.auth import api_authenticator
from jobs.closing import closing_job
from jobs.departure_events import departure_event_worker
from jobs.leave_dates import leave_date_job
from jobs.retention import retention_job
from jobs.seen_activities import prune_seen_activities
from outbox.connector import NoToken, TokenProvider
from storage.database import Database
from storage.departure_events import StoredDepartureEvents
from storage.migrate import prepare_schema
from storage.repositories import SqlDepartureRepository
from storage.turns import TurnStart

log = logging.getLogger(__name__)


async def database(app: web.Application) -> AsyncIterator[None]:
    """The database, at the schema this code expects (with Entra tokens as its password),
    migrated first when EXITBOT_MIGRATE_ON_START says so."""
    settings = app[SETTINGS]
    tokens = database_tokens(settings)
    try:
        db = await Database.open(settings.database_url, password=tokens)
        try:
            await prepare_schema(
                db, migrate=settings.migrate_on_start, owner_role=settings.database_owner_role
            )
            app[DATABASE] = db
            yield
        finally:
            await db.close()
    finally:
        if tokens is not None:
            await tokens.close()


async def people(app: web.Application) -> AsyncIterator[None]:
    """The directory, calendar and Teams installer: Microsoft Graph, or the local file."""
    async with open_people(app[SETTINGS], app[CLOCK]) as ports:
        app[PEOPLE] = ports
        yield


async def bot_http(
    app: web.Application, *, tokens: TokenProvider | None = None
) -> AsyncIterator[None]:
    """The bot's HTTP session to Teams and its connector token (`tokens` replaces Entra's)."""
    settings = app[SETTINGS]
    async with aiohttp.ClientSession() as session:
        if not settings.auth_enabled:
            tokens = NoToken()
        app[BOT_HTTP] = session
        app[BOT_TOKENS] = tokens or bot_token_provider(settings)
        try:
            yield
        finally:
            await app[BOT_TOKENS].close()


async def services(app: web.Application) -> AsyncIterator[None]:
    """The services (bot.services), the adapter that checks each activity, and the bot."""
    settings, db = app[SETTINGS], app[DATABASE]
    resources = Resources(
        db=db,
        people=app[PEOPLE],
        config=lambda: app[CONFIG].current,
        session=app[BOT_HTTP],
        tokens=app[BOT_TOKENS],
    )
    wiring = build_services(settings, app[CLOCK], resources)
    turns = TurnStart(db)
    app[OUTBOX], app[FLOW] = wiring.outbox, wiring.flow
    app[LEAVE_DATES] = wiring.leave_dates
    app[REGISTRATION] = wired(wiring.services.registration, "registration")
    app[ADAPTER] = ExitbotAdapter(
        wiring.connector,
        validator=_validator(settings, app[BOT_HTTP]),
        tenant_id=settings.app_tenant_id,
        channels=settings.channel_ids,
        begin_turn=turns.begin,
        on_turn_error=TurnErrorHandler(wiring.services),
        settle_turn=turns.settle,
        open_unit=db.unit_of_work,
    )
    app[BOT] = ExitBot(
        wiring.services,
        build_router(),
        wiring.connector,
        demo_locale=settings.demo_locale,
    )
    yield
    await turns.close()


def _validator(settings: Settings, session: aiohttp.ClientSession) -> ChannelTokenValidator | None:
    """The check of the channel's tokens; None (and a loud warning) in local mode."""
    if settings.auth_enabled:
        return ChannelTokenValidator(
            session,
            app_id=settings.app_id,
            metadata_url=settings.openid_metadata_url,
            issuer=settings.token_issuer,
        )
    log.warning(
        "EXITBOT_LOCAL_MODE is on: incoming activities are NOT authenticated. "
        "Never run a deployment like this."
    )
    return None


async def outbox_worker(app: web.Application) -> AsyncIterator[None]:
    """The delivery worker: sends each due proactive message once, until cleanup."""
    await app[OUTBOX].start(app[FLOW].delivered, app[TELEMETRY].delivery)
    try:
        yield
    finally:
        await app[OUTBOX].stop()


async def background_jobs(app: web.Application) -> AsyncIterator[None]:
    """Forgetting old activity ids, the CSV import's journey events, data retention, closing
    the departures whose case is over, and the check of leave dates in Entra ID."""
    settings, db, clock = app[SETTINGS], app[DATABASE], app[CLOCK]
    window = timedelta(minutes=settings.dedup_window_minutes)
    jobs = (
        prune_seen_activities(lambda: db, window),
        # The journey (FLOW) is running by now, to take what the CSV import recorded.
        departure_event_worker(
            lambda: StoredDepartureEvents(db, clock),
            lambda: app[FLOW],
            lambda: SqlDepartureRepository(db).get,
        ),
        retention_job(lambda: db, lambda: app[CONFIG].current, clock),
        closing_job(lambda: db, lambda: app[CONFIG].current, clock),  # cases that are over
        # Departures from Entra ID (issue 16), while HR's YAML takes them from there.
        leave_date_job(
            lambda: app[LEAVE_DATES].check,
            lambda: app[CONFIG].current,
            clock,
            lambda report: app[LEAVE_DATES].notifier.found(report),
        ),
    )
    async with AsyncExitStack() as stack:
        for job in jobs:
            await stack.enter_async_context(asynccontextmanager(job)(app))
        yield


async def hr_api_http(app: web.Application) -> AsyncIterator[None]:
    """HR's API: its own HTTP session for the signing keys of the tokens it accepts."""
    async with aiohttp.ClientSession() as session:
        app[API_AUTH] = api_authenticator(app[SETTINGS], session)
        yield
