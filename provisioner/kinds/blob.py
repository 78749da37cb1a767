"""blob: a small block blob the operator uploads into a blob container (data plane)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import Issue, KindInfo, LocalFile, NameRule, Peers, Spec, Text

MAX_CONTENT = 64 * 1024
"""Bytes of UTF-8 a blob's content may have: provision uploads files a tutorial needs, not data."""


class BlobSpec(Spec):
    """A small block blob that provision uploads with the operator's token, where a tutorial has you upload a file.

    - **Not a secret.** The content stands in the scenario (or next to it), `plan` shows it, and
      whoever can read the container reads it: secrets belong in Key Vault (`key_vault_secret`).
    - **Re-apply** compares the content by its MD5 (Azure keeps a Content-MD5 for a blob uploaded in
      one request, as provision uploads them): the same content writes nothing; other content (a changed
      `content_file` too) or another `content_type` uploads the blob again, overwriting it. `destroy`
      deletes the blob; a blob whose container or account is gone is gone with it.
    - **The operator needs a data role on the container.** Azure lets only data roles touch blobs with
      a token: the subscription's Owner has none, and Azure (like the local cloud) refuses the upload
      with `403 AuthorizationPermissionMismatch`. Grant Storage Blob Data Contributor to
      `${target.principal_id}` and make the blob depend on that assignment (as scenario 3 does):

      ```yaml
      operator_writes_blobs:
        kind: role_assignment
        scope: ${container.id}
        role: Storage Blob Data Contributor
        principal: ${target.principal_id}
      hello:
        kind: blob
        container: ${container.id}
        name: hello.txt
        content: |
          Hello from provision.
        depends_on: [operator_writes_blobs]
      ```

      On Azure a new role assignment takes a few minutes to apply: an upload refused right after the
      grant succeeds when `apply` runs again.

    Its `id` export is the blob's URL.
    """

    name: str = Field(
        description="The blob's name; `/` makes virtual folders, e.g. `docs/readme.md`; `a.txt` and `A.txt` "
        "are two blobs."
    )
    container: Text = Field(description="The container's id, usually `${container.id}`.")
    content: str | None = Field(
        None,
        description="The blob's text: a literal UTF-8 string (variables allowed, not resource references), "
        "at most 64 KiB.",
    )
    content_file: str | None = Field(None, description="Instead of `content`: a file whose text is the blob's.")
    content_type: str | None = Field(
        None, description="e.g. `text/plain; charset=utf-8`; Azure's default is `application/octet-stream`."
    )


def _rules(spec: BlobSpec, peers: Peers) -> list[Issue]:
    size = len(spec.content.encode()) if spec.content is not None else 0
    if size > MAX_CONTENT:
        message = f"'content' has {size} bytes of UTF-8, more than {MAX_CONTENT // 1024} KiB"
        return [Issue(("content",), message, "upload larger data yourself, e.g. with az storage blob upload")]
    return []


KIND = KindInfo(
    name="blob",
    spec=BlobSpec,
    exports={"id": str, "name": str, "url": str},
    lookup=("name", "container"),
    one_of=(("content", "content_file"),),
    files={"content_file": LocalFile(into="content", max_bytes=MAX_CONTENT)},
    name_rule=NameRule(r"(?s).{0,1023}[^./]", "use 1-1024 characters, not ending in '.' or '/'", "blob"),
    case_sensitive=frozenset({"name"}),
    links={"container": ("blob_container.id",)},
    rules=_rules,
    provider="provisioner.providers.blob:BlobProvider",
    sdk_modules=(
        "azure.mgmt.storage",
        "azure.storage.blob",
    ),
)
