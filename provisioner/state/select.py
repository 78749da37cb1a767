"""The backend a location names: `azblob://account/container[/prefix]` or a local directory."""

from __future__ import annotations

from pathlib import Path

from provisioner.azure.target import Target
from provisioner.state.backend import BlobLocation, StateBackend, is_blob_location
from provisioner.state.blob import BlobStateStore
from provisioner.state.store import StateStore


def open_backend(location: str, target: Target) -> StateBackend:
    """The state backend at `location`; a blob one signs in with the target's credential."""
    if not is_blob_location(location):
        return StateStore(Path(location))
    parsed = BlobLocation.parse(location)
    verify: str | bool = str(target.ca_bundle) if target.ca_bundle else True
    account_url = target.profile.blob_account_url(parsed.account)
    return BlobStateStore(parsed, account_url, target.credential, connection_verify=verify)
