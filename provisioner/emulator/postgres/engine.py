"""What an ARM call does to a server's real cluster: the admin login, databases (with the table verify
uses), Entra admins as pgaadauth principals. Blocking (psycopg, pg_ctl): routes run it in a thread."""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg
from psycopg import sql

from provisioner.emulator.core.store import Store, StoredResource
from provisioner.emulator.postgres import pgaadauth
from provisioner.emulator.postgres.clusters import clusters_for
from provisioner.emulator.postgres.models import SERVER_TYPE
from provisioner.emulator.resources.cascade import on_delete

LOG = logging.getLogger(__name__)
ADMIN_TYPES = {"User": "user", "Group": "group", "ServicePrincipal": "service"}


def create_server(data_dir: Path, server_id: str, login: str | None, password: str | None) -> None:
    with clusters_for(data_dir).superuser(server_id) as connection:
        if login and password:
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEROLE CREATEDB PASSWORD {} IN ROLE {}").format(
                    sql.Identifier(login), sql.Literal(password), sql.Identifier(pgaadauth.ADMIN_GROUP)
                )
            )


def set_password(data_dir: Path, server_id: str, login: str, password: str) -> None:
    with clusters_for(data_dir).superuser(server_id) as connection:
        statement = sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(login), sql.Literal(password))
        connection.execute(statement)


def create_database(data_dir: Path, server_id: str, name: str, charset: str) -> None:
    """The database, owned by azure_pg_admin, with the pgaadauth functions and verify's table. The
    collation stays the cluster's: the machine may not have the locale Azure names (en_US.utf8)."""
    clusters = clusters_for(data_dir)
    with clusters.superuser(server_id) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            connection.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING {} TEMPLATE template0").format(
                    sql.Identifier(name), sql.Identifier(pgaadauth.ADMIN_GROUP), sql.Literal(charset)
                )
            )
    with clusters.superuser(server_id, name) as connection:
        connection.execute(pgaadauth.FUNCTIONS + pgaadauth.SEED_TABLE)


def drop_database(data_dir: Path, server_id: str, name: str) -> None:
    with clusters_for(data_dir).superuser(server_id) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def add_admin(data_dir: Path, server_id: str, object_id: str, principal_type: str, name: str) -> None:
    with clusters_for(data_dir).superuser(server_id) as connection:
        if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None:
            connection.execute(
                "SELECT pgaadauth_create_principal_with_oid(%s, %s, %s, true, false)",
                (name, object_id, ADMIN_TYPES[principal_type]),
            )


def remove_admin(data_dir: Path, server_id: str, name: str) -> None:
    """DROP ROLE, after handing what it owns to azure_pg_admin in every database."""
    clusters = clusters_for(data_dir)
    role = sql.Identifier(name)
    with clusters.superuser(server_id) as connection:
        if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None:
            return
        rows = connection.execute("SELECT datname FROM pg_database WHERE datallowconn").fetchall()
    group = sql.Identifier(pgaadauth.ADMIN_GROUP)
    for (database,) in rows:
        try:
            with clusters.superuser(server_id, str(database)) as connection:
                connection.execute(sql.SQL("REASSIGN OWNED BY {} TO {}").format(role, group))
                connection.execute(sql.SQL("DROP OWNED BY {}").format(role))
        except psycopg.OperationalError:
            continue  # the database is being dropped (by a DELETE running alongside): nothing of it to hand on
    with clusters.superuser(server_id) as connection:
        try:
            connection.execute(sql.SQL("DROP ROLE {}").format(role))
        except psycopg.Error as failure:
            LOG.warning("the admin role of %s stays: %s", server_id, failure.sqlstate)


@on_delete
def _drop_cluster(store: Store, resource: StoredResource) -> None:
    """A deleted server's cluster goes with it, however it was deleted (its own DELETE, its group's)."""
    if resource.type == SERVER_TYPE.lower():
        clusters_for(store.path.parent).drop(resource.id)
