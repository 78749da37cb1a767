"""The surfaces of the local cloud: each decides the token audience its routes accept and the format
its errors are rendered in."""

from __future__ import annotations

from enum import StrEnum


class Surface(StrEnum):
    ARM = "arm"
    GRAPH = "graph"
    ENTRA = "entra"
    IMDS = "imds"
    APP_IDENTITY = "app_identity"
    BLOB = "blob"
    VAULT = "vault"
    SQL = "sql"
    CONTROL = "control"
    DOCUMENT = "document"  # public documents Azure serves outside ARM (the VM image alias list)
