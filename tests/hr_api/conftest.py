"""HR's API and Teams on one running service, on SQLite and on PostgreSQL: loopback, a local
token issuer for both, the demo people, a fixed clock and a Bot Connector stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.typedefs import DATABASE
from config.loader import default_config_dir, load_config
from journey.clock import FixedClock
from storage.migrate import upgrade
from testkit.standins.connector import ConnectorStandIn
from testkit.standins.serve import serve
from testkit.standins.tokens import TokenIssuer
from tests.helpers.hr_api import Api
from tests.helpers.journey import DEMO_PEOPLE, EVERYONE, T0, LiveApp
from tests.helpers.service import APP_ID, TENANT, StaticToken


@dataclass
class Both:
    """The same running service as HR's system calls it (api) and as Teams does (teams)."""

    api: Api
    teams: LiveApp


@pytest.fixture
async def both_doors(blank_database_url: str) -> AsyncIterator[Both]:
    """The whole service, as in a tenant, on the database under test."""
    await upgrade(blank_database_url)
    connector, issuer = ConnectorStandIn(), TokenIssuer()
    for user in EVERYONE:
        connector.members[user.user_id] = user.member()
    clock = FixedClock(T0)
    config = load_config(default_config_dir())
    async with serve(connector.app()) as connector.url, serve(issuer.app()) as issuer.url:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            DATABASE_URL=blank_database_url,
            MICROSOFT_APP_ID=APP_ID,
            MICROSOFT_APP_TENANT_ID=TENANT,
            MICROSOFT_APP_PASSWORD="not-used-in-tests",
            EXITBOT_DIRECTORY="local",
            EXITBOT_PEOPLE_FILE=str(DEMO_PEOPLE),
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=issuer.metadata_url,
            EXITBOT_API_OPENID_METADATA_URL=issuer.metadata_url,
        )
        app = create_app(settings, clock=clock, bot_tokens=StaticToken())
        async with serve(app) as url, aiohttp.ClientSession() as http:
            yield Both(
                api=Api(url, app, http, issuer, config, app[DATABASE]),
                teams=LiveApp(url, app, connector, issuer, http, config, clock),
            )
