"""HR's departures API on the real app: tokens as Entra ID issues them and calls as HR's system
makes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import func, select

from config.loader import LoadedConfig
from storage.database import Database
from storage.tables import audit_log, departures
from testkit.standins.tokens import TokenIssuer
from tests.helpers.service import APP_ID, TENANT

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
