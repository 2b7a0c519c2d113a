"""The departures API on the real app: loopback, a real SQLite file, a local Entra ID issuer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.app import create_app
from bot.settings import Settings
from config.loader import LoadedConfig, default_config_dir, load_config
from storage.database import Database
from storage.tables import audit_log, departures
from testkit.standins.serve import serve
from testkit.standins.tokens import TokenIssuer
from tests.integration.conftest import (  # noqa: F401  (fixtures used by name)
    APP_ID,
    TENANT,
    StaticToken,
    settings_for,
    sqlite_url,
)

ENTRA_ISSUER = f"https://login.microsoftonline.com/{TENANT}/v2.0"
ROLE = "Departures.ReadWrite"
CLIENT_ID = "6c1b3a2e-hr-system"


def future(days: int = 45) -> str:
    """A last working day safely ahead of today, as yyyy-mm-dd."""
    return (date.today() + timedelta(days=days)).isoformat()


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Api:
    """The running service and ways to call its API as HR's system would."""

    url: str
    app: web.Application
    http: aiohttp.ClientSession
    issuer: TokenIssuer
    config: LoadedConfig
    db: Database
    calls: list[tuple[str, str, Answer]] = field(default_factory=list)

    def token(
        self,
        *,
        roles: tuple[str, ...] = (ROLE,),
        audience: str = f"api://{APP_ID}",
        issuer: str = ENTRA_ISSUER,
        **claims: Any,
    ) -> str:
        """An Entra ID access token as client credentials would get it for the bot's API."""
        values: dict[str, Any] = {"azp": CLIENT_ID, "tid": TENANT, "roles": list(roles)}
        values.update(claims)
        return self.issuer.token(audience=audience, service_url="", issuer=issuer, **values)

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = "valid",
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Call the API; `token="valid"` sends a token with the role, None sends none."""
        sent = dict(headers or {})
        if token == "valid":
            token = self.token()
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        async with self.http.request(method, self.url + path, json=json, headers=sent) as r:
            body = await r.json(content_type=None) if await r.read() else None
            answer = Answer(r.status, body, dict(r.headers))
        self.calls.append((method, path, answer))
        return answer

    async def count(self, table: Any = departures) -> int:
        async with self.db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(table)) or 0)

    async def audit_count(self) -> int:
        return await self.count(audit_log)


@pytest.fixture
def default_config() -> LoadedConfig:
    return load_config(default_config_dir())


@pytest.fixture
def make_api(
    settings_for: Callable[..., Settings],  # noqa: F811
    default_config: LoadedConfig,
    sqlite_url: str,  # noqa: F811
) -> Callable[..., Any]:
    """Start the service with these setting overrides; use as `async with make_api(...)`."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Api]:
        issuer = TokenIssuer()
        async with serve(issuer.app()) as issuer.url:
            values = {"EXITBOT_API_OPENID_METADATA_URL": issuer.metadata_url, **overrides}
            app = create_app(settings_for(**values), bot_tokens=StaticToken())
            database = await Database.open(sqlite_url)
            try:
                async with serve(app) as url, aiohttp.ClientSession() as http:
                    yield Api(url, app, http, issuer, default_config, database)
            finally:
                await database.close()

    return start


@pytest.fixture
async def api(make_api: Callable[..., Any]) -> AsyncIterator[Api]:
    """The service as it runs in a tenant: Entra ID tokens only."""
    async with make_api() as running:
        yield running
