"""The real service, authentication on (a local token issuer), on SQLite and on PostgreSQL,
for the tests of who may speak to the bot: the channel, the token's service URL, the sender."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from sqlalchemy import func, select

from bot.typedefs import DATABASE
from storage.tables import audit_log, conversation_refs, due_actions, seen_activities
from testkit.standins.tokens import TokenIssuer
from tests.helpers.journey import LiveApp
from tests.helpers.live_service import live_service
from tests.helpers.service import APP_ID

# Channels the issuer's keys endorse, so that only the bot's own check can refuse them.
ENDORSED = ["msteams", "webchat", "directline", "emulator"]


@pytest.fixture
async def identity_app(database_url: str) -> AsyncIterator[LiveApp]:
    """The whole service as in a tenant (Teams only), on the database under test."""
    issuer = TokenIssuer(endorsements=list(ENDORSED))
    async with live_service(database_url, issuer=issuer) as live:
        yield live


def token_without_service_url(app: LiveApp) -> str:
    """A token signed with the issuer's published key, valid in every way but the claim."""
    claims = jwt.decode(
        app.issuer.token(audience=APP_ID, service_url="x"), options={"verify_signature": False}
    )
    del claims["serviceurl"]
    return jwt.encode(claims, app.issuer.keys["key-1"], algorithm="RS256", headers={"kid": "key-1"})


async def post_signed(
    app: LiveApp, activity: dict[str, Any], token: str
) -> tuple[int, dict[str, Any] | None]:
    """Post with this bearer token; the status and the JSON body if there is one."""
    async with app.http.post(
        f"{app.url}/api/messages",
        json=activity,
        headers={"Authorization": f"Bearer {token}"},
    ) as response:
        body = await response.json() if response.content_type == "application/json" else None
        return response.status, body


@dataclass(frozen=True)
class Stored:
    """What the database holds that an activity could have changed."""

    refs: dict[str, dict[str, Any]]
    seen: int
    audit: int
    due: int


async def stored(app: LiveApp) -> Stored:
    async with app.app[DATABASE].sessions() as session:
        rows = (await session.execute(select(conversation_refs))).all()
        counts = [
            await session.scalar(select(func.count()).select_from(table))
            for table in (seen_activities, audit_log, due_actions)
        ]
    refs = {row.user_key: dict(row._mapping) for row in rows}
    return Stored(refs, *(int(count or 0) for count in counts))
