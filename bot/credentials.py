"""Which azure-identity credential proves the bot's identity, chosen by settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import AppType, PeopleSettings, Settings, SettingsError
from outbox.connector import CredentialTokenProvider
from people.credentials import graph_credential

if TYPE_CHECKING:  # imported when a credential is made: local mode needs none (and no MSAL)
    from azure.identity.aio import (
        CertificateCredential,
        ClientSecretCredential,
        ManagedIdentityCredential,
    )


def bot_credential(settings: Settings) -> ClientSecretCredential | ManagedIdentityCredential:
    """The credential for the bot's app registration (single tenant) or managed identity."""
    from azure.identity.aio import ClientSecretCredential, ManagedIdentityCredential

    if settings.app_type is AppType.USER_ASSIGNED_MSI:
        return ManagedIdentityCredential(client_id=settings.app_id)
    if settings.app_password is None:
        raise SettingsError(
            "MICROSOFT_APP_PASSWORD must be set for MICROSOFT_APP_TYPE=SingleTenant"
        )
    return ClientSecretCredential(
        tenant_id=settings.app_tenant_id,
        client_id=settings.app_id,
        client_secret=settings.app_password.get_secret_value(),
    )


# The audience Azure Database for PostgreSQL accepts Entra ID tokens for.
POSTGRES_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"


class DatabaseTokens:
    """Access tokens for Azure Database for PostgreSQL as the bot's identity: the password of
    each new connection (azure-identity caches them until shortly before they expire)."""

    def __init__(self, credential: ClientSecretCredential | ManagedIdentityCredential) -> None:
        self._credential = credential

    async def __call__(self) -> str:
        return (await self._credential.get_token(POSTGRES_SCOPE)).token

    async def close(self) -> None:
        """Release the credential's HTTP session."""
        await self._credential.close()


def database_tokens(settings: Settings) -> DatabaseTokens | None:
    """Tokens for the database when DATABASE_AUTH=entra; None for a password in the URL."""
    if settings.database_auth != "entra":
        return None
    return DatabaseTokens(bot_credential(settings))


def bot_token_provider(settings: Settings) -> CredentialTokenProvider:
    """Tokens for the Bot Connector from the bot's credential."""
    return CredentialTokenProvider(bot_credential(settings))


def graph_credential_for(
    settings: PeopleSettings,
) -> ManagedIdentityCredential | ClientSecretCredential | CertificateCredential:
    """The Graph credential GRAPH_CREDENTIAL asks for; SettingsError naming what is missing."""
    kind = settings.resolved_graph_credential
    if kind != "managed_identity":
        needed: dict[str, object] = {
            "MICROSOFT_APP_TENANT_ID": settings.app_tenant_id,
            "MICROSOFT_APP_ID": settings.app_id,
        }
        if kind == "client_secret":
            needed["MICROSOFT_APP_PASSWORD"] = settings.app_password
        if kind == "certificate":
            needed["GRAPH_CERTIFICATE_PATH"] = settings.graph_certificate_path
        if missing := [name for name, value in needed.items() if not value]:
            raise SettingsError(f"GRAPH_CREDENTIAL={kind} needs {', '.join(missing)}")
        path = settings.graph_certificate_path
        if kind == "certificate" and path and not Path(path).is_file():
            raise SettingsError(f"GRAPH_CERTIFICATE_PATH: {path} does not exist")
    return graph_credential(
        kind,
        tenant_id=settings.app_tenant_id,
        client_id=settings.app_id,
        client_secret=settings.app_password.get_secret_value() if settings.app_password else None,
        certificate_path=settings.graph_certificate_path,
    )
