"""PostgreSQL with an access token instead of a stored password (Entra ID, managed identity):
the Database asks for a fresh one on every new connection."""

from __future__ import annotations

import pytest

from storage.database import Database, DatabaseUnavailable
from testkit.pg_server import PostgresServer

pytestmark = pytest.mark.postgres


@pytest.fixture
async def token_role(postgres_server: PostgresServer) -> str:
    """A role that logs in only with the password 'token-1' (what the token provider gives)."""
    await postgres_server.add_password_role("exitbot_identity", "token-1")
    return f"postgresql+asyncpg://exitbot_identity@127.0.0.1:{postgres_server.port}/postgres"


async def test_the_token_is_the_password_and_is_asked_for_per_connection(token_role: str) -> None:
    asked: list[int] = []

    async def token() -> str:
        asked.append(1)
        return "token-1"

    database = await Database.open(token_role, password=token)
    try:
        assert await database.is_reachable()
    finally:
        await database.close()
    assert len(asked) >= 1  # and never read from the URL
    assert ":token-1@" not in str(database.url)


async def test_a_wrong_token_is_refused_with_the_url_and_no_secret(token_role: str) -> None:
    async def expired() -> str:
        return "token-0"

    with pytest.raises(DatabaseUnavailable) as refused:
        await Database.open(token_role, password=expired)
    message = str(refused.value)
    assert "exitbot_identity@127.0.0.1" in message
    assert "token-0" not in message


class FakeCredential:
    """Stands in for azure-identity's credential: what the bot would get from Entra ID."""

    def __init__(self, token: str) -> None:
        self.token, self.scopes, self.closed = token, [], False

    async def get_token(self, *scopes: str):  # type: ignore[no-untyped-def]
        from azure.core.credentials import AccessToken

        self.scopes.append(scopes)
        return AccessToken(self.token, 4102444800)

    async def close(self) -> None:
        self.closed = True


async def test_the_bots_identity_logs_in_to_postgresql(token_role: str) -> None:
    from bot.credentials import POSTGRES_SCOPE, DatabaseTokens

    credential = FakeCredential("token-1")
    tokens = DatabaseTokens(credential)  # type: ignore[arg-type]
    database = await Database.open(token_role, password=tokens)
    try:
        assert await database.is_reachable()
    finally:
        await database.close()
        await tokens.close()
    assert credential.scopes and credential.scopes[0] == (POSTGRES_SCOPE,)
    assert credential.closed
