"""HR's API and Teams on one running service, on SQLite and on PostgreSQL: loopback, a local
token issuer for both, the demo people, a fixed clock and a Bot Connector stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.typedefs import DATABASE
from storage.migrate import upgrade
from tests.helpers.hr_api import Api
from tests.helpers.journey import LiveApp
from tests.helpers.live_service import API_TRUSTS_THE_ISSUER, live_service


@dataclass
class Both:
    """The same running service as HR's system calls it (api) and as Teams does (teams)."""

    api: Api
    teams: LiveApp


@pytest.fixture
async def both_doors(blank_database_url: str) -> AsyncIterator[Both]:
    """The whole service, as in a tenant, on the database under test."""
    await upgrade(blank_database_url)
    async with live_service(blank_database_url, settings=API_TRUSTS_THE_ISSUER) as live:
        api = Api(live.url, live.app, live.http, live.issuer, live.config, live.app[DATABASE])
        yield Both(api=api, teams=live)
