"""The whole service as in a tenant, on loopback: authentication on (a local token issuer), the
demo people, a fixed clock and a Bot Connector stand-in that knows everyone. One place builds
it; the fixtures of tests/fixtures, tests/bot, tests/hr_api and tests/properties use it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web

from bot.app import create_app
from bot.settings import Settings
from config.loader import default_config_dir, load_config
from journey.clock import FixedClock
from testkit.standins.connector import ConnectorStandIn
from testkit.standins.serve import serve
from testkit.standins.tokens import TokenIssuer
from tests.helpers.journey import DEMO_PEOPLE, EVERYONE, T0, LiveApp
from tests.helpers.service import APP_ID, TENANT, StaticToken

# "{connector}" and "{issuer}" in a setting's value stand for the stand-ins' addresses.
CONNECTOR, ISSUER = "{connector}", "{issuer}"
# HR's departures API trusts the same local issuer as the bot.
API_TRUSTS_THE_ISSUER = {"EXITBOT_API_OPENID_METADATA_URL": ISSUER}


@asynccontextmanager
async def live_service(
    database_url: str,
    *,
    settings: Mapping[str, str] | None = None,
    issuer: TokenIssuer | None = None,
    shape: Callable[[web.Application], web.Application] | None = None,
) -> AsyncIterator[LiveApp]:
    """The service on `database_url` (migrated), with `settings` on top of a tenant's; `issuer`
    for one that endorses other channels; `shape` changes the app before it starts."""
    connector, issuer = ConnectorStandIn(), issuer or TokenIssuer()
    for user in EVERYONE:
        connector.members[user.user_id] = user.member()
    clock = FixedClock(T0)
    async with serve(connector.app()) as connector.url, serve(issuer.app()) as issuer.url:
        places = {CONNECTOR: connector.url, ISSUER: issuer.metadata_url}
        extra = {name: _placed(value, places) for name, value in (settings or {}).items()}
        service_settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            DATABASE_URL=database_url,
            MICROSOFT_APP_ID=APP_ID,
            MICROSOFT_APP_TENANT_ID=TENANT,
            MICROSOFT_APP_PASSWORD="not-used-in-tests",
            EXITBOT_DIRECTORY="local",
            EXITBOT_PEOPLE_FILE=str(DEMO_PEOPLE),
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=issuer.metadata_url,
            **extra,
        )
        app = create_app(service_settings, clock=clock, bot_tokens=StaticToken())
        if shape is not None:
            app = shape(app)
        config = load_config(default_config_dir())
        async with serve(app) as url, aiohttp.ClientSession() as http:
            yield LiveApp(url, app, connector, issuer, http, config, clock)


def _placed(value: str, places: Mapping[str, str]) -> str:
    for name, address in places.items():
        value = value.replace(name, address)
    return value
