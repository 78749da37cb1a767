"""What verify does for each ability of a check on each kind of target (see provisioner.scenario.checks).

Every ability is one probe action, run as the identity; a `cannot` check (and `can: none`, which is
`cannot: read`) runs the same action and expects it to be refused.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the probe imports this module: it need not load the scenario language
    from provisioner.scenario import Check


class Action(StrEnum):
    """What the probe does, as the identity (the wire names of the probe protocol)."""

    ARM_READ = "arm_read"  # GET the resource through ARM
    GROUP_WRITE = "group_write"  # PATCH the resource group's tags (with the tags it has)
    BLOB_READ = "blob_read"  # list the container, download its first blob
    BLOB_WRITE = "blob_write"  # upload a blob
    SAS_READ = "sas_read"  # listServiceSas through ARM, then list and read with the SAS
    SAS_WRITE = "sas_write"  # listServiceSas through ARM, then write and read back a blob with the SAS
    SECRET_READ = "secret_read"  # get the secret's value from the vault
    SQL_READ = "sql_read"  # connect with a token for Azure SQL and ask to read


class Expect(StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"


ACTIONS: dict[tuple[str, str], Action] = {
    ("resource_group", "read"): Action.ARM_READ,
    ("resource_group", "write"): Action.GROUP_WRITE,
    ("storage_account", "read"): Action.ARM_READ,
    ("blob_container", "read"): Action.BLOB_READ,
    ("blob_container", "write"): Action.BLOB_WRITE,
    ("blob_container", "sas_read"): Action.SAS_READ,
    ("blob_container", "sas_write"): Action.SAS_WRITE,
    ("key_vault", "read"): Action.ARM_READ,
    ("key_vault_secret", "read"): Action.SECRET_READ,
    ("sql_database", "read"): Action.SQL_READ,
}
"""(target kind, ability) -> the probe action; one entry per ability in provisioner.scenario.checks.ABILITIES."""

API_VERSIONS: dict[str, str] = {
    "resource_group": "2021-04-01",
    "storage_account": "2023-05-01",
    "blob_container": "2023-05-01",
    "key_vault": "2023-07-01",
    "key_vault_secret": "2023-07-01",  # a secret's existence is checked through its vault
    "sql_database": "2021-11-01",
}
"""The api-version of an ARM GET by id of each kind of target (the probe's ARM reads; the operator's
check that the target of a `cannot` check exists)."""


def action_for(kind: str, check: Check) -> tuple[Action, Expect]:
    """The action a check on a target of this kind runs, and what it expects."""
    return ACTIONS[(kind, check.can)], Expect.REFUSED if check.expect_refusal else Expect.ALLOWED
