"""Who may do what with a vault's secrets: Key Vault's challenge (a request without a token is answered
401 with `WWW-Authenticate: Bearer authorization=".../<tenant>", resource="https://vault.azure.net"`),
then either RBAC dataActions at the secret, vault, group or subscription (when the vault's
`enableRbacAuthorization` is true; access policies are then ignored) or the vault's access policies
for the caller and the groups it belongs to."""

from __future__ import annotations

import time
from dataclasses import dataclass

from provisioner.emulator.arm.access import is_allowed
from provisioner.emulator.core import config
from provisioner.emulator.core.bearer import authenticate_bearer
from provisioner.emulator.core.call import Call, Principal
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.keyvault.deleted import find_deleted
from provisioner.emulator.keyvault.models import find_vault

SECRETS = "Microsoft.KeyVault/vaults/secrets"
VAULT_RESOURCE = "https://vault.azure.net"
HELP_LINK = "https://go.microsoft.com/fwlink/?linkid=2125287"


@dataclass(frozen=True)
class SecretOperation:
    permission: str  # the access policy permission (secrets)
    data_action: str  # the RBAC dataAction


GET = SecretOperation("get", f"{SECRETS}/getSecret/action")
LIST = SecretOperation("list", f"{SECRETS}/readMetadata/action")
SET = SecretOperation("set", f"{SECRETS}/setSecret/action")
DELETE = SecretOperation("delete", f"{SECRETS}/delete")
PURGE = SecretOperation("purge", f"{SECRETS}/purge/action")


def resolve_vault(call: Call) -> StoredResource:
    name = call.params["vault"]
    vault = find_vault(call.cloud.store, name)
    if vault is not None:
        return vault
    if find_deleted(call.cloud.store, name, time.time()) is not None:
        raise CloudServiceError(
            404,
            "VaultNotFound",
            f"Azure Key Vault '{name}' has been soft deleted. Operations on this vault can be performed only after "
            "recovering it. For recovery instructions see https://go.microsoft.com/fwlink/?linkid=2125182",
        )
    raise CloudServiceError(404, "VaultNotFound", f"The vault '{name}' does not exist.")


def _unauthorized(call: Call, vault: StoredResource, message: str) -> CloudServiceError:
    authority = f"{call.base_url}/{vault.body['properties']['tenantId']}"
    challenge = f'Bearer authorization="{authority}", resource="{VAULT_RESOURCE}"'
    return CloudServiceError(401, "Unauthorized", message, headers={"WWW-Authenticate": challenge})


def authenticate(call: Call, vault: StoredResource) -> Principal:
    """The caller, from a token for https://vault.azure.net issued by the vault's tenant."""
    scheme, _, token = call.request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized(call, vault, "AKV10000: Request is missing a Bearer or PoP token.")
    try:
        principal = authenticate_bearer(call, config.VAULT_AUDIENCES)
    except CloudServiceError as refused:
        raise _unauthorized(call, vault, refused.message) from refused
    tenant = vault.body["properties"]["tenantId"]
    if principal.tenant_id.lower() != tenant.lower():
        raise _unauthorized(
            call,
            vault,
            f"AKV10032: Invalid issuer. Expected one of https://sts.windows.net/{tenant}/, found "
            f"https://sts.windows.net/{principal.tenant_id}/.",
        )
    return principal


def authorize(
    call: Call, vault: StoredResource, principal: Principal, operation: SecretOperation, secret: str | None
) -> None:
    if vault.body["properties"].get("enableRbacAuthorization"):
        scope = vault.id + (f"/secrets/{secret}" if secret else "")
        if not is_allowed(call.cloud.store, principal.object_id, operation.data_action, scope, data_action=True):
            raise _forbidden_by_rbac(vault, principal, operation, scope)
        return
    granted = _policy_permissions(call, vault, principal)
    if "all" not in granted and operation.permission not in granted:
        raise CloudServiceError(
            403,
            "Forbidden",
            f"The user, group or application '{_caller(principal)}' does not have secrets {operation.permission} "
            f"permission on key vault '{_vault_label(vault)}'. For help resolving this issue, please see {HELP_LINK}",
            extra={"innererror": {"code": "AccessDenied"}},
        )


def _policy_permissions(call: Call, vault: StoredResource, principal: Principal) -> set[str]:
    """Secret permissions of the access policies that name the caller or one of its groups."""
    objects = {principal.object_id.lower()} | {
        group.lower() for group in call.cloud.store.groups_of(principal.object_id)
    }
    granted: set[str] = set()
    for policy in vault.body["properties"]["accessPolicies"]:
        if policy["tenantId"].lower() != principal.tenant_id.lower() or policy["objectId"].lower() not in objects:
            continue
        application = policy.get("applicationId")
        if application and application.lower() != (principal.app_id or "").lower():
            continue
        granted |= {permission.lower() for permission in policy["permissions"].get("secrets", [])}
    return granted


def _caller(principal: Principal) -> str:
    return f"appid={principal.app_id};oid={principal.object_id};iss={principal.claims.get('iss', '')}"


def _vault_label(vault: StoredResource) -> str:
    return f"{vault.body['name']};location={vault.body['location']}"


def _forbidden_by_rbac(
    vault: StoredResource, principal: Principal, operation: SecretOperation, scope: str
) -> CloudServiceError:
    message = (
        "Caller is not authorized to perform action on resource.\r\n"
        "If role assignments, deny assignments or role definitions were changed recently, please observe "
        "propagation time.\r\n"
        f"Caller: {_caller(principal)}\r\n"
        f"Action: '{operation.data_action}'\r\n"
        f"Resource: '{scope.lower()}'\r\n"
        "Assignment: (not found)\r\n"
        "DenyAssignmentId: null\r\n"
        "DecisionReason: null \r\n"
        f"Vault: {_vault_label(vault)}\r\n"
    )
    return CloudServiceError(403, "Forbidden", message, extra={"innererror": {"code": "ForbiddenByRbac"}})
