"""The real app on a loopback port, a real SQLite file, a connector stand-in and a token issuer."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import create_app
from bot.settings import Settings
from config.loader import LoadedConfig, default_config_dir, load_config
from storage.migrate import upgrade
from testkit.standins.connector import ConnectorStandIn
from testkit.standins.serve import serve
from testkit.standins.tokens import TokenIssuer

APP_ID = "00000000-0000-0000-0000-00000000b07"
TENANT = "11111111-2222-3333-4444-555555555555"
OUTBOUND_TOKEN = "outbound-test-token"


class StaticToken:
    """Stands in for the Entra token the bot would get for the Bot Connector."""

    async def token(self) -> str | None:
        return OUTBOUND_TOKEN

    async def close(self) -> None:
        pass


@dataclass
class Running:
    url: str
    connector: ConnectorStandIn
    issuer: TokenIssuer
    http: aiohttp.ClientSession
    config: LoadedConfig

    async def post(
        self, activity: dict[str, Any], *, token: str | None = "valid", **kwargs: Any
    ) -> aiohttp.ClientResponse:
        """Post an activity the way the Bot Connector does, signed unless told otherwise."""
        headers = dict(kwargs.pop("headers", {}))
        if token == "valid":
            token = self.issuer.token(audience=APP_ID, service_url=activity["serviceUrl"])
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return await self.http.post(
            f"{self.url}/api/messages", json=activity, headers=headers, **kwargs
        )


_ids = itertools.count(1)


def make_activity(
    connector_url: str,
    type: str = "message",
    *,
    text: str | None = None,
    locale: str = "en-US",
    tenant: str = TENANT,
    user_id: str = "29:leaver",
    aad_object_id: str = "aad-leaver",
    conversation_id: str = "a:personal-leaver",
    **extra: Any,
) -> dict[str, Any]:
    """An activity shaped like those Teams sends to a bot in a personal chat."""
    activity: dict[str, Any] = {
        "type": type,
        "id": f"activity-{next(_ids)}",
        "channelId": "msteams",
        "serviceUrl": connector_url,
        "locale": locale,
        "from": {"id": user_id, "name": "Lea Leaver", "aadObjectId": aad_object_id},
        "recipient": {"id": f"28:{APP_ID}", "name": "exitbot"},
        "conversation": {"id": conversation_id, "conversationType": "personal", "tenantId": tenant},
        "channelData": {"tenant": {"id": tenant}},
        **extra,
    }
    if text is not None:
        activity["text"] = text
    return activity


@pytest.fixture
def default_config() -> LoadedConfig:
    return load_config(default_config_dir())


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'exitbot.sqlite3'}"
    await upgrade(url)
    return url


@pytest.fixture
def settings_for(sqlite_url: str) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "DATABASE_URL": sqlite_url,
            "MICROSOFT_APP_ID": APP_ID,
            "MICROSOFT_APP_TENANT_ID": TENANT,
            "MICROSOFT_APP_PASSWORD": "not-used-in-tests",
            "EXITBOT_DIRECTORY": "local",
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return build


@pytest.fixture
async def running(
    settings_for: Callable[..., Settings], default_config: LoadedConfig
) -> AsyncIterator[Running]:
    """The whole service with authentication on, as it runs in a tenant."""
    connector, issuer = ConnectorStandIn(), TokenIssuer()
    connector.members["29:leaver"] = {
        "id": "29:leaver",
        "name": "Lea Leaver",
        "aadObjectId": "aad-leaver",
        "userPrincipalName": "leaver@contoso.example",
    }
    async with serve(connector.app()) as connector.url, serve(issuer.app()) as issuer.url:
        settings = settings_for(TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=issuer.metadata_url)
        app = create_app(settings, bot_tokens=StaticToken())
        async with serve(app) as url, aiohttp.ClientSession() as http:
            yield Running(url, connector, issuer, http, default_config)
