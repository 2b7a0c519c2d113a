"""From settings to azure-identity: each credential mode gets its class, or names what is missing.

tests/people/test_credentials.py covers people.credentials on its own; these go through the
wiring the service uses (bot.people.open_people, bot.credentials.bot_credential).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

import pytest
from azure.identity.aio import (
    CertificateCredential,
    ClientSecretCredential,
    ManagedIdentityCredential,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

import bot.people
from bot.credentials import bot_credential
from bot.people import open_people
from bot.settings import PeopleSettings, Settings, SettingsError, load_settings
from journey.clock import SystemClock

APP_ID = "7c1f0a7e-3b7e-4a53-9c55-2f8f3f6f1b07"
TENANT = "11111111-2222-3333-4444-555555555555"
VARIABLES = (
    "EXITBOT_LOCAL_MODE",
    "EXITBOT_DIRECTORY",
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_TENANT_ID",
    "MICROSOFT_APP_TYPE",
    "MICROSOFT_APP_PASSWORD",
    "GRAPH_CREDENTIAL",
    "GRAPH_CERTIFICATE_PATH",
    "TEAMS_APP_CATALOG_ID",
)


class RecordingGraphClient:
    """Stands in for people.graph_client.GraphClient and keeps the credential it was given."""

    seen: ClassVar[list[Any]] = []

    def __init__(self, credential: Any, *, base_url: str) -> None:
        RecordingGraphClient.seen.append(credential)

    async def __aenter__(self) -> RecordingGraphClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    monkeypatch.setenv("MICROSOFT_APP_TENANT_ID", TENANT)
    monkeypatch.setenv("TEAMS_APP_CATALOG_ID", "catalog-app-id")
    monkeypatch.setattr(bot.people, "GraphClient", RecordingGraphClient)
    RecordingGraphClient.seen = []


async def graph_credential_in_use() -> Any:
    settings = load_settings(PeopleSettings)
    async with open_people(settings, SystemClock()):
        pass
    (credential,) = RecordingGraphClient.seen
    return credential


def certificate_file(tmp_path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # Entra signs RS256
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "exitbot-graph")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "graph.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + certificate.public_bytes(serialization.Encoding.PEM)
    )
    return path


async def test_in_azure_graph_uses_the_managed_identity(monkeypatch) -> None:
    monkeypatch.setenv("GRAPH_CREDENTIAL", "managed_identity")
    credential = await graph_credential_in_use()
    assert isinstance(credential, ManagedIdentityCredential)


async def test_without_a_password_the_managed_identity_is_the_default() -> None:
    assert isinstance(await graph_credential_in_use(), ManagedIdentityCredential)


async def test_an_app_secret_gives_a_client_secret_credential(monkeypatch) -> None:
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "app-secret")
    assert isinstance(await graph_credential_in_use(), ClientSecretCredential)


async def test_a_certificate_gives_a_certificate_credential(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("GRAPH_CREDENTIAL", "certificate")
    monkeypatch.setenv("GRAPH_CERTIFICATE_PATH", str(certificate_file(tmp_path)))
    assert isinstance(await graph_credential_in_use(), CertificateCredential)


@pytest.mark.parametrize(
    ("kind", "unset", "named"),
    [
        ("client_secret", None, "MICROSOFT_APP_PASSWORD"),
        ("client_secret", "MICROSOFT_APP_TENANT_ID", "MICROSOFT_APP_TENANT_ID"),
        ("certificate", None, "GRAPH_CERTIFICATE_PATH"),
        ("certificate", "MICROSOFT_APP_ID", "MICROSOFT_APP_ID"),
    ],
)
async def test_a_missing_secret_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, kind: str, unset: str | None, named: str
) -> None:
    monkeypatch.setenv("GRAPH_CREDENTIAL", kind)
    if unset:
        monkeypatch.delenv(unset)
    with pytest.raises(SettingsError, match=f"GRAPH_CREDENTIAL={kind} needs .*{named}"):
        await graph_credential_in_use()
    assert RecordingGraphClient.seen == []


async def test_a_certificate_that_is_not_there_is_named(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("GRAPH_CREDENTIAL", "certificate")
    monkeypatch.setenv("GRAPH_CERTIFICATE_PATH", str(tmp_path / "missing.pem"))
    with pytest.raises(
        SettingsError, match=r"GRAPH_CERTIFICATE_PATH: .*missing\.pem does not exist"
    ):
        await graph_credential_in_use()


async def test_the_bot_proves_itself_with_its_managed_identity_or_its_secret(monkeypatch) -> None:
    monkeypatch.setenv("MICROSOFT_APP_TYPE", "UserAssignedMSI")
    managed = bot_credential(load_settings(Settings))
    monkeypatch.setenv("MICROSOFT_APP_TYPE", "SingleTenant")
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "app-secret")
    secret = bot_credential(load_settings(Settings))
    try:
        assert isinstance(managed, ManagedIdentityCredential)
        assert isinstance(secret, ClientSecretCredential)
    finally:
        await managed.close()
        await secret.close()
