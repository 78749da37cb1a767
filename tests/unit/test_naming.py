"""Azure's naming rules in the validator: every refused name of tests/naming_cases.py, at file:line:col."""

from __future__ import annotations

import pytest

from provisioner.emulator.core.naming import RULES
from tests.naming_cases import REFUSED
from tests.unit.conftest import Diagnose, Write, load_text
from tests.unit.test_bad_input import CONTAINER, RG, VAULT, WEB

SECRET = "  s:\n    kind: key_vault_secret\n    vault: ${kv.id}\n    name: 'NAME'\n    value: ${env.APP_SECRET}\n"
SQL = (
    "  sql:\n    kind: sql_server\n    resource_group: ${rg.name}\n    name: sql1\n"
    "    administrator_login: 'NAME'\n    administrator_password: ${env.SQL_PASSWORD}\n"
)
# rule -> (a scenario with NAME where the name goes, where NAME stands, the message)
SCENARIOS = {
    "key_vault.name": (
        RG + VAULT.replace("kv1", "'NAME'"),
        "10:11",
        "invalid key vault name 'NAME': use 3-24 letters, digits and single hyphens, starting with a letter "
        "and ending with a letter or digit",
    ),
    "key_vault_secret.name": (
        RG + VAULT + SECRET,
        "14:11",
        "invalid key vault secret name 'NAME': use 1-127 letters, digits and hyphens",
    ),
    "blob_container.name": (
        RG + CONTAINER.replace("name: docs", "name: 'NAME'"),
        "14:11",
        "invalid blob container name 'NAME': use 3-63 lowercase letters, digits and single hyphens, starting "
        "and ending with a letter or digit (or $root, $web)",
    ),
    "web_app.name": (
        RG + WEB.replace("name: web", "name: 'NAME'"),
        "10:11",
        "invalid web app name 'NAME': use 2-60 letters, digits and hyphens, not starting or ending with a hyphen",
    ),
    "sql_server.administrator_login": (
        RG + SQL,
        "11:26",
        "'NAME' is reserved: Azure SQL refuses it as administrator_login (choose another login, e.g. sqladmin)",
    ),
}
ACCEPTED = {
    "key_vault.name": ("kv-1", "K" + "v" * 23),
    "key_vault_secret.name": ("Secret-1", "s" * 127),
    "blob_container.name": ("$root", "$web", "a-b-c", "c" * 63),
    "web_app.name": ("w1", "Web-App", "w" * 60),
    "sql_server.administrator_login": ("sqladmin", "sa1", "dbadmin"),
}


def test_every_rule_of_the_local_cloud_is_checked_by_the_validator() -> None:
    assert set(SCENARIOS) == set(REFUSED) == set(ACCEPTED) == set(RULES)


@pytest.mark.parametrize(("rule", "name"), [(rule, name) for rule, names in REFUSED.items() for name in names])
def test_a_name_azure_refuses_is_refused_where_it_stands(diagnose: Diagnose, rule: str, name: str) -> None:
    content, place, message = SCENARIOS[rule]
    assert diagnose(content.replace("NAME", name)) == [f"s.yaml:{place}: error: {message.replace('NAME', name)}"]


@pytest.mark.parametrize(("rule", "name"), [(rule, name) for rule, names in ACCEPTED.items() for name in names])
def test_a_name_azure_accepts_is_accepted(write: Write, rule: str, name: str) -> None:
    load_text(write, SCENARIOS[rule][0].replace("NAME", name))
