"""Service shared access signatures for blobs: the string-to-sign of each signed version, signing with
an account key (HMAC-SHA256), the token `listServiceSas` answers, and checking a token on a request.

The string-to-sign follows Azure's service SAS definition for the `sv` in the token, so a SAS made by
azure-storage-blob's `generate_blob_sas` / `generate_container_sas` from a key of `listKeys` validates
here exactly as one made by `listServiceSas` (which, like Azure's, signs with sv=2015-04-05).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlencode

from provisioner.emulator.storage.blob_errors import authentication_failed, protocol_mismatch, source_ip_mismatch
from provisioner.emulator.storage.models import invalid_parameter

LIST_SERVICE_SAS_VERSION = "2015-04-05"
OLDEST_VERSION = "2015-04-05"
RESOURCE_AND_SNAPSHOT_SINCE = "2018-11-09"
ENCRYPTION_SCOPE_SINCE = "2020-12-06"
PROTOCOLS = ("https", "https,http")
SIGNED_RESOURCES = ("b", "c")
PERMISSION_LETTERS = "racwdxyltmeopi"
# Response header overrides, in string-to-sign order: (query name, listServiceSas body name).
OVERRIDES = (
    ("rscc", "cacheControl"),
    ("rscd", "contentDisposition"),
    ("rsce", "contentEncoding"),
    ("rscl", "contentLanguage"),
    ("rsct", "contentType"),
)


@dataclass(frozen=True)
class ServiceSas:
    """A service SAS's signed fields, named by their query parameters."""

    sv: str
    sr: str
    sp: str
    se: str
    st: str = ""
    si: str = ""
    sip: str = ""
    spr: str = ""
    snapshot: str = ""
    ses: str = ""
    overrides: tuple[str, ...] = ("", "", "", "", "")

    def string_to_sign(self, canonicalized_resource: str) -> str:
        parts = [self.sp, self.st, self.se, canonicalized_resource, self.si, self.sip, self.spr, self.sv]
        if self.sv >= RESOURCE_AND_SNAPSHOT_SINCE:
            parts += [self.sr, self.snapshot]
        if self.sv >= ENCRYPTION_SCOPE_SINCE:
            parts.append(self.ses)
        return "\n".join([*parts, *self.overrides])


def sign(account_key: str, text: str) -> str:
    digest = hmac.new(base64.b64decode(account_key), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_by_any(keys: Sequence[str], text: str, signature: str) -> bool:
    """Whether `signature` (any text a client sent) is the signature of `text` with one of `keys`."""
    claimed = signature.encode("utf-8", "surrogateescape")
    return any(hmac.compare_digest(sign(key, text).encode(), claimed) for key in keys)


def canonicalized_resource(account: str, container: str, blob: str | None) -> str:
    return f"/blob/{account}/{container}" + (f"/{blob}" if blob else "")


def parse_time(value: str) -> datetime | None:
    """A SAS time (`2024-01-01`, `...T10:00Z`, `...T10:00:00Z`, fractions too) in UTC; None when invalid."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def sas_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _http_date(moment: datetime | None) -> str:
    return format_datetime(moment, usegmt=True) if moment else ""


# ---- listServiceSas ------------------------------------------------------------------------


def _signed_time(body: Mapping[str, Any], name: str, *, required: bool) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    moment = parse_time(str(value or ""))
    if moment is None:
        raise invalid_parameter(name)
    return sas_time(moment)


def _target(body: Mapping[str, Any], account: str, signed_resource: str) -> tuple[str, str | None]:
    """(container, blob) named by `canonicalizedResource` (`/blob/<account>/<container>[/<blob>]`)."""
    prefix = f"/blob/{account}/"
    resource = str(body.get("canonicalizedResource") or "")
    if not resource.startswith(prefix):
        raise invalid_parameter("canonicalizedResource")
    container, _, blob = resource.removeprefix(prefix).partition("/")
    if not container or (signed_resource == "b") != bool(blob):
        raise invalid_parameter("canonicalizedResource")
    return container, blob or None


def service_sas_from_request(body: Mapping[str, Any], account: str, keys: Mapping[str, str]) -> str:
    """The `serviceSasToken` for a `listServiceSas` body, signed with `keyToSign` (key1 by default)."""
    signed_resource = str(body.get("signedResource") or "")
    if signed_resource not in SIGNED_RESOURCES:
        raise invalid_parameter("signedResource")
    permissions = str(body.get("signedPermission") or "")
    if not permissions or any(letter not in PERMISSION_LETTERS for letter in permissions):
        raise invalid_parameter("signedPermission")
    protocol = str(body.get("signedProtocol") or "")
    if protocol and protocol not in PROTOCOLS:
        raise invalid_parameter("signedProtocol")
    key = keys.get(str(body.get("keyToSign") or "key1"))
    if key is None:
        raise invalid_parameter("keyToSign")
    container, blob = _target(body, account, signed_resource)
    fields = ServiceSas(
        sv=LIST_SERVICE_SAS_VERSION,
        sr=signed_resource,
        sp=permissions,
        se=_signed_time(body, "signedExpiry", required=True),
        st=_signed_time(body, "signedStart", required=False),
        si=str(body.get("signedIdentifier") or ""),
        sip=str(body.get("signedIp") or ""),
        spr=protocol,
        overrides=tuple(str(body.get(name) or "") for _, name in OVERRIDES),
    )
    return service_sas_token(fields, key, account, container, blob)


def service_sas_token(fields: ServiceSas, account_key: str, account: str, container: str, blob: str | None) -> str:
    """The token `listServiceSas` answers: signed fields, then `sig`, URL-encoded as Azure does."""
    signature = sign(account_key, fields.string_to_sign(canonicalized_resource(account, container, blob)))
    query: list[tuple[str, str]] = [("sv", fields.sv), ("sr", fields.sr)]
    query += [(name, value) for name, value in (("st", fields.st), ("se", fields.se)) if value]
    query.append(("sp", fields.sp))
    query += [(name, value) for name, value in (("spr", fields.spr), ("sip", fields.sip), ("si", fields.si)) if value]
    query += [(name, value) for (name, _), value in zip(OVERRIDES, fields.overrides, strict=True) if value]
    query.append(("sig", signature))
    return urlencode(query, quote_via=quote)


# ---- checking a SAS on a request ---------------------------------------------------------------


def fields_from_query(query: Mapping[str, str]) -> ServiceSas:
    """The signed fields of a request's SAS; AuthenticationFailed when a mandatory one is missing."""
    for name in ("sr", "sp", "se"):
        if not query.get(name):
            raise authentication_failed(f"{name} is mandatory. Cannot be empty")
    if query["sr"] not in SIGNED_RESOURCES:
        raise authentication_failed("Signature fields not well formed.")
    version = query.get("sv", "")
    if parse_time(version) is None or version < OLDEST_VERSION:
        raise authentication_failed(f"The specified signed version {version} is not supported.")
    return ServiceSas(
        sv=version,
        sr=query["sr"],
        sp=query["sp"],
        se=query["se"],
        st=query.get("st", ""),
        si=query.get("si", ""),
        sip=query.get("sip", ""),
        spr=query.get("spr", ""),
        snapshot=query.get("snapshot", ""),
        ses=query.get("ses", ""),
        overrides=tuple(query.get(name, "") for name, _ in OVERRIDES),
    )


def check_signature(fields: ServiceSas, signature: str, keys: Sequence[str], resource: str) -> None:
    """The signature must be the HMAC of the string-to-sign with one of the account's keys."""
    text = fields.string_to_sign(resource)
    if not signed_by_any(keys, text, signature):
        raise authentication_failed(f"Signature did not match. String to sign used was {text}")


def check_validity(fields: ServiceSas, now: datetime, client_address: str) -> None:
    """Time window, protocol and source address of a correctly signed SAS."""
    if fields.si:
        raise authentication_failed(f"The signed identifier '{fields.si}' names no stored access policy.")
    start, expiry = parse_time(fields.st) if fields.st else None, parse_time(fields.se)
    if expiry is None or (fields.st and start is None):
        raise authentication_failed("Signature fields not well formed.")
    if now > expiry or (start is not None and now < start):
        raise authentication_failed(
            f"Signature not valid in the specified time frame: Start [{_http_date(start)}] - "
            f"Expiry [{_http_date(expiry)}] - Current [{_http_date(now)}]"
        )
    if fields.spr == "http":
        raise protocol_mismatch()
    if fields.spr and fields.spr not in PROTOCOLS:
        raise authentication_failed("Signature fields not well formed.")
    if fields.sip and not _address_in(client_address, fields.sip):
        raise source_ip_mismatch(client_address)


def _address_in(address: str, allowed: str) -> bool:
    low, _, high = allowed.partition("-")
    try:
        value = ipaddress.IPv4Address(address)
        return ipaddress.IPv4Address(low) <= value <= ipaddress.IPv4Address(high or low)
    except ValueError:
        return False
