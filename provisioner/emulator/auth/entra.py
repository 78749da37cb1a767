"""Entra ID's endpoints as MSAL (and so azure-identity) calls them: OIDC discovery, instance discovery,
the v2.0 token endpoint (client credentials with a client secret) and the signing keys (JWKS).

Refusals use Entra's OAuth error format and AADSTS codes; `render.py` adds the timestamp, trace and
correlation ids to the body.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.responses import JSONResponse, Response

from provisioner.emulator.auth.resources import UNKNOWN_RESOURCE_CODE, is_known_resource, unknown_resource
from provisioner.emulator.core import config
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.core.tokens import DEFAULT_SUFFIX, IssuedToken, audience_for_scope

routes = RouteTable(Surface.ENTRA)

GRAPH_APP_ROLES = (
    "Group.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "Directory.Read.All",
    "Application.Read.All",
    "User.Read.All",
    "AppRoleAssignment.ReadWrite.All",
)
# Entra ID asks clients to refresh halfway through tokens that live two hours or more.
REFRESH_IN_THRESHOLD = 7200
NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


def aad_error(status: int, error: str, code: int, description: str, call: Call) -> CloudServiceError:
    """An Entra refusal: `{"error", "error_description": "AADSTS<code>: ...", "error_codes": [code]}`."""
    return CloudServiceError(
        status,
        error,
        f"AADSTS{code}: {description}",
        extra={"error_codes": [code], "error_uri": f"{call.base_url}/error?code={code}"},
    )


# The claims Entra's v2.0 discovery document lists (recorded in azure-sdk-for-python's MSI recordings).
DISCOVERY_CLAIMS = (
    *("sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host"),
    *("aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver"),
    *("at_hash", "c_hash", "email"),
)


@routes.get("/{tenant}/v2.0/.well-known/openid-configuration", authenticated=False)
async def openid_configuration(call: Call) -> Response:
    tenant = _known_tenant(call, error="invalid_tenant")
    base = call.base_url
    authority = f"{base}/{tenant}"
    return JSONResponse(
        {
            "token_endpoint": f"{authority}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{authority}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{authority}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{base}/oidc/userinfo",
            "authorization_endpoint": f"{authority}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{authority}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{authority}/oauth2/v2.0/logout",
            "claims_supported": list(DISCOVERY_CLAIMS),
            "kerberos_endpoint": f"{authority}/kerberos",
            "tenant_region_scope": "WW",
            "cloud_instance_name": "microsoftonline.com",
            # Azure AD Graph's retired host and the PAS endpoint, as Entra still announces them
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": urlsplit(base).netloc,
            "rbac_url": "https://pas.windows.net",
        },
        headers={"Cache-Control": "max-age=86400, private"},
    )


@routes.get("/common/discovery/instance", authenticated=False)
@routes.get("/{tenant}/discovery/instance", authenticated=False)
async def instance_discovery(call: Call) -> Response:
    """Answer for this cloud's own authority; any other host is `invalid_instance`, as Entra says."""
    endpoint = urlsplit(call.query_value("authorization_endpoint") or "")
    if endpoint.hostname not in LOCAL_HOSTS:
        raise aad_error(400, "invalid_instance", 50049, "Unknown or invalid instance.", call)
    netloc = urlsplit(call.base_url).netloc
    tenant = endpoint.path.strip("/").split("/", 1)[0] or "common"
    return JSONResponse(
        {
            "tenant_discovery_endpoint": f"{call.base_url}/{tenant}/v2.0/.well-known/openid-configuration",
            "api-version": call.query_value("api-version") or "1.1",
            "metadata": [
                {
                    "preferred_network": netloc,
                    "preferred_cache": netloc,
                    "aliases": sorted({netloc, endpoint.hostname}),
                }
            ],
        }
    )


@routes.get("/{tenant}/discovery/v2.0/keys", authenticated=False)
@routes.get("/{tenant}/discovery/keys", authenticated=False)
async def signing_keys(call: Call) -> Response:
    _known_tenant(call, error="invalid_tenant")
    return JSONResponse(call.cloud.tokens.jwks(), headers={"Cache-Control": "max-age=86400, private"})


@routes.post("/{tenant}/oauth2/v2.0/token", authenticated=False)
async def token(call: Call) -> Response:
    _known_tenant(call, error="invalid_request")
    form = _form(call)
    grant_type = form.get("grant_type", "")
    if grant_type != "client_credentials":
        raise aad_error(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant_type}'.",
            call,
        )
    _authenticate_client(call, form)
    audience = _audience(call, form.get("scope", ""))
    return JSONResponse(_token_body(_issue_for_operator(call, audience)), headers=NO_STORE)


def _known_tenant(call: Call, *, error: str) -> str:
    tenant = call.params["tenant"]
    if tenant.lower() != call.cloud.identity.tenant_id.lower():
        raise aad_error(
            400,
            error,
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
            "signing into the correct cloud. Check with your subscription administrator, this may happen if "
            "there are no active subscriptions for the tenant.",
            call,
        )
    return call.cloud.identity.tenant_id


def _form(call: Call) -> dict[str, str]:
    parsed = parse_qs(call.body_bytes.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items()}


def _authenticate_client(call: Call, form: dict[str, str]) -> None:
    identity = call.cloud.identity
    client_id = form.get("client_id", "")
    if not client_id:
        raise _missing_parameter(call, "client_id")
    if client_id.lower() != identity.operator_client_id.lower():
        raise aad_error(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id}' was not found in the directory "
            f"'{identity.tenant_id}'. This can happen if the application has not been installed by the "
            "administrator of the tenant or consented to by any user in the tenant. You may have sent your "
            "authentication request to the wrong tenant.",
            call,
        )
    secret = form.get("client_secret")
    if secret is None:
        raise aad_error(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            call,
        )
    if not hmac.compare_digest(secret.encode(), identity.operator_secret.encode()):
        raise aad_error(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client "
            "secret value, not the client secret ID, for a secret added to app "
            f"'{identity.operator_client_id}'.",
            call,
        )


def _audience(call: Call, scope: str) -> str:
    if not scope.strip():
        raise _missing_parameter(call, "scope")
    scopes = scope.split()
    if len(scopes) != 1 or not scopes[0].endswith(DEFAULT_SUFFIX):
        raise aad_error(
            400,
            "invalid_scope",
            1002012,
            f"The provided value for scope {scope} is not valid. Client credential flows must have a scope "
            "value with /.default suffixed to the resource identifier (application ID URI).",
            call,
        )
    audience = audience_for_scope(scopes[0])
    if not is_known_resource(audience, call.base_url):
        raise aad_error(
            400,
            "invalid_resource",
            UNKNOWN_RESOURCE_CODE,
            unknown_resource(audience, call.cloud.identity.tenant_id),
            call,
        )
    return audience


def _missing_parameter(call: Call, name: str) -> CloudServiceError:
    return aad_error(
        400,
        "invalid_request",
        900144,
        f"The request body must contain the following parameter: '{name}'.",
        call,
    )


def _issue_for_operator(call: Call, audience: str) -> IssuedToken:
    identity = call.cloud.identity
    roles = GRAPH_APP_ROLES if audience in config.graph_audiences(call.base_url) else ()
    return call.cloud.tokens.issue(
        audience=audience,
        object_id=identity.operator_object_id,
        app_id=identity.operator_client_id,
        roles=roles,
    )


def _token_body(issued: IssuedToken) -> dict[str, Any]:
    """Entra's client-credentials answer: integers, and `refresh_in` only for long-lived tokens."""
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "ext_expires_in": issued.expires_in,
    }
    if issued.expires_in >= REFRESH_IN_THRESHOLD:
        body["refresh_in"] = issued.expires_in // 2
    body["access_token"] = issued.token
    return body
