"""Azure's naming rules in the local cloud: every refused name of tests/naming_cases.py, through the SDKs,
gets Azure's status, code and message (the same names fail the validator: tests/unit/test_naming.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from provisioner.emulator.core.naming import RULES
from provisioner.emulator.server import LocalCloudServer
from tests.emulator.clients import azure_error
from tests.emulator.helpers_sql import server_body, sql
from tests.emulator.helpers_storage import (
    account,
    account_key,
    blob_service,
    container,
    group,
    policy,
    secret_client,
    shared_key,
    vault,
)
from tests.emulator.helpers_web import plan, site_body, web
from tests.naming_cases import REFUSED

GROUP = "naming-rg"
ACCOUNT = "namingstore"
VAULT_MESSAGE = (
    "The vault name '{}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must "
    "begin with a letter, end with a letter or digit, and not contain consecutive hyphens. Follow this link for "
    "more information: https://go.microsoft.com/fwlink/?linkid=2147742"
)
CONTAINER_MESSAGE = "The specifed resource name contains invalid characters."
LOGIN_MESSAGE = "Invalid value given for parameter Login. Specify a valid parameter value."

Refusal = tuple[int | None, str, str]


@pytest.fixture(scope="module")
def cloud(local_cloud: LocalCloudServer, operator_credential: Any) -> dict[str, Any]:
    """What the refused names are tried in: a vault the operator may write secrets to, an account, a plan."""
    group(local_cloud, operator_credential, GROUP)
    operator = local_cloud.cloud.identity.operator_object_id
    policies = [policy(local_cloud, operator, "get", "set")]
    made = vault(local_cloud, operator_credential, GROUP, "naming-kv", rbac=False, policies=policies)
    account(local_cloud, operator_credential, GROUP, ACCOUNT)
    return {
        "vault_uri": made.properties.vault_uri,
        "key": account_key(local_cloud, operator_credential, GROUP, ACCOUNT),
        "plan_id": plan(local_cloud, operator_credential, GROUP, "naming-plan").id,
    }


def _refused(call: Callable[[], object]) -> Refusal:
    """(status, code, message) of the refusal; the storage data plane's code is in a header and its
    message ends with lines of request id and time, left out here."""
    with pytest.raises(HttpResponseError) as raised:
        call()
    if raised.value.error is not None:
        return azure_error(raised)
    code = getattr(raised.value, "error_code", None)  # a StorageErrorCode
    return raised.value.status_code, str(getattr(code, "value", code)), str(raised.value).split("\n")[0]


def test_every_rule_of_the_local_cloud_has_refused_names() -> None:
    assert set(REFUSED) == set(RULES) == set(EXPECTED)


def _secret(server: LocalCloudServer, credential: Any, made: dict[str, Any], name: str) -> list[Refusal]:
    client = secret_client(server, made["vault_uri"], credential)
    return [_refused(lambda: client.set_secret(name, "value"))]


def _container(server: LocalCloudServer, credential: Any, made: dict[str, Any], name: str) -> list[Refusal]:
    data_plane = blob_service(server, ACCOUNT, shared_key(ACCOUNT, made["key"]))
    return [
        _refused(lambda: container(server, credential, GROUP, ACCOUNT, name)),
        _refused(lambda: data_plane.create_container(name)),
    ]


def _site(server: LocalCloudServer, credential: Any, made: dict[str, Any], name: str) -> list[Refusal]:
    sites = web(server, credential).web_apps
    return [_refused(lambda: sites.begin_create_or_update(GROUP, name, site_body(made["plan_id"])).result())]


def _login(server: LocalCloudServer, credential: Any, made: dict[str, Any], name: str) -> list[Refusal]:
    body = server_body()
    body["properties"]["administratorLogin"] = name
    servers = sql(server, credential).servers
    return [_refused(lambda: servers.begin_create_or_update(GROUP, "naming-sql", body).result())]


# rule -> (how the name is tried, Azure's answers for `name`)
EXPECTED: dict[str, tuple[Callable[..., list[Refusal]], Callable[[str], list[Refusal]]]] = {
    "key_vault.name": (
        lambda server, credential, made, name: [_refused(lambda: vault(server, credential, GROUP, name, rbac=True))],
        lambda name: [(400, "VaultNameNotValid", VAULT_MESSAGE.format(name))],
    ),
    "key_vault_secret.name": (
        _secret,
        lambda name: [(400, "BadParameter", f"The request URI contains an invalid name: {name}")],
    ),
    "blob_container.name": (
        _container,
        lambda name: [
            (400, "ContainerOperationFailure", CONTAINER_MESSAGE),
            (400, "InvalidResourceName", CONTAINER_MESSAGE),
        ],
    ),
    "web_app.name": (
        _site,
        lambda name: [(400, "BadRequest", f"The host name {name.lower()}.azurewebsites.net is invalid.")],
    ),
    "sql_server.administrator_login": (_login, lambda name: [(400, "InvalidParameterValue", LOGIN_MESSAGE)]),
}


@pytest.mark.parametrize(("rule", "name"), [(rule, name) for rule, names in REFUSED.items() for name in names])
def test_a_name_azure_refuses_gets_azures_error(
    local_cloud: LocalCloudServer, operator_credential: Any, cloud: dict[str, Any], rule: str, name: str
) -> None:
    attempt, expected = EXPECTED[rule]
    assert attempt(local_cloud, operator_credential, cloud, name) == expected(name)
