"""blob: a small block blob the operator uploads into a blob container (data plane)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import Issue, KindInfo, LocalFile, NameRule, Peers, Spec, Text

MAX_CONTENT = 64 * 1024
"""Bytes of UTF-8 a blob's content may have: provision uploads files a tutorial needs, not data."""


class BlobSpec(Spec):
    """A block blob whose content is written in the scenario (`content`) or in a local file (`content_file`).

    The content is not a secret: anyone who can read the container reads it. Secrets belong in Key Vault.
    """

    name: str = Field(description="The blob's name (case-sensitive), e.g. hello.txt or docs/readme.md.")
    container: Text = Field(description="The container's id, usually ${container.id}.")
    content: str | None = Field(None, description="The blob's text (UTF-8, at most 64 KiB).")
    content_file: str | None = Field(
        None, description="A UTF-8 text file of at most 64 KiB, relative to the scenario's folder, read when it loads."
    )
    content_type: str | None = Field(None, description="e.g. text/plain; Azure's default is application/octet-stream.")


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
