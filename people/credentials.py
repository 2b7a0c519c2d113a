"""Choosing the azure-identity credential the Graph client gets its app token from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # imported when a credential is made: local mode needs none (and no MSAL)
    from azure.identity.aio import (
        CertificateCredential,
        ClientSecretCredential,
        ManagedIdentityCredential,
    )

CredentialKind = Literal["managed_identity", "client_secret", "certificate"]


def graph_credential(
    kind: CredentialKind,
    *,
    tenant_id: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    certificate_path: str | None = None,
) -> ManagedIdentityCredential | ClientSecretCredential | CertificateCredential:
    """An async credential for Graph; the caller closes it (`await credential.close()`).

    - `managed_identity`: on Azure; `client_id` picks a user-assigned identity (the bot's
      APP_ID when APP_TYPE is UserAssignedMSI), none means the system-assigned one.
    - `client_secret`: the app registration's tenant, client id and secret (APP_PASSWORD).
    - `certificate`: tenant, client id and a PEM/PKCS12 file holding the private key.
    """
    from azure.identity.aio import (
        CertificateCredential,
        ClientSecretCredential,
        ManagedIdentityCredential,
    )

    if kind == "managed_identity":
        return ManagedIdentityCredential(client_id=client_id or None)
    if not tenant_id or not client_id:
        raise ValueError(f"a {kind} credential needs tenant_id and client_id")
    if kind == "client_secret":
        if not client_secret:
            raise ValueError("a client_secret credential needs client_secret")
        return ClientSecretCredential(tenant_id, client_id, client_secret)
    if kind == "certificate":
        if not certificate_path:
            raise ValueError("a certificate credential needs certificate_path")
        return CertificateCredential(tenant_id, client_id, certificate_path)
    raise ValueError(f"unknown credential kind {kind!r}")
