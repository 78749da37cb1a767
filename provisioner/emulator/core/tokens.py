"""Access tokens: RS256 JWTs shaped like Entra ID's v1.0 app tokens, and their validation.

The signing key is generated on first start and kept in the data dir, so tokens survive a restart.
Validation refuses in ARM's words (401 InvalidAuthenticationToken, ExpiredAuthenticationToken,
InvalidAuthenticationTokenAudience, InvalidAuthenticationTokenTenant); each surface renders the
CloudServiceError in its own format. A verified signature is cached per token string (bounded LRU),
while expiry, not-before and audience are checked on every call.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from provisioner.emulator.core.errors import CloudServiceError

SIGNING_KEY_FILE = "token-signing-key.pem"
DEFAULT_LIFETIME_SECONDS = 3599
# Entra ID back-dates iat/nbf by five minutes to absorb clock skew.
CLOCK_SKEW_SECONDS = 300
CACHE_SIZE = 4096
DEFAULT_SUFFIX = "/.default"
REQUIRED_CLAIMS = ("aud", "iss", "exp", "nbf", "tid", "oid")
_STS_ISSUER = re.compile(r"^https://sts\.windows\.net/[0-9a-fA-F-]{36}/$")
# Resources whose registered identifier carries a trailing slash: `<resource>/.default` yields it.
_SLASH_RESOURCES = frozenset(
    {"https://management.azure.com", "https://management.core.windows.net", "https://database.windows.net"}
)

Claims = dict[str, Any]


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_on: int
    expires_in: int
    not_before: int


def audience_for_scope(scope: str) -> str:
    """The `aud` Entra ID puts in a token asked for with an OAuth scope.

    `https://management.azure.com/.default` -> `https://management.azure.com/` (ARM is registered
    with the slash), `https://management.azure.com//.default` -> the same, and
    `https://graph.microsoft.com/.default` -> `https://graph.microsoft.com`.
    """
    if not scope.endswith(DEFAULT_SUFFIX):
        return scope
    resource = scope.removesuffix(DEFAULT_SUFFIX)
    if resource.rstrip("/") in _SLASH_RESOURCES:
        return resource.rstrip("/") + "/"
    return resource


def arm_time(epoch: float) -> str:
    """A UTC time the way ARM's messages print it: `9/3/2019 9:07:31 PM`."""
    moment = datetime.fromtimestamp(epoch, UTC)
    hour = moment.hour % 12 or 12
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment:%M:%S} {moment:%p}"


def invalid_token(message: str = "The access token is invalid.") -> CloudServiceError:
    return CloudServiceError(401, "InvalidAuthenticationToken", message)


class TokenIssuer:
    def __init__(self, data_dir: Path, tenant_id: str, *, clock: Callable[[], float] = time.time) -> None:
        self.tenant_id = tenant_id
        self.issuer = f"https://sts.windows.net/{tenant_id}/"
        self._clock = clock
        self._private_key = _load_or_create_key(data_dir / SIGNING_KEY_FILE)
        self._public_key = self._private_key.public_key()
        self.kid = _thumbprint(self._public_key)
        self._cache: OrderedDict[str, Claims] = OrderedDict()
        self._lock = threading.Lock()

    def issue(
        self,
        *,
        audience: str,
        object_id: str,
        app_id: str,
        roles: Iterable[str] = (),
        lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
        extra_claims: dict[str, Any] | None = None,
    ) -> IssuedToken:
        now = int(self._clock())
        claims: Claims = {
            "aud": audience,
            "iss": self.issuer,
            "iat": now - CLOCK_SKEW_SECONDS,
            "nbf": now - CLOCK_SKEW_SECONDS,
            "exp": now + lifetime_seconds,
            "appid": app_id,
            "appidacr": "1",
            "idp": self.issuer,
            "idtyp": "app",
            "oid": object_id,
            "sub": object_id,
            "tid": self.tenant_id,
            "uti": secrets.token_urlsafe(16),
            "ver": "1.0",
        }
        if roles := list(roles):
            claims["roles"] = roles
        claims |= extra_claims or {}
        token = jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})
        return IssuedToken(token, int(claims["exp"]), int(claims["exp"]) - now, int(claims["nbf"]))

    def validate(self, token: str, *, audiences: Iterable[str]) -> Claims:
        """The token's claims when it is valid now for one of `audiences`; 401 otherwise."""
        claims = self._verified_claims(token)
        _check_audience(str(claims["aud"]), tuple(audiences))
        _check_lifetime(claims, self._clock())
        return claims

    def jwks(self) -> dict[str, Any]:
        numbers = self._public_key.public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "kid": self.kid,
                    "n": _b64_uint(numbers.n),
                    "e": _b64_uint(numbers.e),
                }
            ]
        }

    def _verified_claims(self, token: str) -> Claims:
        with self._lock:
            cached = self._cache.get(token)
            if cached is not None:
                self._cache.move_to_end(token)
                return cached
        claims = self._decode(token)
        with self._lock:
            self._cache[token] = claims
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return claims

    def _decode(self, token: str) -> Claims:
        try:
            claims: Claims = jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "require": list(REQUIRED_CLAIMS),
                },
            )
        except jwt.PyJWTError as exc:
            raise invalid_token() from exc
        self._check_issuer(str(claims["iss"]))
        # Entra puts its own tenant in both; a token that names another tenant in `tid` was not issued here.
        if str(claims["tid"]).lower() != self.tenant_id.lower():
            raise invalid_token()
        if not isinstance(claims["exp"], int | float) or not isinstance(claims["nbf"], int | float):
            raise invalid_token()
        return claims

    def _check_issuer(self, issuer: str) -> None:
        if issuer == self.issuer:
            return
        if _STS_ISSUER.match(issuer):
            raise CloudServiceError(
                401,
                "InvalidAuthenticationTokenTenant",
                f"The access token is from the wrong issuer '{issuer}'. It must match the tenant "
                f"'{self.issuer}' associated with this subscription. Please use the authority (URL) "
                f"'https://login.windows.net/{self.tenant_id}' to get the token. Note, if the subscription is "
                "transferred to another tenant there is no impact to the services, but information about new "
                "tenant could take time to propagate (up to an hour). If you just transferred your "
                "subscription and see this error message, please try back later.",
            )
        raise invalid_token()


def _check_audience(audience: str, allowed: tuple[str, ...]) -> None:
    if audience in allowed:
        return
    quoted = ",".join(f"'{candidate}'" for candidate in allowed)
    raise CloudServiceError(
        401,
        "InvalidAuthenticationTokenAudience",
        f"The access token has been obtained for wrong audience or resource '{audience}'. It should exactly "
        f"match with one of the allowed audiences {quoted}.",
    )


def _check_lifetime(claims: Claims, now: float) -> None:
    if claims["exp"] <= now:
        raise CloudServiceError(
            401,
            "ExpiredAuthenticationToken",
            f"The access token expiry UTC time '{arm_time(claims['exp'])}' is earlier than current UTC "
            f"time '{arm_time(now)}'.",
        )
    if claims["nbf"] > now:
        raise invalid_token(
            f"The access token is not yet valid: its 'not before' UTC time '{arm_time(claims['nbf'])}' is "
            f"later than current UTC time '{arm_time(now)}'."
        )


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if isinstance(key, rsa.RSAPrivateKey):
            return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.replace(tmp, path)
    return key


def _b64_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256) of the signing key."""
    numbers = public_key.public_numbers()
    canonical = json.dumps({"e": _b64_uint(numbers.e), "kty": "RSA", "n": _b64_uint(numbers.n)}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
