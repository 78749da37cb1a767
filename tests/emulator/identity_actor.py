"""Run inside a VM (a subprocess whose environment points azure-identity at the VM's IMDS endpoint):
perform data-plane steps with ManagedIdentityCredential and print one JSON outcome per step.

Each step is `{"op": ..., ...}`; each outcome is `{"ok": value}` or `{"status": int, "code": str}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.identity import ManagedIdentityCredential
from azure.keyvault.secrets import SecretClient
from azure.mgmt.storage import StorageManagementClient
from azure.storage.blob import BlobServiceClient

Step = dict[str, Any]


def _blob(step: Step) -> BlobServiceClient:
    return BlobServiceClient(step["account_url"], credential=ManagedIdentityCredential())


def _secrets(step: Step) -> SecretClient:
    return SecretClient(step["vault_url"], ManagedIdentityCredential(), verify_challenge_resource=False)


def _read_blob(step: Step) -> Any:
    return _blob(step).get_blob_client(step["container"], step["blob"]).download_blob().readall().decode()


def _write_blob(step: Step) -> Any:
    client = _blob(step).get_blob_client(step["container"], step["blob"])
    client.upload_blob(step["data"].encode(), overwrite=True)
    return True


def _list_blobs(step: Step) -> Any:
    return [blob.name for blob in _blob(step).get_container_client(step["container"]).list_blobs()]


def _storage(step: Step) -> StorageManagementClient:
    return StorageManagementClient(ManagedIdentityCredential(), step["subscription"], base_url=step["arm_url"])


def _list_keys(step: Step) -> Any:
    keys = _storage(step).storage_accounts.list_keys(step["group"], step["account"]).keys_property
    return [key.key_name for key in keys]


def _list_service_sas(step: Step) -> Any:
    result = _storage(step).storage_accounts.list_service_sas(step["group"], step["account"], step["body"])
    return result.service_sas_token


def _get_secret(step: Step) -> Any:
    return _secrets(step).get_secret(step["name"]).value


def _set_secret(step: Step) -> Any:
    return _secrets(step).set_secret(step["name"], step["value"]).name


def _list_secrets(step: Step) -> Any:
    return sorted(str(item.name) for item in _secrets(step).list_properties_of_secrets())


OPERATIONS: dict[str, Callable[[Step], Any]] = {
    "read_blob": _read_blob,
    "write_blob": _write_blob,
    "list_blobs": _list_blobs,
    "get_secret": _get_secret,
    "set_secret": _set_secret,
    "list_secrets": _list_secrets,
    "list_keys": _list_keys,
    "list_service_sas": _list_service_sas,
}


def _outcome(step: Step) -> dict[str, Any]:
    try:
        return {"ok": OPERATIONS[step["op"]](step)}
    except HttpResponseError as error:
        code = error.error.code if error.error is not None else getattr(error, "error_code", None)
        return {"status": error.status_code, "code": code}


def main(steps: list[Step]) -> None:
    print(json.dumps([_outcome(step) for step in steps]))
