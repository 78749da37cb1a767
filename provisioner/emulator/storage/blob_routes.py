"""The blob data plane, path style: `https://127.0.0.1:PORT/<account>/<container>[/<blob>]`.

These paths have no fixed prefix, so their patterns only accept a first segment that can be a storage
account name (3-24 lowercase letters and digits) and is not a root segment of another surface; they
are catch-all routes, tried after every other, and a well-formed name that is no account answers
Storage's 404. Every
route authenticates itself (SAS, Shared Key or bearer token): see `blob_auth`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from starlette.responses import Response

from provisioner.emulator.arm.tracked import now_iso
from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.naming import check_container_name
from provisioner.emulator.core.routing import Handler, Route, RouteTable
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.resources.cascade import delete_one
from provisioner.emulator.storage import blob_auth, blob_checks, blob_errors, blobstore, leases
from provisioner.emulator.storage.blob_auth import BlobTarget
from provisioner.emulator.storage.models import (
    check_public_access,
    container_body,
    find_account,
    save_container,
)

routes = RouteTable(Surface.BLOB)
_ACCOUNT = (
    r"(?P<account>(?!(?:subscriptions|providers|tenants|metadata|common|organizations|consumers)/)[a-z0-9]{3,24})"
)
CONTAINER_PATH = re.compile(rf"^/{_ACCOUNT}/(?P<container>[^/]+)/?$")
BLOB_PATH = re.compile(rf"^/{_ACCOUNT}/(?P<container>[^/]+)/(?P<blob>.+)$")
DEFAULT_CONTENT_TYPE = "application/octet-stream"
MAX_RESULTS = 5000
_XML_HEADER = '<?xml version="1.0" encoding="utf-8"?>'


def _route(method: str, pattern: re.Pattern[str], handler: Handler) -> None:
    """A route with its own pattern (RouteTable's templates cannot restrict a segment)."""
    route = Route(
        method=method,
        template=pattern.pattern,
        pattern=pattern,
        handler=handler,
        surface=Surface.BLOB,
        operation=handler.__name__,
        authenticated=False,
        catch_all=True,
    )
    routes.routes.append(route)


def _target(call: Call, with_blob: bool) -> BlobTarget:
    account = find_account(call.cloud.store, call.params["account"])
    if account is None:
        raise blob_errors.resource_not_found()
    container = call.params["container"]
    check_container_name(container)
    return BlobTarget(account, container, call.params["blob"] if with_blob else None)


_http_time = blobstore.http_time


def _iso_http_time(iso: str) -> str:
    return _http_time(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def _headers(call: Call, extra: dict[str, str]) -> dict[str, str]:
    return {"x-ms-version": call.request.headers.get("x-ms-version", ""), **extra}


def _metadata(call: Call) -> dict[str, str]:
    return {
        name.removeprefix("x-ms-meta-"): value
        for name, value in call.request.headers.items()
        if name.lower().startswith("x-ms-meta-")
    }


def _metadata_headers(metadata: dict[str, str]) -> dict[str, str]:
    return {f"x-ms-meta-{name}": value for name, value in metadata.items()}


def _restype_container(call: Call) -> None:
    if (call.query_value("restype") or "").lower() != "container":
        raise blob_errors.invalid_query_value("restype", call.query_value("restype") or "")


# ---- containers --------------------------------------------------------------------------------


def _existing_container(call: Call, target: BlobTarget) -> dict[str, Any]:
    found = call.cloud.store.get_resource(target.container_id)
    if found is None:
        raise blob_errors.container_not_found()
    return found.body


async def container_put(call: Call) -> Response:
    _restype_container(call)
    target = _target(call, with_blob=False)
    blob_auth.authorize(call, target, blob_auth.CREATE_CONTAINER)
    access = {"container": "Container", "blob": "Blob"}.get(call.request.headers.get("x-ms-blob-public-access", ""))
    check_public_access(target.account, access or "None")
    if call.cloud.store.get_resource(target.container_id) is not None:
        raise CloudServiceError(409, "ContainerAlreadyExists", "The specified container already exists.")
    body = container_body(target.container_id, target.container, now_iso(), access or "None", _metadata(call))
    save_container(call.cloud.store, target.account.id, body)
    return Response(b"", 201, _headers(call, _container_headers(body)))


def _container_headers(body: dict[str, Any]) -> dict[str, str]:
    return {"ETag": body["etag"], "Last-Modified": _iso_http_time(body["properties"]["lastModifiedTime"])}


async def container_get(call: Call) -> Response:
    if (call.query_value("comp") or "").lower() == "list":
        return await list_blobs(call)
    _restype_container(call)
    target = _target(call, with_blob=False)
    blob_auth.authorize(call, target, blob_auth.READ_CONTAINER)
    body = _existing_container(call, target)
    properties = body["properties"]
    headers = _container_headers(body) | {
        "x-ms-lease-status": "unlocked",
        "x-ms-lease-state": "available",
        "x-ms-has-immutability-policy": "false",
        "x-ms-has-legal-hold": "false",
        "x-ms-default-encryption-scope": properties["defaultEncryptionScope"],
        "x-ms-deny-encryption-scope-override": "false",
        **_metadata_headers(properties.get("metadata") or {}),
    }
    if properties["publicAccess"] != "None":
        headers["x-ms-blob-public-access"] = properties["publicAccess"].lower()
    return Response(b"", 200, _headers(call, headers))


async def container_delete(call: Call) -> Response:
    _restype_container(call)
    target = _target(call, with_blob=False)
    blob_auth.authorize(call, target, blob_auth.DELETE_CONTAINER)
    _existing_container(call, target)
    delete_one(call.cloud.store, target.container_id)
    return Response(b"", 202, _headers(call, {}))


async def list_blobs(call: Call) -> Response:
    _restype_container(call)
    target = _target(call, with_blob=False)
    blob_auth.authorize(call, target, blob_auth.LIST_BLOBS)
    _existing_container(call, target)
    if call.query_value("delimiter"):
        raise blob_errors.invalid_query_value("delimiter", call.query_value("delimiter") or "")
    prefix, marker = call.query_value("prefix") or "", call.query_value("marker") or ""
    limit = _max_results(call.query_value("maxresults"))
    page, next_marker = blobstore.list_blobs(
        call.cloud.store, target.container_id, prefix=prefix, marker=marker, limit=limit
    )
    with_metadata = "metadata" in (call.query_value("include") or "").lower().split(",")
    endpoint = f"{call.base_url}/{target.account_name}/"
    xml = (
        f'{_XML_HEADER}<EnumerationResults ServiceEndpoint="{escape(endpoint)}" '
        f'ContainerName="{escape(target.container)}">'
        + (f"<Prefix>{escape(prefix)}</Prefix>" if prefix else "")
        + (f"<Marker>{escape(marker)}</Marker>" if marker else "")
        + (f"<MaxResults>{limit}</MaxResults>" if call.query_value("maxresults") else "")
        + "<Blobs>"
        + "".join(_blob_xml(blob, with_metadata, _lease_xml(call, target.container_id, blob.name)) for blob in page)
        + f"</Blobs><NextMarker>{escape(next_marker or '')}</NextMarker></EnumerationResults>"
    )
    return Response(xml, 200, _headers(call, {}), media_type="application/xml")


def _max_results(value: str | None) -> int:
    if value is None:
        return MAX_RESULTS
    if not value.isdigit() or not 1 <= int(value) <= MAX_RESULTS:
        raise CloudServiceError(
            400,
            "OutOfRangeQueryParameterValue",
            "One of the query parameters specified in the request URI is outside the permissible range.",
            extra={"QueryParameterName": "maxresults", "QueryParameterValue": value},
        )
    return int(value)


def _lease_xml(call: Call, container_id: str, name: str) -> str:
    headers = leases.lease_headers(leases.current(call.cloud.store, container_id, name))
    status, state = headers["x-ms-lease-status"], headers["x-ms-lease-state"]
    xml = f"<LeaseStatus>{status}</LeaseStatus><LeaseState>{state}</LeaseState>"
    duration = headers.get("x-ms-lease-duration")
    return xml + (f"<LeaseDuration>{duration}</LeaseDuration>" if duration else "")


def _blob_xml(blob: blobstore.BlobProperties, with_metadata: bool, lease_xml: str) -> str:
    properties = (
        f"<Creation-Time>{_http_time(blob.created)}</Creation-Time>"
        f"<Last-Modified>{_http_time(blob.modified)}</Last-Modified>"
        f"<Etag>{escape(blob.etag.strip(chr(34)))}</Etag>"
        f"<Content-Length>{blob.size}</Content-Length>"
        f"<Content-Type>{escape(blob.content_type)}</Content-Type>"
        f"<Content-MD5>{blob.content_md5}</Content-MD5>"
        "<BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred>"
        f"{lease_xml}<ServerEncrypted>true</ServerEncrypted>"
    )
    metadata = ""
    if with_metadata:
        metadata = "<Metadata>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in blob.metadata.items()) + "</Metadata>"
    return f"<Blob><Name>{escape(blob.name)}</Name><Properties>{properties}</Properties>{metadata}</Blob>"


# ---- blobs ---------------------------------------------------------------------------------------


def _no_comp(call: Call) -> None:
    comp = call.query_value("comp")
    if comp is not None:
        raise blob_errors.invalid_query_value("comp", comp)


def _blob_target(call: Call) -> BlobTarget:
    _no_comp(call)
    return _target(call, with_blob=True)


async def blob_put(call: Call) -> Response:
    comp = (call.query_value("comp") or "").lower()
    if comp == "lease":
        return await _lease(call)
    if comp == "metadata":
        return await _set_metadata(call)
    target = _blob_target(call)
    existing = blobstore.blob_properties(call.cloud.store, target.container_id, call.params["blob"])
    operations = (blob_auth.WRITE_BLOB,) if existing else (blob_auth.WRITE_BLOB, blob_auth.CREATE_BLOB)
    blob_auth.authorize(call, target, *operations)
    _existing_container(call, target)
    blob_checks.check_blob_type(call)
    blob_checks.check_write_conditions(call, existing)
    leases.check_blob_operation(call, target.container_id, call.params["blob"])
    content = call.body_bytes
    blob_checks.check_md5(call, content)
    content_type = call.request.headers.get("x-ms-blob-content-type") or DEFAULT_CONTENT_TYPE
    blob = blobstore.write_blob(
        call.cloud.store, target.container_id, call.params["blob"], content, content_type, _metadata(call)
    )
    headers = {
        "ETag": blob.etag,
        "Last-Modified": _http_time(blob.modified),
        "Content-MD5": blob.content_md5,
        "x-ms-request-server-encrypted": "true",
    }
    return Response(b"", 201, _headers(call, headers))


def _existing_blob(call: Call, operation: blob_auth.BlobOperation) -> tuple[BlobTarget, blobstore.BlobProperties]:
    """An authorized operation on a blob that exists and meets the request's If-Match."""
    target = _blob_target(call)
    blob_auth.authorize(call, target, operation)
    _existing_container(call, target)
    blob = blobstore.blob_properties(call.cloud.store, target.container_id, call.params["blob"])
    if blob is None:
        raise blob_errors.blob_not_found()
    blob_checks.check_if_match(call, blob)
    return target, blob


async def _set_metadata(call: Call) -> Response:
    """Set Blob Metadata (`PUT ?comp=metadata`): under the blob's lease if it has one."""
    target = _target(call, with_blob=True)
    blob_auth.authorize(call, target, blob_auth.WRITE_BLOB)
    _existing_container(call, target)
    existing = blobstore.blob_properties(call.cloud.store, target.container_id, call.params["blob"])
    if existing is None:
        raise blob_errors.blob_not_found()
    blob_checks.check_write_conditions(call, existing)
    leases.check_blob_operation(call, target.container_id, existing.name)
    blob = blobstore.set_metadata(call.cloud.store, target.container_id, existing.name, _metadata(call))
    if blob is None:  # deleted meanwhile
        raise blob_errors.blob_not_found()
    headers = {"ETag": blob.etag, "Last-Modified": _http_time(blob.modified), "x-ms-request-server-encrypted": "true"}
    return Response(b"", 200, _headers(call, headers))


async def _lease(call: Call) -> Response:
    target = _target(call, with_blob=True)
    blob_auth.authorize(call, target, blob_auth.WRITE_BLOB)
    _existing_container(call, target)
    return await leases.lease_blob(call, target.container_id, call.params["blob"])


def _blob_headers(call: Call, blob: blobstore.BlobProperties) -> dict[str, str]:
    container_id = _target(call, with_blob=True).container_id
    return {
        "Last-Modified": _http_time(blob.modified),
        "ETag": blob.etag,
        "Content-Type": blob.content_type,
        "Accept-Ranges": "bytes",
        "x-ms-creation-time": _http_time(blob.created),
        "x-ms-blob-type": "BlockBlob",
        **leases.lease_headers(leases.current(call.cloud.store, container_id, blob.name)),
        "x-ms-server-encrypted": "true",
        **_metadata_headers(blob.metadata),
    }


async def blob_head(call: Call) -> Response:
    _, blob = _existing_blob(call, blob_auth.READ_BLOB)
    headers = _blob_headers(call, blob) | {
        "Content-Length": str(blob.size),
        "Content-MD5": blob.content_md5,
        "x-ms-access-tier": "Hot",
        "x-ms-access-tier-inferred": "true",
    }
    return Response(b"", 200, _headers(call, headers))


async def blob_get(call: Call) -> Response:
    target, blob = _existing_blob(call, blob_auth.READ_BLOB)
    requested = call.request.headers.get("x-ms-range") or call.request.headers.get("range")
    if requested is None:
        content = blobstore.read_blob(call.cloud.store, target.container_id, blob.name, 0, blob.size)
        headers = _blob_headers(call, blob) | {"Content-MD5": blob.content_md5}
        return Response(content, 200, _headers(call, headers))
    start, end = blob_checks.byte_range(requested, blob.size)
    content = blobstore.read_blob(call.cloud.store, target.container_id, blob.name, start, end - start + 1)
    headers = _blob_headers(call, blob) | {
        "Content-Range": f"bytes {start}-{end}/{blob.size}",
        "x-ms-blob-content-md5": blob.content_md5,
    }
    if (call.request.headers.get("x-ms-range-get-content-md5") or "").lower() == "true":
        headers["Content-MD5"] = blobstore.content_md5(content)
    return Response(content, 206, _headers(call, headers))


async def blob_delete(call: Call) -> Response:
    target, blob = _existing_blob(call, blob_auth.DELETE_BLOB)
    leases.check_blob_operation(call, target.container_id, blob.name)
    blobstore.delete_blob(call.cloud.store, target.container_id, blob.name)
    leases.forget(call.cloud.store, target.container_id, blob.name)
    return Response(b"", 202, _headers(call, {"x-ms-delete-type-permanent": "true"}))


_route("PUT", CONTAINER_PATH, container_put)
_route("GET", CONTAINER_PATH, container_get)
_route("HEAD", CONTAINER_PATH, container_get)
_route("DELETE", CONTAINER_PATH, container_delete)
_route("PUT", BLOB_PATH, blob_put)
_route("GET", BLOB_PATH, blob_get)
_route("HEAD", BLOB_PATH, blob_head)
_route("DELETE", BLOB_PATH, blob_delete)
