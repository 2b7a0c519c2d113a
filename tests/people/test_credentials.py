"""Choosing the azure-identity credential for Graph from settings."""

from __future__ import annotations

import pytest
from azure.identity.aio import ClientSecretCredential, ManagedIdentityCredential

from people.credentials import graph_credential

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT = "00000000-0000-0000-0000-00000000b07"


async def test_each_kind_gives_its_azure_identity_credential() -> None:
    secret = graph_credential(
        "client_secret", tenant_id=TENANT, client_id=CLIENT, client_secret="s"
    )
    managed = graph_credential("managed_identity", client_id=CLIENT)
    try:
        assert isinstance(secret, ClientSecretCredential)
        assert isinstance(managed, ManagedIdentityCredential)
    finally:
        await secret.close()
        await managed.close()


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("client_secret", {"tenant_id": TENANT, "client_id": CLIENT}),
        ("client_secret", {"client_id": CLIENT, "client_secret": "s"}),
        ("certificate", {"tenant_id": TENANT, "client_id": CLIENT}),
    ],
)
def test_a_missing_setting_is_refused_at_startup(kind: str, fields: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        graph_credential(kind, **fields)  # type: ignore[arg-type]
