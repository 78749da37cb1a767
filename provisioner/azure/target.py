"""Targets: which cloud, which credential, which tenant and subscription a run talks to.

`--target local` gets a `LocalCloudConnection` from the CLI (which starts or attaches to the local
cloud) and authenticates as its operator principal; `--target azure` uses DefaultAzureCredential
and a subscription. Either way, CA trust is handed to the clients, never put into os.environ.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential, DefaultAzureCredential

from provisioner.azure.profiles import DEFAULT_CLOUD, CloudProfile, azure_profile, local_profile
from provisioner.errors import ConfigurationError

SUBSCRIPTION_VARIABLE = "AZURE_SUBSCRIPTION_ID"
TENANT_VARIABLE = "AZURE_TENANT_ID"


@dataclass(frozen=True)
class LocalCloudConnection:
    """How to reach a running local cloud and sign in as its operator principal."""

    url: str
    tenant_id: str
    subscription_id: str
    client_id: str
    client_secret: str = field(repr=False)
    ca_cert: Path


@dataclass(frozen=True)
class Target:
    profile: CloudProfile
    credential: TokenCredential = field(repr=False)
    subscription_id: str
    tenant_id: str
    ca_bundle: Path | None = None

    @property
    def description(self) -> str:
        """One line for the top of every plan: target, tenant and subscription."""
        where = f"local cloud at {self.profile.arm_endpoint}" if self.profile.local else f"Azure ({self.profile.name})"
        return f"target: {where}, tenant: {self.tenant_id}, subscription: {self.subscription_id}"

    def principal_id(self) -> str:
        """The object id of the principal provision signs in as (the `oid` of its ARM token)."""
        return str(_claims(self.credential.get_token(self.profile.arm_scope).token).get("oid", ""))

    def principal_type(self) -> str:
        """`User` or `ServicePrincipal`: whom provision signs in as (the `idtyp` claim; a delegated
        token, one with `scp`, is a user's)."""
        claims = _claims(self.credential.get_token(self.profile.arm_scope).token)
        kind = claims.get("idtyp") or ("user" if "scp" in claims else "app")
        return "User" if kind == "user" else "ServicePrincipal"

    def close(self) -> None:
        close = getattr(self.credential, "close", None)
        if callable(close):
            close()


def local_target(connection: LocalCloudConnection) -> Target:
    """The local cloud, signed in as its operator with a client secret."""
    credential = ClientSecretCredential(
        connection.tenant_id,
        connection.client_id,
        connection.client_secret,
        authority=connection.url,
        # MSAL would ask login.microsoftonline.com about an authority it does not know.
        disable_instance_discovery=True,
        connection_verify=str(connection.ca_cert),
    )
    return Target(
        profile=local_profile(connection.url),
        credential=credential,
        subscription_id=connection.subscription_id,
        tenant_id=connection.tenant_id,
        ca_bundle=connection.ca_cert,
    )


def azure_target(subscription: str | None, cloud: str = DEFAULT_CLOUD) -> Target:
    """Azure through DefaultAzureCredential; the subscription from the option or AZURE_SUBSCRIPTION_ID."""
    profile = azure_profile(cloud)
    subscription_id = subscription or os.environ.get(SUBSCRIPTION_VARIABLE)
    if not subscription_id:
        raise ConfigurationError(
            f"no subscription for --target azure: pass --subscription or set {SUBSCRIPTION_VARIABLE}"
        )
    credential = DefaultAzureCredential(authority=profile.authority_host)
    tenant_id = os.environ.get(TENANT_VARIABLE) or _tenant_of(credential, profile)
    return Target(profile=profile, credential=credential, subscription_id=subscription_id, tenant_id=tenant_id)


def _tenant_of(credential: TokenCredential, profile: CloudProfile) -> str:
    """The tenant the credential signs in to: the `tid` claim of an ARM token."""
    try:
        token = credential.get_token(profile.arm_scope).token
    except ClientAuthenticationError as error:
        raise ConfigurationError(
            f"cannot sign in to {profile.name}: {error.message} "
            "(sign in with `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and a secret or certificate)"
        ) from None
    return str(_claims(token).get("tid", ""))


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims
