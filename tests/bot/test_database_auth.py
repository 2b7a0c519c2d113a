"""DATABASE_AUTH=entra: only for PostgreSQL, and with the bot's own identity."""

from __future__ import annotations

import pytest
from azure.identity.aio import ClientSecretCredential, ManagedIdentityCredential
from pydantic import ValidationError

from bot.credentials import database_tokens
from bot.settings import Settings

PG = "postgresql+asyncpg://exitbot-identity@db.postgres.database.azure.com/exitbot"


def _settings(**values: str) -> Settings:
    base = {
        "MICROSOFT_APP_ID": "00000000-0000-4000-8000-000000000011",
        "MICROSOFT_APP_TENANT_ID": "00000000-0000-4000-8000-000000000001",
    }
    return Settings(_env_file=None, **{**base, **values})  # type: ignore[call-arg]


def test_entra_login_to_sqlite_is_refused_naming_both_settings() -> None:
    with pytest.raises(ValidationError) as refused:
        _settings(
            DATABASE_AUTH="entra",
            DATABASE_URL="sqlite+aiosqlite:///var/x.sqlite3",
            MICROSOFT_APP_TYPE="UserAssignedMSI",
        )
    assert "DATABASE_AUTH=entra needs a postgresql+asyncpg:// DATABASE_URL" in str(refused.value)


async def test_the_managed_identity_logs_in_when_the_bot_is_one() -> None:
    tokens = database_tokens(
        _settings(DATABASE_AUTH="entra", DATABASE_URL=PG, MICROSOFT_APP_TYPE="UserAssignedMSI")
    )
    assert tokens is not None
    assert isinstance(tokens._credential, ManagedIdentityCredential)
    await tokens.close()


async def test_a_single_tenant_bot_logs_in_with_its_secret_and_password_mode_with_none() -> None:
    tokens = database_tokens(
        _settings(DATABASE_AUTH="entra", DATABASE_URL=PG, MICROSOFT_APP_PASSWORD="s3cret")
    )
    assert tokens is not None and isinstance(tokens._credential, ClientSecretCredential)
    await tokens.close()
    assert database_tokens(_settings(DATABASE_URL=PG, MICROSOFT_APP_PASSWORD="s3cret")) is None
