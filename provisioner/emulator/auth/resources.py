"""The resources (token audiences) this tenant has a service principal for, and Entra's AADSTS500011
refusal for any other, which Entra, IMDS and App Service's identity endpoint all pass on."""

from __future__ import annotations

from provisioner.emulator.core import config

KNOWN_RESOURCES = frozenset(
    config.ARM_AUDIENCES
    + config.GRAPH_AUDIENCES
    + config.STORAGE_AUDIENCES
    + config.VAULT_AUDIENCES
    + config.SQL_AUDIENCES
    + config.OSSRDBMS_AUDIENCES
)
UNKNOWN_RESOURCE_CODE = 500011


def is_known_resource(resource: str, base_url: str) -> bool:
    """Whether the tenant has a service principal for `resource` (the local cloud's own Graph URL included)."""
    return resource in KNOWN_RESOURCES or resource in config.graph_audiences(base_url)


def unknown_resource(resource: str, tenant_id: str) -> str:
    """The description (without its `AADSTS500011: ` prefix) of a token asked for an unknown resource."""
    return (
        f"The resource principal named {resource} was not found in the tenant named {tenant_id}. This can happen "
        "if the application has not been installed by the administrator of the tenant or consented to by any "
        "user in the tenant. You might have sent your authentication request to the wrong tenant."
    )
