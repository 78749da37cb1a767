"""The Key Vault secrets data plane, at `{vaultUri}secrets/...`: the root of the vault's own port
(see emulator/core/vaulthosts.py), or `https://127.0.0.1:PORT/_vaults/<vault>/secrets/...` on the main port.

Ids in answers are Azure's, `{vaultUri}secrets/<name>/<version>`: they name their vault and version, and
azure-keyvault-secrets (which parses every id it receives) turns one back into a client for that vault.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.responses import Response

from provisioner.emulator.arm.responses import arm_json, no_content, paged
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.naming import check_secret_name
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.core.vaulthosts import VAULT_PREFIX
from provisioner.emulator.keyvault import secret_auth, secrets
from provisioner.emulator.keyvault.secret_auth import SecretOperation
from provisioner.emulator.keyvault.secrets import SecretVersion

routes = RouteTable(Surface.VAULT)
VAULT = VAULT_PREFIX + "/{vault}"
MAX_PAGE = 25
SECONDS_PER_DAY = 86400


def _bad_parameter(message: str) -> CloudServiceError:
    return CloudServiceError(400, "BadParameter", message)


def _begin(call: Call, operation: SecretOperation, secret: str | None) -> StoredResource:
    """Find the vault, answer the challenge, check the request, authorize the operation."""
    vault = secret_auth.resolve_vault(call)
    principal = secret_auth.authenticate(call, vault)
    if not call.api_version:
        raise _bad_parameter("The 'api-version' query parameter is missing.")
    if secret is not None:
        check_secret_name(secret)
    secret_auth.authorize(call, vault, principal, operation, secret)
    return vault


def _not_found(name: str) -> CloudServiceError:
    return CloudServiceError(
        404,
        "SecretNotFound",
        f"A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you "
        "may be able to recover it using the correct recovery command. For help resolving this issue, please see "
        "https://go.microsoft.com/fwlink/?linkid=2125182",
    )


def _retention_days(vault: StoredResource) -> int:
    return int(vault.body["properties"]["softDeleteRetentionInDays"])


def _vault_uri(call: Call, vault: StoredResource) -> str:
    return call.cloud.vault_hosts.vault_url(call.base_url, vault.body["name"])


def _secret_json(call: Call, vault: StoredResource, secret: SecretVersion, *, value: bool, versioned: bool) -> Any:
    purgeable = "" if vault.body["properties"].get("enablePurgeProtection") else "+Purgeable"
    body: dict[str, Any] = {
        "id": f"{_vault_uri(call, vault)}secrets/{secret.name}" + (f"/{secret.version}" if versioned else ""),
        "attributes": secret.attributes
        | {"recoveryLevel": f"Recoverable{purgeable}", "recoverableDays": _retention_days(vault)},
    }
    if value:
        body["value"] = secret.value
    if secret.content_type is not None:
        body["contentType"] = secret.content_type
    if secret.tags:
        body["tags"] = secret.tags
    return body


def _deleted_json(call: Call, vault: StoredResource, secret: SecretVersion) -> Any:
    deleted = int(secret.deleted or 0)
    return _secret_json(call, vault, secret, value=False, versioned=True) | {
        "recoveryId": f"{_vault_uri(call, vault)}deletedsecrets/{secret.name}",
        "deletedDate": deleted,
        "scheduledPurgeDate": deleted + _retention_days(vault) * SECONDS_PER_DAY,
    }


def _page_size(call: Call) -> int:
    value = call.query_value("maxresults")
    if value is None:
        return MAX_PAGE
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise _bad_parameter(f"invalid maxresults: {value}. The value must be between 1 and {MAX_PAGE}.")
    return int(value)


@routes.get(VAULT + "/secrets", authenticated=False)
async def list_secrets(call: Call) -> Response:
    vault = _begin(call, secret_auth.LIST, None)
    items = [
        _secret_json(call, vault, item, value=False, versioned=False)
        for item in secrets.list_latest(call.cloud.store, vault.id)
    ]
    return paged(call, items, _page_size(call))


@routes.get(VAULT + "/secrets/{name}/versions", authenticated=False)
async def list_secret_versions(call: Call) -> Response:
    vault = _begin(call, secret_auth.LIST, call.params["name"])
    found = secrets.list_versions(call.cloud.store, vault.id, call.params["name"])
    items = [_secret_json(call, vault, item, value=False, versioned=True) for item in found]
    return paged(call, items, _page_size(call))


async def _get(call: Call, version: str | None) -> Response:
    vault = _begin(call, secret_auth.GET, call.params["name"])
    secret = secrets.get_version(call.cloud.store, vault.id, call.params["name"], version)
    if secret is None:
        raise _not_found(call.params["name"] + (f"/{version}" if version else ""))
    if not secret.attributes.get("enabled", True):
        raise CloudServiceError(
            403,
            "Forbidden",
            "Operation get is not allowed on a disabled secret.",
            extra={"innererror": {"code": "SecretDisabled"}},
        )
    return arm_json(_secret_json(call, vault, secret, value=True, versioned=True))


@routes.get(VAULT + "/secrets/{name}", authenticated=False)
async def get_secret(call: Call) -> Response:
    return await _get(call, None)


@routes.get(VAULT + "/secrets/{name}/{version}", authenticated=False)
async def get_secret_version(call: Call) -> Response:
    return await _get(call, call.params["version"])


def _requested_secret(call: Call) -> SecretVersion:
    request = call.json()
    value, tags, content_type = request.get("value"), request.get("tags") or {}, request.get("contentType")
    if not isinstance(value, str):
        raise _bad_parameter("The parameter 'value' is required and must be a string.")
    if not isinstance(tags, dict) or not all(isinstance(item, str) for item in tags.values()):
        raise _bad_parameter("The parameter 'tags' must map names to strings.")
    return SecretVersion(
        name=call.params["name"],
        version="",
        value=value,
        content_type=None if content_type is None else str(content_type),
        tags=tags,
        attributes=_attributes(request.get("attributes") or {}),
    )


def _attributes(requested: Any) -> dict[str, Any]:
    """enabled, nbf and exp as asked (epoch seconds), with the creation and update times."""
    now = int(time.time())
    stored: dict[str, Any] = {"enabled": True, "created": now, "updated": now}
    if not isinstance(requested, dict):
        raise _bad_parameter("The parameter 'attributes' must be an object.")
    if "enabled" in requested:
        stored["enabled"] = requested["enabled"] is not False
    for name in ("nbf", "exp"):
        value = requested.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise _bad_parameter(f"The parameter 'attributes.{name}' must be a number of seconds since 1970.")
        stored[name] = value
    return stored


@routes.put(VAULT + "/secrets/{name}", authenticated=False)
async def set_secret(call: Call) -> Response:
    vault = _begin(call, secret_auth.SET, call.params["name"])
    created = secrets.set_secret(call.cloud.store, vault.id, _requested_secret(call))
    return arm_json(_secret_json(call, vault, created, value=True, versioned=True))


@routes.delete(VAULT + "/secrets/{name}", authenticated=False)
async def delete_secret(call: Call) -> Response:
    vault = _begin(call, secret_auth.DELETE, call.params["name"])
    deleted = secrets.delete_secret(call.cloud.store, vault.id, call.params["name"], int(time.time()))
    if deleted is None:
        raise _not_found(call.params["name"])
    return arm_json(_deleted_json(call, vault, deleted))


@routes.get(VAULT + "/deletedsecrets/{name}", authenticated=False)
async def get_deleted_secret(call: Call) -> Response:
    vault = _begin(call, secret_auth.LIST, call.params["name"])
    deleted = secrets.get_deleted(call.cloud.store, vault.id, call.params["name"])
    if deleted is None:
        raise CloudServiceError(404, "SecretNotFound", "Deleted Secret not found")
    return arm_json(_deleted_json(call, vault, deleted))


@routes.delete(VAULT + "/deletedsecrets/{name}", authenticated=False)
async def purge_deleted_secret(call: Call) -> Response:
    vault = _begin(call, secret_auth.PURGE, call.params["name"])
    if vault.body["properties"].get("enablePurgeProtection"):
        raise CloudServiceError(
            403,
            "Forbidden",
            f'Operation "purge" is not allowed because purge protection is enabled for this vault. Key Vault '
            f"service will automatically purge it after the retention period has passed.\r\nVault: "
            f"{vault.body['name']};location={vault.body['location']}",
        )
    if not secrets.purge_secret(call.cloud.store, vault.id, call.params["name"]):
        raise CloudServiceError(404, "SecretNotFound", "Deleted Secret not found")
    return no_content(204)
