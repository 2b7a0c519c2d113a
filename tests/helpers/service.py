"""The bot's identity in tests, Teams-shaped activities, and the running service's handle."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import aiohttp

from config.loader import LoadedConfig
from testkit.standins.connector import ConnectorStandIn
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
