"""Which azure-identity credential proves the bot's identity, chosen by settings."""

from __future__ import annotations

from azure.identity.aio import ClientSecretCredential, ManagedIdentityCredential

from bot.connector import CredentialTokenProvider
from bot.settings import AppType, Settings, SettingsError


def bot_credential(settings: Settings) -> ClientSecretCredential | ManagedIdentityCredential:
    """The credential for the bot's app registration (single tenant) or managed identity."""
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


def bot_token_provider(settings: Settings) -> CredentialTokenProvider:
    """Tokens for the Bot Connector from the bot's credential."""
    return CredentialTokenProvider(bot_credential(settings))
