"""Shared Key authorization (`Authorization: SharedKey account:signature`): the string-to-sign of the
blob service (2009-09-19 and later), checked against both account keys.

For path-style URLs the canonicalized resource is `/account` followed by the request's encoded path,
which itself starts with `/account` (as Azurite and azure-storage-blob's StorageSharedKeyCredential
compute it for `https://127.0.0.1:PORT/account/...`). `x-ms-` headers are ordered the way the service
orders them (a culture-aware comparison that ignores hyphens first), which differs from a plain sort
only for names that are equal apart from their hyphens.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

from starlette.requests import Request

from provisioner.emulator.storage.blob_errors import authentication_failed
from provisioner.emulator.storage.sas import signed_by_any

STANDARD_HEADERS = (
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-type",
    "date",
    "if-modified-since",
    "if-match",
    "if-none-match",
    "if-unmodified-since",
    "range",
)
MAX_CLOCK_SKEW = timedelta(minutes=15)
_COLLATION = "!#$%&*.^_`|~+0123456789abcdefghijklmnopqrstuvwxyz"
_SECONDARY = {"'": 2, "-": 3}


def collation_key(name: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The service's order of header names: hyphens ignored first, then where the hyphens are."""
    primary = tuple(_COLLATION.find(char) if char in _COLLATION else 100 + ord(char) for char in name)
    return (
        tuple(weight for weight, char in zip(primary, name, strict=True) if char not in _SECONDARY),
        (*(_SECONDARY.get(char, 0) for char in name), 1),
    )


def string_to_sign(request: Request, account: str) -> str:
    standard = [request.headers.get(name, "") for name in STANDARD_HEADERS]
    if standard[2] == "0":
        standard[2] = ""  # Content-Length of zero is signed as empty (versions 2015-02-21 and later)
    ms_headers = sorted(
        ((name.lower(), value) for name, value in request.headers.items() if name.lower().startswith("x-ms-")),
        key=lambda item: collation_key(item[0]),
    )
    canonical_headers = "".join(f"{name}:{value}\n" for name, value in ms_headers)
    return "\n".join([request.method, *standard]) + "\n" + canonical_headers + _canonicalized_resource(request, account)


def _canonicalized_resource(request: Request, account: str) -> str:
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    raw_query = request.scope.get("query_string", b"").decode("latin-1")
    parameters: dict[str, str] = {}
    for pair in filter(None, raw_query.split("&")):
        name, _, value = pair.partition("=")
        parameters[name] = value
    query = "".join(f"\n{name.lower()}:{unquote(value)}" for name, value in sorted(parameters.items()))
    return f"/{account}{raw_path.decode('latin-1')}{query}"


def check_shared_key(request: Request, account: str, keys: Sequence[str], now: datetime) -> None:
    """AuthenticationFailed unless the request is signed for this account with one of its keys."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    name, _, signature = credentials.strip().partition(":")
    _check_date(request, now)
    text = string_to_sign(request, account)
    if scheme != "SharedKey" or name != account or not signed_by_any(keys, text, signature):
        raise authentication_failed(
            f"The MAC signature found in the HTTP request '{signature}' is not the same as any computed signature. "
            f"Server used following string to sign: '{text}'."
        )


def _check_date(request: Request, now: datetime) -> None:
    stamp = request.headers.get("x-ms-date") or request.headers.get("date")
    if not stamp:
        raise authentication_failed("Request date header not specified.")
    try:
        moment = parsedate_to_datetime(stamp)
    except (TypeError, ValueError) as exc:
        raise authentication_failed(f"The Date header in the request is incorrect: '{stamp}'.") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if now - moment > MAX_CLOCK_SKEW:
        raise authentication_failed(f"Request date header too old: '{stamp}'")
    if moment - now > MAX_CLOCK_SKEW:
        raise authentication_failed(f"Request date header is in the future: '{stamp}'")
