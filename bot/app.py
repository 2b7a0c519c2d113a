"""Wiring: the one place that builds the service from its settings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
from aiohttp import web

from bot.adapter import ExitbotAdapter
from bot.auth import ChannelTokenValidator
from bot.clock_route import PATH as TEST_CLOCK_PATH
from bot.clock_route import add_test_clock
from bot.credentials import bot_token_provider, database_tokens
from bot.handler import ExitBot, make_turn_error_handler
from bot.people import open_people
from bot.routes import add_routes
from bot.settings import Settings
from bot.typedefs import (
    ADAPTER,
    API_AUTH,
    BOT,
    CONFIG,
    DATABASE,
    FLOW,
    OUTBOX,
    PEOPLE,
    REGISTRATION,
    SETTINGS,
)
from config.holder import ConfigHolder
from config.rules import gestures, reminder_rules, unit_rules
from config.survey_plan import survey_plan
from dialogs.routes import build_router
from dialogs.turn import Services
from hr_api.auth import api_authenticator
from hr_api.routes import add_api_routes
from jobs.departure_events import journey_event_worker
from jobs.retention import retention_job
from jobs.seen_activities import prune_seen_activities
from journey.after_conversation import AfterConversation
from journey.clock import Clock, ShiftedClock, SystemClock
from journey.flow import DepartureFlow
from journey.hr import HrRoster
from journey.registration import RegistrationService
from journey.survey_service import Surveys
from outbox.connector import ConnectorClient, NoToken, TokenProvider
from outbox.service import Outbox
from storage.after_conversation import SqlNotesStore
from storage.database import Database
from storage.departure_events import StoredJourneyEvents
from storage.insights import SqlInsightsSource
from storage.migrate import check_schema
from storage.repositories import (
    SqlAuditLog,
    SqlConversationRefStore,
    SqlDepartureRepository,
)
from storage.survey import SqlSurveyStore
from storage.turns import TurnStart

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
    if settings.test_clock and clock is None:
        # Settings refuse this outside local mode; the route exists only with it.
        log.warning("EXITBOT_TEST_CLOCK is on: POST %s moves the service's time", TEST_CLOCK_PATH)
        clock = ShiftedClock()
        add_test_clock(app, clock)
    app[CONFIG] = ConfigHolder.load(settings.resolved_config_dir)

    async def database(app: web.Application) -> AsyncIterator[None]:
        tokens = database_tokens(settings)
        try:
            db = await Database.open(settings.database_url, password=tokens)
            try:
                await check_schema(db)
                app[DATABASE] = db
                yield
            finally:
                await db.close()
        finally:
            if tokens is not None:
                await tokens.close()

    async def people(app: web.Application) -> AsyncIterator[None]:
        async with open_people(settings, clock or SystemClock()) as services:
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
            departures, audit = SqlDepartureRepository(db), SqlAuditLog(db)
            connector = ConnectorClient(session, tokens)
            conversations = SqlConversationRefStore(db)
            # What reaches people on the bot's initiative, and the delivery worker that sends
            # each proactive message once.
            outbox = app[OUTBOX] = Outbox(
                db=db,
                session=session,
                tokens=tokens,
                connector=connector,
                refs=conversations,
                clock=clock or SystemClock(),
                config=lambda: app[CONFIG].current,
                people=app[PEOPLE],
                bot_id=f"28:{settings.app_id}" if settings.app_id else "",
                tenant_id=settings.app_tenant_id,
                default_service_url=settings.teams_service_url or None,
            )
            # The exit journey: its DepartureEvents for registration and its card actions.
            flow = app[FLOW] = DepartureFlow(
                departures=departures,
                calendar=app[PEOPLE].calendar,
                directory=app[PEOPLE].directory,
                audit=audit,
                clock=clock or SystemClock(),
                rules=lambda unit: unit_rules(app[CONFIG].current, unit),
                notifier=outbox.notifier,
                reminder_rules=lambda unit: reminder_rules(app[CONFIG].current, unit),
            )
            app[REGISTRATION] = RegistrationService(
                departures,
                app[PEOPLE].directory,
                lambda: app[CONFIG].current,
                clock or SystemClock(),
                audit,
                flow,
                zones=app[PEOPLE].zones,
            )
            services = Services(
                config=lambda: app[CONFIG].current,
                departures=departures,
                conversations=conversations,
                audit=audit,
                clock=clock or SystemClock(),
                people=app[PEOPLE],
                registration=app[REGISTRATION],
                journey=flow,
                hr=HrRoster(
                    lambda: app[CONFIG].current, app[PEOPLE].groups, clock or SystemClock()
                ),
                # The survey: its sent answers update the interviewer's task card in place.
                surveys=Surveys(
                    departures=departures,
                    store=SqlSurveyStore(db),
                    audit=audit,
                    clock=clock or SystemClock(),
                    plans=lambda unit: survey_plan(app[CONFIG].current, unit),
                    sent=outbox.notifier.task_changed,
                ),
                # After the conversation: notes and "held" (the leaver is thanked), wishes.
                after=AfterConversation(
                    departures=departures,
                    store=SqlNotesStore(db),
                    audit=audit,
                    clock=clock or SystemClock(),
                    offers=lambda unit: gestures(app[CONFIG].current, unit),
                    notifier=outbox.after,
                    replan=flow.replan,
                ),
                # Insights across departures: counts only, added up in SQL (issue 7).
                insights=SqlInsightsSource(db),
            )
            app[ADAPTER] = ExitbotAdapter(
                connector,
                validator=validator,
                tenant_id=settings.app_tenant_id,
                begin_turn=TurnStart(db).begin,
                on_turn_error=make_turn_error_handler(services),
            )
            app[BOT] = ExitBot(services, build_router(), connector)
            await outbox.start(flow.delivered)
            try:
                yield
            finally:
                await outbox.stop()
                await tokens.close()

    async def api(app: web.Application) -> AsyncIterator[None]:
        async with aiohttp.ClientSession() as session:
            app[API_AUTH] = api_authenticator(settings, session)
            yield

    app.cleanup_ctx.append(database)
    app.cleanup_ctx.append(people)
    app.cleanup_ctx.append(
        prune_seen_activities(
            lambda: app[DATABASE], timedelta(minutes=settings.dedup_window_minutes)
        )
    )
    app.cleanup_ctx.append(bot)
    # After `bot`: the journey must be running to take what the CSV import recorded.
    app.cleanup_ctx.append(
        journey_event_worker(
            lambda: StoredJourneyEvents(app[DATABASE], clock),
            lambda: app[FLOW],
            lambda: SqlDepartureRepository(app[DATABASE]).get,
        )
    )
    app.cleanup_ctx.append(retention_job(lambda: app[DATABASE], lambda: app[CONFIG].current, clock))
    app.cleanup_ctx.append(api)
    add_routes(app)
    add_api_routes(app, role=settings.api_role)
    return app
