"""Bearer authentication: the caller of a call, from a token valid for one of the surface's audiences.

A leaf: the dispatcher and the data planes that authenticate by themselves (blob, vault, SQL) use it.
"""

from __future__ import annotations

from typing import Any

from provisioner.emulator.core.call import Call, Principal
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.core.tokens import TokenIssuer


def authenticate_bearer(call: Call, audiences: tuple[str, ...]) -> Principal:
    """Validate the bearer token for one of the audiences; 401 in the surface's words otherwise."""
    header = call.request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _missing_token(call)
    return principal_from_token(call.cloud.tokens, token.strip(), audiences)


def principal_from_token(tokens: TokenIssuer, token: str, audiences: tuple[str, ...]) -> Principal:
    """The principal a token names, once it is valid for one of the audiences (signature, issuer,
    audience, lifetime); CloudServiceError 401 otherwise. Shared by HTTPS and TDS logins."""
    claims: dict[str, Any] = tokens.validate(token, audiences=audiences)
    return Principal(
        object_id=str(claims.get("oid", "")).lower(),
        tenant_id=str(claims.get("tid", "")),
        app_id=claims.get("appid"),
        audience=str(claims.get("aud", "")),
        roles=tuple(claims.get("roles", ())),
        claims=claims,
    )


def _missing_token(call: Call) -> CloudServiceError:
    tenant = call.cloud.identity.tenant_id
    if call.surface is Surface.GRAPH:
        return CloudServiceError(401, "InvalidAuthenticationToken", "Access token is empty.")
    return CloudServiceError(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing.",
        headers={
            "WWW-Authenticate": f'Bearer authorization_uri="{call.base_url}/{tenant}", error="invalid_token", '
            "error_description=\"The authentication failed because of missing 'Authorization' header.\""
        },
    )
