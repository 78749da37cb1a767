"""blob through azure-storage-blob, with the operator's token (data plane).

A read is one request (the blob's properties; the account's endpoint comes from the plan's read of
the account). The content is compared by MD5: Azure stores a Content-MD5 for a blob uploaded in one
request, as provision uploads its small blobs, so a re-apply with the same content writes nothing and
a blob someone changed (or uploaded in blocks, without an MD5) is uploaded again. Create and update
upload with overwrite. A blob of a deleted container or account is gone with it: delete succeeds.

With a token, Azure lets only data roles touch blobs: the operator needs Storage Blob Data
Contributor (or Storage Blob Data Owner) on the container; Owner of the subscription is not enough.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from azure.core.exceptions import HttpResponseError

from provisioner.azure.errors import translate
from provisioner.errors import CloudError, ProvisionError
from provisioner.kinds.blob import BlobSpec
from provisioner.providers.arm import delete_if_present, get_or_none, parse_id
from provisioner.providers.base import AttributeChange, Desired, Observed, Provider, ProviderContext
from provisioner.providers.blob_container import blob_endpoint
from provisioner.providers.storage_account import account_cache_key, account_id, get_account

T = TypeVar("T")
CONTENT = "content"
FORBIDDEN = 403
DATA_ROLE_HINT = (
    "the operator writes blobs with its token, which needs a data role such as Storage Blob Data "
    "Contributor on the container (Owner grants no data access): assign it to ${target.principal_id} "
    "and add that role_assignment to the blob's depends_on"
)


def content_digest(content: str) -> str:
    """How a blob's content is compared: `md5:<hex>` of its UTF-8 bytes, as Azure's Content-MD5."""
    return "md5:" + hashlib.md5(content.encode(), usedforsecurity=False).hexdigest()


class BlobProvider(Provider[BlobSpec]):
    managed = ("content_type",)

    def read(self, ctx: ProviderContext, desired: Desired[BlobSpec]) -> Observed | None:
        container = str(desired.spec.container)
        account = _account(container)
        body = ctx.cache.get_or_load(account_cache_key(account), lambda: get_account(ctx, account))
        if body is None:
            return None
        blob = _client(ctx, container, body, desired.spec.name)
        found = _as_operator(lambda: get_or_none(blob.get_blob_properties))
        return None if found is None else _observe(container, blob.url, found)

    def wanted(self, desired: Desired[BlobSpec]) -> Mapping[str, Any]:
        if desired.existing:
            return {}
        return {CONTENT: content_digest(str(desired.spec.content)), **super().wanted(desired)}

    def create(self, ctx: ProviderContext, desired: Desired[BlobSpec]) -> Observed:
        container = str(desired.spec.container)
        blob = _fresh_client(ctx, container, desired.spec.name)
        if blob is None:
            message = f"the storage account of container {container} does not exist"
            raise CloudError(message, status=404, code="StorageAccountNotFound")
        from azure.storage.blob import ContentSettings  # imported by the step that needs it (0.3 s)

        settings = ContentSettings(content_type=desired.spec.content_type)
        content = str(desired.spec.content).encode()
        _as_operator(lambda: blob.upload_blob(content, overwrite=True, content_settings=settings))
        return _observe(container, blob.url, _as_operator(blob.get_blob_properties))

    def update(
        self, ctx: ProviderContext, desired: Desired[BlobSpec], observed: Observed, changes: list[AttributeChange]
    ) -> Observed:
        return self.create(ctx, desired)

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        blob = _fresh_client(ctx, str(attributes["container"]), str(attributes["name"]))
        if blob is not None:  # else gone with its account
            _as_operator(lambda: delete_if_present(blob.delete_blob))


def _account(container: str) -> str:
    parts = parse_id(container)
    return account_id(parts["subscription"], parts["resource_group"], parts["name"])


def _client(ctx: ProviderContext, container: str, account_body: Mapping[str, Any], name: str) -> Any:
    service = ctx.clients.blob_service(blob_endpoint(_account(container), account_body))
    return service.get_blob_client(parse_id(container)["child_name_2"], name)


def _fresh_client(ctx: ProviderContext, container: str, name: str) -> Any | None:
    """The blob's client, the account read afresh (not from the plan's cache); None without the account."""
    body = get_account(ctx, _account(container))
    return None if body is None else _client(ctx, container, body, name)


def _as_operator(call: Callable[[], T]) -> T:
    """A data-plane call as the operator; a refusal says which role the operator lacks."""
    try:
        return call()
    except HttpResponseError as error:
        raise _refusal(error) from None


def _refusal(error: HttpResponseError) -> ProvisionError:
    translated = translate(error)
    if error.status_code != FORBIDDEN or not isinstance(translated, CloudError):
        return translated
    return CloudError(f"{translated} ({DATA_ROLE_HINT})", status=FORBIDDEN, code=translated.code)


def _observe(container: str, url: str, properties: Any) -> Observed:
    settings = properties.content_settings
    md5 = settings.content_md5
    attributes = {
        "name": properties.name,
        "container": container,
        CONTENT: "md5:" + bytes(md5).hex() if md5 else None,
        "content_type": settings.content_type,
    }
    return Observed(url, attributes, {"id": url, "name": properties.name, "url": url})
