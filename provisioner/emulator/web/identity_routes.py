"""App Service's managed-identity endpoint, one per web app.

A program acts "inside" a web app with IDENTITY_ENDPOINT=`https://127.0.0.1:PORT/_appservice/{id}/msi/token`
and IDENTITY_HEADER=`<the site's secret>` (from `GET /_cloud/web-app-identity-endpoint?id=SITE_ID`);
azure-identity's ManagedIdentityCredential (through MSAL) then sends
`GET {endpoint}?api-version=2019-08-01&resource=...[&client_id|principal_id|object_id|mi_res_id=...]`
with `X-IDENTITY-HEADER`, exactly as on App Service. The secret is persisted per site and replaced
when the site is deleted and created again. Errors are App Service's `{"statusCode", "message",
"correlationId"}`."""

from __future__ import annotations

import hmac
import secrets
import uuid

from starlette.responses import JSONResponse, Response

from provisioner.emulator.auth.attached import AttachedIdentity, attached_identities, select_identity
from provisioner.emulator.auth.imds import token_response
from provisioner.emulator.auth.resources import UNKNOWN_RESOURCE_CODE, is_known_resource, unknown_resource
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import Store, StoredResource, resource_key
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.resources.cascade import on_delete

routes = RouteTable(Surface.APP_IDENTITY)
PREFIX = "/_appservice"
API_VERSION = "2019-08-01"
SITE_TYPE = "microsoft.web/sites"
# Created with a plain statement inside the caller's transaction (`Store.add_schema` would commit it).
SCHEMA = """CREATE TABLE IF NOT EXISTS web_identity_endpoints (
    site_key TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL UNIQUE,
    secret TEXT NOT NULL
)"""
# query parameter -> the key `identity.select_identity` matches on
SELECTORS = {"client_id": "client_id", "principal_id": "object_id", "object_id": "object_id", "mi_res_id": "msi_res_id"}
UNABLE = "Unable to load the proper Managed Identity."


def ensure_endpoint(store: Store, site_id: str) -> tuple[str, str]:
    """(endpoint id, secret) of a site, created with the site."""
    with store.transaction() as conn:
        conn.execute(SCHEMA)
        conn.execute(
            "INSERT OR IGNORE INTO web_identity_endpoints (site_key, endpoint_id, secret) VALUES (?, ?, ?)",
            (resource_key(site_id), uuid.uuid4().hex, secrets.token_hex(16)),
        )
        row = conn.execute(
            "SELECT endpoint_id, secret FROM web_identity_endpoints WHERE site_key = ?", (resource_key(site_id),)
        ).fetchone()
    return str(row[0]), str(row[1])


@on_delete
def _forget_endpoint(store: Store, resource: StoredResource) -> None:
    if resource.type == SITE_TYPE:
        with store.transaction() as conn:
            conn.execute(SCHEMA)
            conn.execute("DELETE FROM web_identity_endpoints WHERE site_key = ?", (resource_key(resource.id),))


def identity_environment(call: Call, site_id: str) -> dict[str, str]:
    """The control endpoint's answer: the two variables App Service sets inside the app."""
    site = call.cloud.store.get_resource(site_id)
    if site is None or site.type != SITE_TYPE:
        raise CloudServiceError(404, "ResourceNotFound", f"No web app with id '{site_id}'.")
    endpoint_id, secret = ensure_endpoint(call.cloud.store, site.id)
    return {"identity_endpoint": f"{call.base_url}{PREFIX}/{endpoint_id}/msi/token", "identity_header": secret}


def _site(call: Call) -> tuple[StoredResource, str]:
    store = call.cloud.store
    with store.transaction() as conn:
        conn.execute(SCHEMA)
        row = conn.execute(
            "SELECT site_key, secret FROM web_identity_endpoints WHERE endpoint_id = ?", (call.params["endpoint"],)
        ).fetchone()
    site = store.get_resource(str(row[0])) if row else None
    if row is None or site is None:
        raise CloudServiceError(404, "NotFound", "The web app this identity endpoint belonged to no longer exists.")
    return site, str(row[1])


@routes.get(PREFIX + "/{endpoint}/msi/token", authenticated=False)
async def app_service_token(call: Call) -> Response:
    site, secret = _site(call)
    header = call.request.headers.get("x-identity-header")
    if not header:
        raise CloudServiceError(400, "BadRequest", "The X-IDENTITY-HEADER header is required.")
    if not hmac.compare_digest(header.encode(), secret.encode()):
        raise CloudServiceError(401, "Unauthorized", "The X-IDENTITY-HEADER header does not match this app's secret.")
    if call.api_version != API_VERSION:
        raise CloudServiceError(400, "BadRequest", f"The api-version '{call.api_version}' is not supported.")
    resource = call.query_value("resource")
    if not resource:
        raise CloudServiceError(400, "BadRequest", "The 'resource' query parameter is required.")
    if not is_known_resource(resource, call.base_url):
        description = unknown_resource(resource, call.cloud.identity.tenant_id)
        raise CloudServiceError(400, "BadRequest", f"AADSTS{UNKNOWN_RESOURCE_CODE}: {description}")
    identity = _choose(call, attached_identities(call.cloud.store, site))
    token = token_response(call, identity, resource)
    return JSONResponse(
        {
            "access_token": token["access_token"],
            "expires_on": token["expires_on"],
            "resource": resource,
            "token_type": "Bearer",
            "client_id": identity.client_id,
        }
    )


def _choose(call: Call, identities: list[AttachedIdentity]) -> AttachedIdentity:
    """App Service's rule: the identity a selector names, else the system-assigned one (never a guess)."""
    chosen = [(key, value) for key in SELECTORS if (value := call.query_value(key))]
    if len(chosen) > 1:
        raise CloudServiceError(
            400, "BadRequest", "Only one of client_id, principal_id, object_id or mi_res_id may be specified."
        )
    if not chosen:
        system = [item for item in identities if item.system]
        if not system:
            raise CloudServiceError(400, "BadRequest", UNABLE)
        return system[0]
    key, value = chosen[0]
    try:
        return select_identity(identities, (SELECTORS[key], value))
    except CloudServiceError as missing:
        raise CloudServiceError(400, "BadRequest", UNABLE) from missing
