"""The whole service on loopback for the properties: SQLite or PostgreSQL, the demo people, a
fixed clock, a token issuer for Teams and HR's API, and a connector stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot import resources
from bot.app import create_app
from bot.settings import Settings
from config.loader import default_config_dir, load_config
from journey.clock import FixedClock
from journey.departure import DepartureStatus
from storage.database import Database
from testkit.standins.connector import ConnectorStandIn
from testkit.standins.serve import serve
from testkit.standins.tokens import TokenIssuer
from tests.helpers.hr_api import Api
from tests.helpers.journey import DEMO_PEOPLE, EVERYONE, T0, LiveApp
from tests.helpers.service import APP_ID, TENANT, StaticToken
from tests.properties.watch import Service

FINISHED = (DepartureStatus.CANCELLED, DepartureStatus.CLOSED)


def without_background_work(app: web.Application) -> web.Application:
    """The app without its delivery worker and periodic jobs: what they change in their own
    time (an offer's reach, a sent reminder) would be taken for what a request changed. The
    delivery has its own tests (tests/delivery)."""
    kept = [ctx for ctx in app.cleanup_ctx if ctx not in _BACKGROUND]
    app.cleanup_ctx.clear()
    app.cleanup_ctx.extend(kept)
    return app


_BACKGROUND = (resources.outbox_worker, resources.background_jobs)


@pytest.fixture
async def service(database_url: str) -> AsyncIterator[Service]:
    """One running service for a whole property: every example is a request to it."""
    connector, issuer = ConnectorStandIn(), TokenIssuer()
    for user in EVERYONE:
        connector.members[user.user_id] = user.member()
    clock = FixedClock(T0)
    config = load_config(default_config_dir())
    async with serve(connector.app()) as connector.url, serve(issuer.app()) as issuer.url:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            DATABASE_URL=database_url,
            MICROSOFT_APP_ID=APP_ID,
            MICROSOFT_APP_TENANT_ID=TENANT,
            MICROSOFT_APP_PASSWORD="not-used-in-tests",
            EXITBOT_DIRECTORY="local",
            EXITBOT_PEOPLE_FILE=str(DEMO_PEOPLE),
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=issuer.metadata_url,
            EXITBOT_API_OPENID_METADATA_URL=issuer.metadata_url,
        )
        app = without_background_work(create_app(settings, clock=clock, bot_tokens=StaticToken()))
        database = await Database.open(database_url)
        try:
            async with serve(app) as url, aiohttp.ClientSession() as http:
                live = LiveApp(url, app, connector, issuer, http, config, clock)
                yield Service(live, Api(url, app, http, issuer, config, database), database)
        finally:
            await database.close()


class Current:
    """Sofie's departure as the examples find it: registered again once it has ended (HR
    cancelled it, or it closed), so every example has an active one to press buttons on."""

    def __init__(self, service: Service, departure_id: str) -> None:
        self._service, self._id = service, departure_id

    async def active(self) -> str:
        live = self._service.live
        if (await live.departure(self._id)).status in FINISHED:
            self._id = (await live.register()).id
        return self._id


@pytest.fixture
async def departure(service: Service) -> Current:
    """Sofie leaves, her manager is Mads (the demo's people); everyone has written to the bot
    before, so the offer reaches her and the cards reach them."""
    for user in EVERYONE:
        await service.live.say(user, "help")
    return Current(service, (await service.live.register()).id)
