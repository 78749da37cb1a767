"""Each database's authorization endpoint (local only): the T-SQL statements of `tsql.py`, run by a caller
authenticated with an Entra token for https://database.windows.net/, answered as SQL Server would.

This emulates SQL's *authorization decisions* (who may connect, read, create users and change role
membership), not TDS and not a database engine.

    POST /_sql/{server}/{database}/query    {"statement": "..."} -> {"columns": [...], "rows": [[...], ...]}
    POST /_sql/{server}/{database}/connect  -> {"can_connect", "can_read", "is_admin", "user_names", "roles",
                                                "error_number", "reason"}

Refusals: `{"error": {"code": "<number>", "message", "number", "level", "state"}}` with HTTP 401 (login
failed, 18456), 403 (permission, 15247), 404 (no such server 40532 / database 4060), 400 (all others).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from provisioner.emulator.core import config
from provisioner.emulator.core.bearer import authenticate_bearer
from provisioner.emulator.core.call import Call, Principal
from provisioner.emulator.core.errors import CloudServiceError
from provisioner.emulator.core.routing import RouteTable
from provisioner.emulator.core.store import StoredResource
from provisioner.emulator.core.surface import Surface
from provisioner.emulator.sql.models import DATABASE_TYPE, SERVER_TYPE
from provisioner.emulator.sql.principals import Caller, DatabaseState, caller_in_database
from provisioner.emulator.sql.routes import admin_of
from provisioner.emulator.sql.statements import execute
from provisioner.emulator.sql.tsql import Select, TsqlError, parse

routes = RouteTable(Surface.SQL)
ENDPOINT = "/_sql/{server}/{database}"
LOGIN_FAILED = "Login failed for user '<token-identified principal>'."
NO_READ = (
    "No SELECT permission: the caller is not the Entra admin and is in neither db_owner nor db_datareader "
    "(or is in db_denydatareader)."
)
STATUS_BY_NUMBER = {18456: 401, 15247: 403, 40532: 404, 4060: 404}


def sql_error(error: TsqlError, **extra: Any) -> CloudServiceError:
    return CloudServiceError(
        STATUS_BY_NUMBER.get(error.number, 400),
        str(error.number),
        error.message,
        extra={"number": error.number, "level": error.level, "state": error.state, **extra},
    )


def endpoint_for(call: Call, database_id: str) -> dict[str, str]:
    """The control endpoint's answer: where a database's endpoint is and which token it wants."""
    database = call.cloud.store.get_resource(database_id)
    if database is None or database.type != DATABASE_TYPE.lower():
        raise CloudServiceError(404, "ResourceNotFound", f"No SQL database with id '{database_id}'.")
    server = call.cloud.store.get_resource(database.parent)
    server_name = server.body["name"] if server else ""
    base = f"{call.base_url}/_sql/{server_name}/{database.body['name']}"
    return {
        "query_url": f"{base}/query",
        "connect_url": f"{base}/connect",
        "server": server.body["properties"]["fullyQualifiedDomainName"] if server else "",
        "database": database.body["name"],
        "audience": config.SQL_AUDIENCES[1],
    }


def _target(call: Call) -> tuple[StoredResource, StoredResource, Principal]:
    """(server, database, caller): the server first, then the login, then the database, as SQL checks them."""
    name = call.params["server"]
    servers = [item for item in call.cloud.store.list_resources(resource_type=SERVER_TYPE) if item.body["name"] == name]
    if not servers:
        raise sql_error(
            TsqlError(40532, f'Cannot open server "{name}" requested by the login. The login failed.', level=20)
        )
    try:
        principal = authenticate_bearer(call, config.SQL_AUDIENCES)
    except CloudServiceError as refused:
        raise sql_error(TsqlError(18456, LOGIN_FAILED, level=14), reason=refused.message) from refused
    database = call.cloud.store.get_resource(f"{servers[0].id}/databases/{call.params['database']}")
    if database is None:
        message = f'Cannot open database "{call.params["database"]}" requested by the login. The login failed.'
        raise sql_error(TsqlError(4060, message, level=11))
    return servers[0], database, principal


def _caller(call: Call, server: StoredResource, database: StoredResource, principal: Principal) -> Caller | None:
    admin = admin_of(call.cloud.store, server.id)
    admin_sid = admin.body["properties"]["sid"] if admin else None
    return caller_in_database(call.cloud.store, DatabaseState(call.cloud.store, database.id), admin_sid, principal)


def _statement(call: Call) -> str:
    statement = call.json().get("statement")
    if not isinstance(statement, str) or not statement.strip():
        raise CloudServiceError(
            400, "InvalidRequestContent", 'The body must be {"statement": "<one T-SQL statement>"}.'
        )
    return statement


@routes.post(ENDPOINT + "/query", authenticated=False)
async def run_statement(call: Call) -> Response:
    server, database, principal = _target(call)
    caller = _caller(call, server, database, principal)
    if caller is None:
        raise sql_error(TsqlError(18456, LOGIN_FAILED, level=14))
    store = call.cloud.store
    try:
        statement = parse(_statement(call))
        if isinstance(statement, Select):
            call.request.state.log_category = "reads"
        with store.transaction():
            state = DatabaseState(store, database.id)
            result = execute(store, state, caller, statement, database.body["properties"]["creationDate"])
    except TsqlError as error:
        raise sql_error(error) from error
    return JSONResponse({"columns": result.columns, "rows": result.rows})


@routes.post(ENDPOINT + "/connect", authenticated=False)
async def connect(call: Call) -> Response:
    server, database, principal = _target(call)
    return JSONResponse(_decision(_caller(call, server, database, principal)))


def _decision(caller: Caller | None) -> dict[str, Any]:
    """May this token connect, and read? With SQL's error number when it may not."""
    if caller is None:
        return {
            "can_connect": False,
            "can_read": False,
            "is_admin": False,
            "user_names": [],
            "roles": [],
            "error_number": 18456,
            "reason": LOGIN_FAILED,
        }
    reads = caller.can_read
    return {
        "can_connect": True,
        "can_read": reads,
        "is_admin": caller.is_admin,
        "user_names": [user.name for user in caller.users],
        "roles": sorted(caller.roles),
        "error_number": None if reads else 229,
        "reason": None if reads else NO_READ,
    }
