"""Checks of blob requests: blob type, conditional headers (If-Match, If-None-Match), Content-MD5, ranges."""

from __future__ import annotations

import re

from provisioner.emulator.core.call import Call
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.storage import blob_errors, blobstore

_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


def check_blob_type(call: Call) -> None:
    blob_type = call.request.headers.get("x-ms-blob-type")
    if blob_type is None:
        raise blob_errors.missing_header("x-ms-blob-type")
    if blob_type != "BlockBlob":
        raise CloudServiceError(
            400,
            "InvalidHeaderValue",
            "The value for one of the HTTP headers is not in the correct format.",
            extra={"HeaderName": "x-ms-blob-type", "HeaderValue": blob_type},
        )


def condition_not_met() -> CloudServiceError:
    return CloudServiceError(
        412, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met."
    )


def check_write_conditions(call: Call, existing: blobstore.BlobProperties | None) -> None:
    if_none_match = call.request.headers.get("if-none-match")
    if if_none_match == "*" and existing is not None:
        raise CloudServiceError(409, "BlobAlreadyExists", "The specified blob already exists.")
    if existing is not None and if_none_match == existing.etag:
        raise condition_not_met()
    check_if_match(call, existing)


def check_if_match(call: Call, existing: blobstore.BlobProperties | None) -> None:
    if_match = call.request.headers.get("if-match")
    if if_match is None:
        return
    if existing is None or if_match not in ("*", existing.etag):
        raise condition_not_met()


def check_md5(call: Call, content: bytes) -> None:
    claimed = call.request.headers.get("content-md5")
    actual = blobstore.content_md5(content)
    if claimed is not None and claimed != actual:
        raise CloudServiceError(
            400,
            "Md5Mismatch",
            "The MD5 value specified in the request did not match with the MD5 value calculated by the server.",
            extra={"UserSpecifiedMd5": claimed, "ServerCalculatedMd5": actual},
        )


def byte_range(requested: str, size: int) -> tuple[int, int]:
    """(first, last) byte of a `bytes=a-b` / `bytes=a-` range; 416 InvalidRange past the end."""
    found = _RANGE.match(requested.strip())
    if found is None:
        raise CloudServiceError(
            400,
            "InvalidHeaderValue",
            "The value for one of the HTTP headers is not in the correct format.",
            extra={"HeaderName": "x-ms-range", "HeaderValue": requested},
        )
    start = int(found.group(1))
    end = int(found.group(2)) if found.group(2) else size - 1
    if start >= size or end < start:
        raise CloudServiceError(
            416,
            "InvalidRange",
            "The range specified is invalid for the current size of the resource.",
            headers={"Content-Range": f"bytes */{size}"},
        )
    return start, min(end, size - 1)
