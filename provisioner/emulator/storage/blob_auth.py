"""Who may do what on the blob data plane: a service SAS, Shared Key, or a bearer token for
https://storage.azure.com/ whose caller's role assignments allow the operation at the container or above.

Each operation names the RBAC permission it needs (a dataAction for blobs, an action for containers,
as in Azure) and the SAS permission letter that allows it; container operations other than listing
cannot be done with a service SAS at all (Azure answers AuthorizationFailure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from provisioner.emulator.arm.access import is_allowed
from provisioner.emulator.core import config
from provisioner.emulator.core.bearer import authenticate_bearer
from provisioner.emulator.core.call import Call, Principal
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.storage import blob_errors
from provisioner.emulator.storage.keys import account_keys
from provisioner.emulator.storage.models import container_id, shared_key_allowed
from provisioner.emulator.storage.sas import canonicalized_resource, check_signature, check_validity, fields_from_query
from provisioner.emulator.storage.sharedkey import check_shared_key

CONTAINERS = "Microsoft.Storage/storageAccounts/blobServices/containers"
BLOBS = f"{CONTAINERS}/blobs"
STORAGE_RESOURCE = "https://storage.azure.com"
NOT_AUTHENTICATED = (
    "Server failed to authenticate the request. Please refer to the information in the www-authenticate header."
)
_TOKEN_DETAILS = {
    "ExpiredAuthenticationToken": "Lifetime validation failed. The token is expired.",
    "InvalidAuthenticationTokenAudience": "Audience validation failed. Audience did not match.",
    "InvalidAuthenticationTokenTenant": "Issuer validation failed. Issuer did not match.",
    "InvalidAuthenticationToken": "Signature validation failed. Signature is invalid.",
}


@dataclass(frozen=True)
class BlobOperation:
    permission: str  # the RBAC operation
    data_action: bool
    sas_letter: str  # the service SAS permission that allows it; "" when no service SAS can
    container_level: bool  # acts on the container, not on one blob


CREATE_CONTAINER = BlobOperation(f"{CONTAINERS}/write", data_action=False, sas_letter="", container_level=True)
READ_CONTAINER = BlobOperation(f"{CONTAINERS}/read", data_action=False, sas_letter="", container_level=True)
DELETE_CONTAINER = BlobOperation(f"{CONTAINERS}/delete", data_action=False, sas_letter="", container_level=True)
LIST_BLOBS = BlobOperation(f"{BLOBS}/read", data_action=True, sas_letter="l", container_level=True)
READ_BLOB = BlobOperation(f"{BLOBS}/read", data_action=True, sas_letter="r", container_level=False)
WRITE_BLOB = BlobOperation(f"{BLOBS}/write", data_action=True, sas_letter="w", container_level=False)
CREATE_BLOB = BlobOperation(f"{BLOBS}/add/action", data_action=True, sas_letter="c", container_level=False)
DELETE_BLOB = BlobOperation(f"{BLOBS}/delete", data_action=True, sas_letter="d", container_level=False)


@dataclass(frozen=True)
class BlobTarget:
    account: StoredResource
    container: str
    blob: str | None = None

    @property
    def account_name(self) -> str:
        return str(self.account.body["name"])

    @property
    def container_id(self) -> str:
        return container_id(self.account.id, self.container)


def authorize(call: Call, target: BlobTarget, *operations: BlobOperation) -> None:
    """Allow the request when its credential allows any of `operations` (a new blob: write or create)."""
    if call.query_value("sig") is not None:
        _authorize_sas(call, target, operations)
        return
    scheme = call.request.headers.get("authorization", "").partition(" ")[0].lower()
    if scheme == "sharedkey":
        _require_key_access(target)
        check_shared_key(call.request, target.account_name, _keys(call, target), _now())
    elif scheme == "bearer":
        _authorize_bearer(call, target, operations)
    else:
        raise CloudServiceError(401, "NoAuthenticationInformation", NOT_AUTHENTICATED, headers=_challenge(call))


def _now() -> datetime:
    return datetime.now(UTC)


def _keys(call: Call, target: BlobTarget) -> list[str]:
    return [key.value for key in account_keys(call.cloud.store, target.account.id)]


def _require_key_access(target: BlobTarget) -> None:
    if not shared_key_allowed(target.account):
        raise blob_errors.key_based_auth_not_permitted()


def _authorize_sas(call: Call, target: BlobTarget, operations: tuple[BlobOperation, ...]) -> None:
    _require_key_access(target)
    query = call.query
    fields = fields_from_query(query)
    if fields.sr == "b" and target.blob is None:
        raise blob_errors.resource_type_mismatch()
    resource = canonicalized_resource(target.account_name, target.container, target.blob if fields.sr == "b" else None)
    check_signature(fields, query["sig"], _keys(call, target), resource)
    client = call.request.client
    check_validity(fields, _now(), client.host if client else "127.0.0.1")
    usable = [operation for operation in operations if operation.sas_letter]
    if not usable:
        raise blob_errors.authorization_failure()
    if not any(operation.sas_letter in fields.sp for operation in usable):
        raise blob_errors.permission_mismatch()


def _authorize_bearer(call: Call, target: BlobTarget, operations: tuple[BlobOperation, ...]) -> None:
    principal = _bearer_principal(call)
    store = call.cloud.store
    scope = target.container_id
    if not any(
        is_allowed(store, principal.object_id, operation.permission, scope, data_action=operation.data_action)
        for operation in operations
    ):
        raise blob_errors.permission_mismatch()


def _bearer_principal(call: Call) -> Principal:
    """The token's caller; a refused token is answered as Storage does, with its bearer challenge."""
    try:
        return authenticate_bearer(call, config.STORAGE_AUDIENCES)
    except CloudServiceError as refused:
        detail = _TOKEN_DETAILS.get(refused.code, refused.message)
        raise CloudServiceError(
            401,
            "InvalidAuthenticationInfo",
            NOT_AUTHENTICATED,
            headers=_challenge(call),
            extra={"AuthenticationErrorDetail": detail},
        ) from refused


def _challenge(call: Call) -> dict[str, str]:
    authority = f"{call.base_url}/{call.cloud.identity.tenant_id}/oauth2/authorize"
    return {"WWW-Authenticate": f"Bearer authorization_uri={authority} resource_id={STORAGE_RESOURCE}"}
