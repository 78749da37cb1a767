"""Which Entra principal a contained user's name names, as `CREATE USER [name] FROM EXTERNAL PROVIDER`
resolves it (service principals and groups by display name, users by UPN), and the SID SQL derives
from it: a service principal's application (client) id, a group's or user's object id."""

from __future__ import annotations

from typing import Any

from kiota_abstractions.api_error import APIError
from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
from msgraph.generated.service_principals.service_principals_request_builder import ServicePrincipalsRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder

from provisioner.providers.base import ProviderContext
from provisioner.providers.msgraph import filtered, odata_string

SERVICE_PRINCIPALS = ServicePrincipalsRequestBuilder.ServicePrincipalsRequestBuilderGetQueryParameters
GROUPS = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters
USERS = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters
FORBIDDEN = 403


def expected_sid(ctx: ProviderContext, name: str) -> str | None:
    """The GUID (lower case) a user created for `name` now would hold as its SID; None when the
    directory has no single principal of that name (CREATE USER would refuse it: 33130 / 33131), or
    when the operator may not read the directory (then the SID is not checked: SQL needs no Graph right)."""
    found: str | None = ctx.cache.get_or_load(("sql_principal_sid", name.lower()), lambda: _read(ctx, name))
    return found


def _read(ctx: ProviderContext, name: str) -> str | None:
    try:
        found: str | None = ctx.clients.run_msgraph(_lookup(name))
    except APIError as refused:
        if refused.response_status_code == FORBIDDEN:
            return None
        raise
    return found


def _lookup(name: str) -> Any:
    async def lookup(msgraph: Any) -> str | None:
        literal = odata_string(name)
        found = await msgraph.service_principals.get(filtered(SERVICE_PRINCIPALS, f"displayName eq {literal}"))
        sids = [str(item.app_id) for item in found.value or []]
        if not sids:  # a name is rarely both; asking only when needed keeps a plan to one read per user
            groups = await msgraph.groups.get(filtered(GROUPS, f"displayName eq {literal}"))
            sids = [str(item.id) for item in groups.value or []]
        if not sids and "@" in name:
            users = await msgraph.users.get(filtered(USERS, f"userPrincipalName eq {literal}"))
            sids = [str(item.id) for item in users.value or []]
        return sids[0].lower() if len(sids) == 1 else None

    return lookup
