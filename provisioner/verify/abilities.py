"""The probe's vocabulary: the actions it runs as the identity, and what a check expects of one.

Each kind that can be a check's target declares its abilities and the action proving each
(`KindInfo.check_target`; provisioner.verify.targets derives the tables). A `cannot` check (and
`can: none`, which is `cannot: read`) runs the same action and expects it to be refused. The probe
imports this module: it loads nothing of the scenario language.
"""

from __future__ import annotations

from enum import StrEnum


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
    PG_READ = "pg_read"  # sign in to PostgreSQL with a token for ossrdbms and SELECT from the seeded table
    PG_WRITE = "pg_write"  # the same, and INSERT into it (rolled back)


class Expect(StrEnum):
    ALLOWED = "allowed"
    REFUSED = "refused"
