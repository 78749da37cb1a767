"""Bad scenarios: each case names the exact file:line:col and message it must produce."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.conftest import Diagnose

RG = """\
scenario: t
resources:
  rg:
    kind: resource_group
    name: demo-rg
    location: westus
"""
GROUP = """\
  g:
    kind: entra_group
    display_name: readers
"""
VAULT = """\
  kv:
    kind: key_vault
    resource_group: ${rg.name}
    name: kv1
"""
WEB = """\
  web:
    kind: web_app
    resource_group: ${rg.name}
    name: web
    plan: /subscriptions/s/resourceGroups/r/providers/Microsoft.Web/serverfarms/p
    identity: {system_assigned: true}
"""

CONTAINER = """\
  sa:
    kind: storage_account
    resource_group: ${rg.name}
    name: store1
  c:
    kind: blob_container
    storage_account: ${sa.id}
    name: docs
"""


def blob(attributes: str, container: str = "${c.id}") -> str:
    """A scenario whose blob `b` (line 15) has these attributes from line 18 on."""
    return RG + CONTAINER + f"  b:\n    kind: blob\n    container: {container}\n" + attributes


def web_check(attributes: str, resources: str = RG + WEB) -> str:
    """A scenario with one check of the web app's identity, whose other attributes follow its `identity` line."""
    return resources + "checks:\n  - identity: ${web}\n" + attributes


def role_assignment(principal: str, extra: str = "", role: str = "Reader") -> str:
    return f"""\
  ra:
    kind: role_assignment
    scope: ${{rg.id}}
    role: {role}
    principal: {principal}
{extra}"""


def case(content: str | bytes, expected: str, *, id: str, overrides: dict[str, str] | None = None) -> Any:
    return pytest.param(content, expected, overrides or {}, id=id)


SYNTAX_AND_STRUCTURE = [
    case(
        "scenario: t\nresources: [rg\n",
        "s.yaml:3:1: error: invalid YAML: while parsing a flow sequence, expected ',' or ']', but got '<stream end>'",
        id="yaml-syntax",
    ),
    case(
        "scenario: t\nresources:\n\trg: {}\n",
        "s.yaml:3:1: error: invalid YAML: while scanning for the next token, "
        "found character '\\t' that cannot start any token",
        id="yaml-tab",
    ),
    case(
        "- scenario: t\n",
        "s.yaml:1:1: error: a scenario must be a mapping with 'scenario' and 'resources'",
        id="top-level-list",
    ),
    case("", "s.yaml:1:1: error: file is empty", id="empty-file"),
    case(
        b"scenario: t\ndescription: caf\xe9\n",
        "s.yaml:2:17: error: file is not UTF-8 text (byte 0xe9)",
        id="not-utf8",
    ),
    case(
        "scenario: t\ndescription: bell\x07\n",
        "s.yaml:2:18: error: invalid character U+0007 in the file",
        id="control-character",
    ),
    case(
        RG + "  rg:\n    kind: resource_group\n",
        "s.yaml:7:3: error: duplicate key 'rg' (first defined at line 3)",
        id="duplicate-key",
    ),
    case(
        "scenario: t\nvariables:\n  a: &x westus\n  b: *x\n",
        "s.yaml:4:6: error: YAML aliases (*name) are not supported (repeat the value, or put it in a variable)",
        id="alias",
    ),
    case(
        "scenario: t\nvariables:\n  deep: " + "[" * 40 + "]" * 40 + "\n",
        "s.yaml:3:39: error: nesting deeper than 32 levels",
        id="deep-nesting",
    ),
    case(
        RG + "variables:\n  n: " + "9" * 30 + "\n",
        "s.yaml:8:6: error: integer out of range",
        id="huge-integer",
    ),
    case(
        RG + "variables:\n  file: !include other.yaml\n",
        "s.yaml:8:9: error: unsupported YAML tag '!include'",
        id="unsupported-tag",
    ),
    case(
        RG + "? [a, b]\n: c\n",
        "s.yaml:7:3: error: mapping keys must be plain names",
        id="complex-key",
    ),
    case(
        RG + "output: {}\n",
        "s.yaml:7:1: error: unknown attribute 'output' of the scenario (did you mean 'outputs'?)",
        id="unknown-top-level-key",
    ),
    case(
        "scenario: t\ndescription: nothing\n",
        "s.yaml:1:1: error: missing required attribute 'resources' of the scenario",
        id="missing-resources",
    ),
    case(
        "scenario: t\nresources:\n  - rg\n",
        "s.yaml:3:3: error: 'resources' must be a mapping, not a list",
        id="resources-not-a-mapping",
    ),
    case(
        RG.replace("scenario: t", "scenario: '-bad name'"),
        "s.yaml:1:11: error: invalid scenario name '-bad name' "
        "(use up to 80 letters, digits, '_', '.' and '-', starting with a letter or digit)",
        id="scenario-name",
    ),
]

RESOURCES = [
    case(
        RG.replace("  rg:", "  var:"),
        "s.yaml:3:3: error: invalid resource name 'var' "
        "(use letters, digits, '_' and '-', starting with a letter or '_'; not 'var', 'env' or 'target')",
        id="reserved-resource-name",
    ),
    case(
        "scenario: t\nresources:\n  rg: resource_group\n",
        "s.yaml:3:7: error: resource 'rg' must be a mapping with a 'kind'",
        id="resource-not-a-mapping",
    ),
    case(
        "scenario: t\nresources:\n  rg:\n    name: x\n",
        "s.yaml:3:3: error: resource 'rg' has no 'kind'",
        id="missing-kind",
    ),
    case(
        RG.replace("kind: resource_group", "kind: resource-group"),
        "s.yaml:4:11: error: unknown kind 'resource-group' (did you mean 'resource_group'?)",
        id="unknown-kind",
    ),
    case(
        RG + "    tgas: {}\n",
        "s.yaml:7:5: error: unknown attribute 'tgas' of resource_group 'rg' (did you mean 'tags'?)",
        id="unknown-attribute",
    ),
    case(
        RG + WEB.replace("{system_assigned: true}", "{system_assigned: 'yes'}"),
        "s.yaml:12:33: error: 'identity.system_assigned' must be true or false, not a string",
        id="wrong-type-bool",
    ),
    case(
        RG + "    tags: [a, b]\n",
        "s.yaml:7:11: error: 'tags' must be a mapping, not a list",
        id="wrong-type-list",
    ),
    case(
        "scenario: t\nresources:\n  rg:\n    kind: resource_group\n    location: westus\n",
        "s.yaml:3:3: error: missing required attribute 'name' of resource_group 'rg'",
        id="missing-attribute",
    ),
    case(
        "scenario: t\nresources:\n  rg:\n    kind: resource_group\n    name: x\n",
        "s.yaml:3:3: error: missing required attribute 'location' of resource_group 'rg'",
        id="missing-attribute-to-create",
    ),
    case(
        RG + role_assignment("11111111-2222-3333-4444-555555555555", "    principal_type: Usr\n"),
        "s.yaml:12:21: error: 'principal_type' must be 'User', 'Group', 'ServicePrincipal' or 'ForeignGroup' "
        "(did you mean 'User'?)",
        id="literal-choice",
    ),
    case(
        RG + "  uai:\n    kind: user_assigned_identity\n    resource_group: ${rg.name}\n    name: ${rg.name}\n",
        "s.yaml:10:11: error: 'name' cannot take a resource reference such as ${rg.name} "
        "(its value must be known before apply: use a literal or a variable)",
        id="reference-where-a-literal-is-needed",
    ),
    case(
        RG + "    existing: true\n",
        "s.yaml:6:5: error: 'location' cannot be set on an existing resource_group "
        "(an existing resource is only read; remove it, or remove 'existing: true' to create the resource)",
        id="existing-with-create-only-attribute",
    ),
    case(
        "scenario: t\nresources:\n  alice:\n    kind: entra_user\n    user_principal_name: a@contoso.example\n",
        "s.yaml:3:3: error: entra_user 'alice' can only be read: set 'existing: true'",
        id="entra-user-not-existing",
    ),
]

REFERENCES = [
    case(
        RG.replace("demo-rg", "${var.prefx}-rg") + "variables:\n  prefix: x\n",
        "s.yaml:5:11: error: unknown variable 'prefx' (did you mean 'prefix'?)",
        id="unknown-variable",
    ),
    case(
        RG.replace("demo-rg", "${env.NO_SUCH_VARIABLE}"),
        "s.yaml:5:11: error: environment variable 'NO_SUCH_VARIABLE' is not set",
        id="unset-environment-variable",
    ),
    case(
        RG + "outputs:\n  id: ${rgg.id}\n",
        "s.yaml:8:7: error: unknown resource 'rgg' in ${rgg.id} (did you mean 'rg'?)",
        id="unknown-resource",
    ),
    case(
        RG + "outputs:\n  principal: ${rg.principal_id}\n",
        "s.yaml:8:14: error: resource 'rg' (resource_group) does not export 'principal_id'; "
        "it exports: id, name, location",
        id="attribute-not-exported",
    ),
    case(
        RG + "outputs:\n  id: ${rg..id}\n",
        "s.yaml:8:7: error: malformed reference '${rg..id}': expected names separated by dots, "
        "like ${var.name}, ${env.NAME} or ${resource.attribute}",
        id="malformed-reference",
    ),
    case(
        RG + "outputs:\n  id: x-${rg.id\n",
        "s.yaml:8:7: error: unterminated reference '${rg.id': missing '}'",
        id="unterminated-reference",
    ),
    case(
        RG + "outputs:\n  group: ${rg}\n",
        "s.yaml:8:10: error: ${rg} names a whole resource, which only a check can use "
        "(use an attribute such as ${rg.id})",
        id="whole-resource-outside-a-check",
    ),
    case(
        RG + "variables:\n  a: ${rg.name}\n",
        "s.yaml:8:6: error: ${rg.name}: resources cannot be referenced here, only ${var.*} and ${env.*}",
        id="resource-in-a-variable",
    ),
    case(
        RG
        + WEB.replace("    identity: {system_assigned: true}\n", "")
        + role_assignment("${web.identity.principal_id}"),
        "s.yaml:16:16: error: resource 'web' (web_app) exports 'identity.principal_id' "
        "only with identity.system_assigned: true",
        id="no-system-identity",
    ),
    case(
        RG + "  uai:\n    kind: user_assigned_identity\n    resource_group: ${rg.id}\n    name: uai\n",
        "s.yaml:9:21: error: 'resource_group' must refer to resource_group.name, not ${rg.id} (resource_group)",
        id="reference-to-the-wrong-export",
    ),
    case(
        RG + "    depends_on: [rgg]\n",
        "s.yaml:7:18: error: unknown resource 'rgg' in depends_on (did you mean 'rg'?)",
        id="depends-on-unknown-resource",
    ),
    case(
        "scenario: t\nresources:\n"
        + "".join(
            f"  {name}:\n    kind: role_assignment\n    scope: ${{{scope}.id}}\n    role: Reader\n"
            f"    principal: 11111111-2222-3333-4444-555555555555\n    principal_type: User\n"
            for name, scope in (("a", "b"), ("b", "c"), ("c", "a"))
        ),
        "s.yaml:5:12: error: cycle: a -> b -> c -> a",
        id="cycle",
    ),
]

RULES = [
    case(
        RG + RG.split("resources:\n")[1].replace("  rg:", "  rg2:").replace("demo-rg", "DEMO-rg"),
        "s.yaml:7:3: error: resources 'rg' and 'rg2' are the same resource_group (they have the same name)",
        id="duplicate-resource",
    ),
    case(
        RG + GROUP + role_assignment("${g.id}") + role_assignment("${g.id}").replace("  ra:", "  rb:"),
        "s.yaml:15:3: error: resources 'ra' and 'rb' are the same role_assignment "
        "(they have the same scope, role and principal)",
        id="duplicate-role-assignment",
    ),
    case(
        RG.replace("demo-rg", "demo."),
        "s.yaml:5:11: error: invalid resource group name 'demo.': use 1-90 letters, digits and ._-() not ending in '.'",
        id="resource-group-name-ends-with-dot",
    ),
    case(
        RG.replace("demo-rg", "r" * 91),
        f"s.yaml:5:11: error: invalid resource group name '{'r' * 91}': use 1-90 letters, digits and "
        "._-() not ending in '.'",
        id="resource-group-name-too-long",
    ),
    case(
        RG + "  uai:\n    kind: user_assigned_identity\n    resource_group: ${rg.name}\n    name: _uai\n",
        "s.yaml:10:11: error: invalid user-assigned identity name '_uai': use 3-128 letters, digits, "
        "'-' and '_', starting with a letter or digit",
        id="user-assigned-identity-name",
    ),
    case(
        RG + "  sa:\n    kind: storage_account\n    resource_group: ${rg.name}\n    name: Storage1\n",
        "s.yaml:10:11: error: invalid storage account name 'Storage1': use 3-24 lowercase letters and digits",
        id="storage-account-name",
    ),
    case(
        RG + VAULT.replace("kv1", "1vault"),
        "s.yaml:10:11: error: invalid key vault name '1vault': use 3-24 letters, digits and single hyphens, "
        "starting with a letter and ending with a letter or digit",
        id="key-vault-name",
    ),
    case(
        RG + "  sql:\n    kind: sql_server\n    resource_group: ${rg.name}\n    name: sql-\n"
        "    administrator_login: dba\n    administrator_password: ${env.SQL_PASSWORD}\n",
        "s.yaml:10:11: error: invalid SQL server name 'sql-': use 1-63 lowercase letters, digits and "
        "hyphens, not starting or ending with a hyphen",
        id="sql-server-name",
    ),
    case(
        RG + GROUP + role_assignment("${g.id}", role="Reeder"),
        "s.yaml:13:11: error: unknown role 'Reeder' (did you mean 'Reader'?)",
        id="unknown-role",
    ),
    case(
        RG + GROUP + role_assignment("${g.id}", role="/providers/Microsoft.Authorization/roleDefinitions/x"),
        "s.yaml:13:11: error: unknown role '/providers/Microsoft.Authorization/roleDefinitions/x' "
        "(use a built-in role name or a role definition id)",
        id="malformed-role-definition-id",
    ),
    case(
        RG + role_assignment("11111111-2222-3333-4444-555555555555"),
        "s.yaml:11:16: error: set 'principal_type' (Group, ServicePrincipal or User): "
        "it cannot be inferred from a literal id",
        id="literal-principal-without-type",
    ),
    case(
        RG + role_assignment("alice", "    principal_type: User\n"),
        "s.yaml:11:16: error: 'principal' must be an object id (a GUID) or a reference such as "
        "${vm.identity.principal_id}",
        id="principal-not-a-guid",
    ),
    case(
        RG
        + "  uai:\n    kind: user_assigned_identity\n    resource_group: ${rg.name}\n    name: uai\n"
        + role_assignment("${uai.client_id}"),
        "s.yaml:15:16: error: 'principal' must be a principal's object id, and ${uai.client_id} is not "
        "(use ${uai.principal_id})",
        id="principal-is-a-client-id",
    ),
    case(
        RG + GROUP + role_assignment("${g.id}", "    principal_type: User\n"),
        "s.yaml:15:21: error: 'principal_type' is User, but ${g.id} is a Group",
        id="principal-type-contradiction",
    ),
    case(
        RG + "  vnet:\n    kind: virtual_network\n    resource_group: ${rg.name}\n    name: vnet\n"
        "    address_space: [10.0.0.0/16]\n    subnets:\n      - {name: default, address_prefix: 10.9.0.0/24}\n",
        "s.yaml:13:41: error: subnet 'default' (10.9.0.0/24) is outside the address space",
        id="subnet-outside-address-space",
    ),
    case(
        RG + "  vnet:\n    kind: virtual_network\n    resource_group: ${rg.name}\n    name: vnet\n"
        "    address_space: [10.0.0.0/16]\n    subnets:\n      - {name: default, address_prefix: 10.0.0.0/24}\n"
        "  nic:\n    kind: network_interface\n    resource_group: ${rg.name}\n    name: nic\n"
        "    subnet: ${vnet.id}/subnets/defualt\n",
        "s.yaml:18:13: error: virtual network 'vnet' has no subnet 'defualt' (did you mean 'default'?)",
        id="unknown-subnet",
    ),
    case(
        RG + "  vm:\n    kind: virtual_machine\n    resource_group: ${rg.name}\n    name: windows-vm-too-long\n"
        "    size: Standard_B2s\n    os_type: Windows\n"
        "    image: {publisher: MicrosoftWindowsServer, offer: WindowsServer, sku: 2022-datacenter}\n"
        "    admin_username: azureuser\n    network_interfaces: [/subscriptions/s/nic]\n",
        "s.yaml:7:3: error: a Windows VM needs 'admin_password'",
        id="windows-vm-without-password",
    ),
]

SECRETS_AND_POLICIES = [
    case(
        RG + VAULT + "  s:\n    kind: key_vault_secret\n    vault: ${kv.id}\n    name: s\n    value: hunter2\n",
        "s.yaml:15:12: error: 'value' must not be a literal secret (use ${env.NAME} or {generate: {length: N}})",
        id="literal-secret",
    ),
    case(
        RG + "  sql:\n    kind: sql_server\n    resource_group: ${rg.name}\n    name: sql1\n"
        "    administrator_login: dba\n    administrator_password: ${var.pw}\nvariables:\n  pw: hunter2\n",
        "s.yaml:12:29: error: 'administrator_password' must not be a literal secret "
        "(use ${env.NAME} or {generate: {length: N}})",
        id="secret-from-a-variable",
    ),
    case(
        RG
        + VAULT
        + "    rbac_authorization: true\n"
        + GROUP
        + "  p:\n    kind: key_vault_access_policy\n    vault: ${kv.id}\n    object_id: ${g.id}\n"
        "    template: Secret Management\n",
        "s.yaml:17:12: error: key vault 'kv' has rbac_authorization: true, so Azure ignores its access "
        "policies (grant a role such as 'Key Vault Secrets User' with a role_assignment)",
        id="access-policy-on-rbac-vault",
    ),
    case(
        RG + VAULT + GROUP + "  p:\n    kind: key_vault_access_policy\n    vault: ${kv.id}\n    object_id: ${g.id}\n",
        "s.yaml:14:3: error: set 'template' or at least one of 'secrets', 'keys', 'certificates'",
        id="access-policy-without-permissions",
    ),
    case(
        RG + VAULT + GROUP + "  p:\n    kind: key_vault_access_policy\n    vault: ${kv.id}\n    object_id: ${g.id}\n"
        "    secrets: [get, lsit]\n",
        "s.yaml:18:20: error: 'secrets[1]' must be 'get', 'list', 'set', 'delete', 'recover', 'backup', "
        "'restore' or 'purge' (did you mean 'list'?)",
        id="access-policy-permission",
    ),
]

BAD_BLOB_NAMES = {"trailing-slash": "docs/", "trailing-dot": "notes.", "empty": "", "too-long": "n" * 1025}
BLOBS = [
    *(
        case(
            blob(f"    name: '{name}'\n    content: hi\n"),
            f"s.yaml:18:11: error: invalid blob name '{name}': use 1-1024 characters, not ending in '.' or '/'",
            id=f"blob-name-{label}",
        )
        for label, name in BAD_BLOB_NAMES.items()
    ),
    case(
        blob("    name: a.txt\n    content: hi\n    content_file: a.txt\n"),
        "s.yaml:20:5: error: set either 'content' or 'content_file', not both",
        id="blob-content-and-file",
    ),
    case(
        blob("    name: a.txt\n"),
        "s.yaml:15:3: error: missing required attribute 'content' or 'content_file' of blob 'b'",
        id="blob-without-content",
    ),
    case(
        blob("    name: a.txt\n    content: " + "é" * 32769 + "\n"),
        "s.yaml:19:14: error: 'content' has 65538 bytes of UTF-8, more than 64 KiB "
        "(upload larger data yourself, e.g. with az storage blob upload)",
        id="blob-content-too-large",
    ),
    case(
        blob("    name: a.txt\n    content: ${rg.name}\n"),
        "s.yaml:19:14: error: 'content' cannot take a resource reference such as ${rg.name} "
        "(its value must be known before apply: use a literal or a variable)",
        id="blob-content-reference",
    ),
    case(
        blob("    name: a.txt\n    content: hi\n", container="${sa.id}"),
        "s.yaml:17:16: error: 'container' must refer to blob_container.id, not ${sa.id} (storage_account)",
        id="blob-in-a-storage-account",
    ),
    case(
        blob("    name: a.txt\n    content_file: missing.txt\n"),
        "s.yaml:19:19: error: cannot read 'missing.txt': No such file or directory "
        "(the path is relative to the folder of the scenario file)",
        id="blob-content-file-missing",
    ),
    case(
        blob("    name: a.txt\n    content_file: ../../../../etc/hostname\n"),
        "s.yaml:19:19: error: '../../../../etc/hostname' is outside the scenario's folder "
        "(move the file into that folder, or pass --allow-outside-files to read it)",
        id="blob-content-file-outside",
    ),
    case(
        blob("    name: a.txt\n    content_file: /etc/hostname\n"),
        "s.yaml:19:19: error: '/etc/hostname' must be a path relative to the scenario's folder",
        id="blob-content-file-absolute",
    ),
    case(
        blob("    name: a.txt\n    content: hi\n") + "  b2:\n    kind: blob\n    container: ${c.id}\n    name: a.txt\n"
        "    content: ho\n",
        "s.yaml:20:3: error: resources 'b' and 'b2' are the same blob (they have the same name and container)",
        id="blob-duplicate",
    ),
]

CHECKS = [
    case(
        RG + WEB + "checks:\n  - identity: ${web.id}\n    can: read\n    target: ${rg}\n",
        "s.yaml:14:15: error: 'identity' must name a whole resource: ${web}, not ${web.id}",
        id="check-identity-attribute",
    ),
    case(
        RG + "checks:\n  - identity: ${rg}\n    can: read\n    target: ${rg}\n",
        "s.yaml:8:15: error: 'identity' cannot be a resource_group; it can be: virtual_machine, web_app, "
        "user_assigned_identity",
        id="check-identity-kind",
    ),
    case(
        RG + VAULT + WEB + "checks:\n  - identity: ${web}\n    can: write\n    target: ${kv}\n",
        "s.yaml:19:10: error: a check cannot prove 'write' on a key_vault; it can prove: read, none",
        id="check-ability",
    ),
    case(
        web_check("    can: wirte\n    target: ${rg}\n"),
        "s.yaml:15:10: error: a check cannot prove 'wirte' on a resource_group; it can prove: read, write, none "
        "(did you mean 'write'?)",
        id="check-ability-hint",
    ),
    case(
        web_check("    cannot: wirte\n    target: ${rg}\n"),
        "s.yaml:15:13: error: a check cannot prove 'cannot wirte' on a resource_group; 'cannot' takes: read, write "
        "(did you mean 'write'?)",
        id="check-cannot-ability",
    ),
    case(
        web_check("    cannot: none\n    target: ${kv}\n", RG + VAULT + WEB),
        "s.yaml:19:13: error: a check cannot prove 'cannot none' on a key_vault; 'cannot' takes: read",
        id="check-cannot-none",
    ),
    case(
        web_check("    can: read\n    cannot: write\n    target: ${rg}\n"),
        "s.yaml:16:13: error: a check says either 'can' or 'cannot', not both",
        id="check-can-and-cannot",
    ),
    case(
        web_check("    target: ${rg}\n"),
        "s.yaml:14:5: error: missing 'can' or 'cannot' of a check: what to prove",
        id="check-neither-can-nor-cannot",
    ),
    case(
        RG + WEB + "checks:\n  - identity: ${web}\n    can: read\n",
        "s.yaml:14:5: error: missing required attribute 'target' of a check",
        id="check-without-target",
    ),
    case(
        RG + WEB + "checks:\n  - identity: ${web}\n    can: read\n    taget: ${rg}\n",
        "s.yaml:16:5: error: unknown attribute 'taget' of a check (did you mean 'target'?)",
        id="check-unknown-key",
    ),
    case(
        RG
        + "  a:\n    kind: user_assigned_identity\n    resource_group: ${rg.name}\n    name: aaa\n"
        + WEB
        + "checks:\n  - identity: ${web}\n    via: ${a}\n    can: read\n    target: ${rg}\n",
        "s.yaml:19:10: error: 'via' must name a user-assigned identity of 'web', like ${uai} "
        "(its identity.user_assigned lists: none)",
        id="check-via-not-attached",
    ),
    case(
        RG
        + "  a:\n    kind: user_assigned_identity\n    resource_group: ${rg.name}\n    name: aaa\n"
        + "  b:\n    kind: user_assigned_identity\n    resource_group: ${rg.name}\n    name: bbb\n"
        + WEB.replace("{system_assigned: true}", "{user_assigned: ['${a.id}', '${b.id}']}")
        + "checks:\n  - identity: ${web}\n    can: read\n    target: ${rg}\n",
        "s.yaml:22:15: error: web_app 'web' has several identities: say which with 'via'",
        id="check-needs-via",
    ),
    case(
        RG
        + "  a:\n    kind: user_assigned_identity\n    resource_group: ${rg.name}\n    name: aaa\n"
        + "checks:\n  - identity: ${a}\n    can: read\n    target: ${rg}\n",
        "s.yaml:12:15: error: 'a' is not attached to any virtual_machine or web_app, so nothing acts as it",
        id="check-identity-not-attached",
    ),
]

VARIABLES = [
    case(
        RG.replace("demo-rg", "${var.student}-rg") + "variables:\n  student: null\n",
        "s.yaml:8:3: error: variable 'student' has no value (set it with --var student=VALUE or in a --vars-file)",
        id="required-variable",
    ),
    case(
        RG + "variables:\n  count: 1\n",
        "s.yaml:7:1: error: --var count: variable 'count' is an integer, not 'many'",
        id="override-of-the-wrong-type",
        overrides={"count": "many"},
    ),
    case(
        RG + "variables:\n  prefix: x\n",
        "s.yaml:7:1: error: --var prefx: unknown variable 'prefx' (did you mean 'prefix'?)",
        id="override-of-an-unknown-variable",
        overrides={"prefx": "alice"},
    ),
]


@pytest.mark.parametrize(
    ("content", "expected", "overrides"),
    SYNTAX_AND_STRUCTURE + RESOURCES + REFERENCES + RULES + SECRETS_AND_POLICIES + BLOBS + CHECKS + VARIABLES,
)
def test_bad_input_is_reported_where_it_stands(
    diagnose: Diagnose, content: str | bytes, expected: str, overrides: dict[str, str]
) -> None:
    assert expected in diagnose(content, overrides=overrides)


def test_every_error_of_a_file_is_reported_in_one_run(diagnose: Diagnose) -> None:
    content = RG + "    tgas: {}\n" + role_assignment("${rg.principal_id}", role="Reeder")
    assert diagnose(content) == [
        "s.yaml:7:5: error: unknown attribute 'tgas' of resource_group 'rg' (did you mean 'tags'?)",
        "s.yaml:11:11: error: unknown role 'Reeder' (did you mean 'Reader'?)",
        "s.yaml:12:16: error: resource 'rg' (resource_group) does not export 'principal_id'; "
        "it exports: id, name, location",
    ]
