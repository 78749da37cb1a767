"""Resource kinds: one module per kind, each with a `Spec` model and its `KIND` description."""

from __future__ import annotations

from typing import Any

from provisioner.kinds import (
    app_service_plan,
    blob,
    blob_container,
    entra_group,
    entra_user,
    group_member,
    key_vault,
    key_vault_access_policy,
    key_vault_secret,
    network_interface,
    resource_group,
    role_assignment,
    sql_database,
    sql_database_user,
    sql_entra_admin,
    sql_server,
    storage_account,
    user_assigned_identity,
    virtual_machine,
    virtual_network,
    web_app,
)
from provisioner.kinds.base import KindInfo

KINDS: dict[str, KindInfo[Any]] = {
    module.KIND.name: module.KIND
    for module in (
        resource_group,
        virtual_network,
        network_interface,
        virtual_machine,
        user_assigned_identity,
        entra_group,
        entra_user,
        group_member,
        role_assignment,
        storage_account,
        blob_container,
        blob,
        key_vault,
        key_vault_secret,
        key_vault_access_policy,
        sql_server,
        sql_database,
        sql_entra_admin,
        sql_database_user,
        app_service_plan,
        web_app,
    )
}
