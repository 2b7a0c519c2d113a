"""The whole service on loopback for the properties: SQLite or PostgreSQL, the demo people, a
fixed clock, a token issuer for Teams and HR's API, and a connector stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot import resources
from journey.departure import DepartureStatus
from storage.database import Database
from tests.helpers.hr_api import Api
from tests.helpers.journey import EVERYONE
from tests.helpers.live_service import API_TRUSTS_THE_ISSUER, live_service
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
    shape = without_background_work
    async with live_service(database_url, settings=API_TRUSTS_THE_ISSUER, shape=shape) as live:
        database = await Database.open(database_url)
        try:
            api = Api(live.url, live.app, live.http, live.issuer, live.config, database)
            yield Service(live, api, database)
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
