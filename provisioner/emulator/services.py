"""The services of the local cloud, as data: their route tables (in no particular order: the dispatcher
orders routes by specificity) and the finders of scopes kept outside the ARM store."""

from __future__ import annotations

from provisioner.emulator import control
from provisioner.emulator.arm import operations
from provisioner.emulator.auth import entra, imds
from provisioner.emulator.authorization import routes as authorization
from provisioner.emulator.compute import images as compute_images
from provisioner.emulator.compute import routes as compute
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.runtime import ScopeFinder
from provisioner.emulator.graph import app_role_routes as graph_app_roles
from provisioner.emulator.graph import routes as graph
from provisioner.emulator.keyvault import deleted_routes as keyvault_deleted
from provisioner.emulator.keyvault import routes as keyvault
from provisioner.emulator.keyvault import secret_routes as keyvault_secrets
from provisioner.emulator.keyvault.secrets import secret_scope
from provisioner.emulator.managedidentity import routes as managedidentity
from provisioner.emulator.mysql import routes as mysql
from provisioner.emulator.network import routes as network
from provisioner.emulator.postgres import child_routes as postgres_children
from provisioner.emulator.postgres import routes as postgres
from provisioner.emulator.resources import deployments, metadata
from provisioner.emulator.resources import routes as resources
from provisioner.emulator.sql import admin_routes as sql_admin
from provisioner.emulator.sql import firewall_routes as sql_firewall
from provisioner.emulator.sql import routes as sql
from provisioner.emulator.storage import blob_routes
from provisioner.emulator.storage import routes as storage
from provisioner.emulator.web import config_routes as web_config
from provisioner.emulator.web import identity_routes as web_identity
from provisioner.emulator.web import routes as web
from provisioner.emulator.web import stacks as web_stacks

ROUTE_TABLES: tuple[RouteTable, ...] = (
    authorization.routes,
    blob_routes.routes,
    compute.routes,
    compute_images.routes,
    control.routes,
    deployments.routes,
    entra.routes,
    graph.routes,
    graph_app_roles.routes,
    imds.routes,
    keyvault.routes,
    keyvault_deleted.routes,
    keyvault_secrets.routes,
    managedidentity.routes,
    metadata.routes,
    metadata.documents,
    mysql.routes,
    network.routes,
    operations.routes,
    postgres.routes,
    postgres_children.routes,
    resources.routes,
    sql.routes,
    sql_admin.routes,
    sql_firewall.routes,
    storage.routes,
    web.routes,
    web_config.routes,
    web_identity.routes,
    web_stacks.routes,
)

SCOPE_FINDERS: tuple[ScopeFinder, ...] = (secret_scope,)
"""Scopes of role assignments that a service keeps outside the ARM store (a Key Vault secret)."""
