"""The Run Command scripts as text (no PowerShell here; the Linux script runs against the local cloud in
test_runcommand.py), what reaches a script from resource names, and how their output is read."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from provisioner.azure.profiles import azure_profile
from provisioner.verify.abilities import Action
from provisioner.verify.model import Actual
from provisioner.verify.runcommand_calls import BLOB_API_VERSION, Script, Where, build_script
from provisioner.verify.runcommand_linux import linux_script
from provisioner.verify.runcommand_output import read_output
from provisioner.verify.runcommand_windows import windows_script
from provisioner.verify.runner import Probe

SUBSCRIPTION = "00000000-0000-0000-0000-00000000000a"
AZURE = Where(azure_profile(), SUBSCRIPTION)
ARM = f"https://management.azure.com/subscriptions/{SUBSCRIPTION}"
CONTAINER = {
    "group": "g",
    "account": "acct",
    "account_url": "https://acct.blob.core.windows.net/",
    "container": "data",
    "blob_name": "provision-verify/vm-sas.txt",
}
DATABASE = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/app-sql/databases/appdb"
TAGS = {"it's": "a \u2019quote\u2019", "x": "'; Write-Output injected; '"}


def probes() -> list[Probe]:
    """One probe of each action a VM runs, with what verify's lookups give on Azure."""
    return [
        Probe("0", Action.ARM_READ, {"resource_id": "/subscriptions/s/resourceGroups/g", "api_version": "2021-04-01"}),
        Probe("1", Action.GROUP_WRITE, {"group": "g(1)", "tags": TAGS}),
        Probe("2", Action.BLOB_READ, CONTAINER),
        Probe("3", Action.BLOB_WRITE, CONTAINER),
        Probe("4", Action.SAS_READ, CONTAINER),
        Probe("5", Action.SAS_WRITE, CONTAINER),
        Probe("6", Action.SECRET_READ, {"vault_url": "https://kv.vault.azure.net/", "name": "app-secret"}),
        Probe("7", Action.SQL_READ, {"database_id": DATABASE}),
    ]


def azure_script(client_id: str | None = None) -> Script:
    script, rejected = build_script(AZURE, client_id, probes())
    assert rejected == {}
    return script


def test_the_windows_script_makes_each_access_with_quoted_arguments() -> None:
    lines = windows_script(azure_script("c1d")).splitlines()
    assert lines[0] == f"$BlobVersion = '{BLOB_API_VERSION}'"
    imds = "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
    assert [line for line in lines if line.startswith("Get-Token")] == [
        f"Get-Token 'arm' '{imds}&resource=https%3A%2F%2Fmanagement.azure.com%2F&client_id=c1d'",
        f"Get-Token 'storage' '{imds}&resource=https%3A%2F%2Fstorage.azure.com%2F&client_id=c1d'",
        f"Get-Token 'vault' '{imds}&resource=https%3A%2F%2Fvault.azure.net%2F&client_id=c1d'",
        f"Get-Token 'sql' '{imds}&resource=https%3A%2F%2Fdatabase.windows.net%2F&client_id=c1d'",
    ]
    calls = lines[-8:]
    account = f"{ARM}/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/acct"
    sas = f"'{account}/listServiceSas?api-version=2026-09-01'"
    assert (
        calls[0]
        == "arm_read '0' $Tokens['arm'] 'https://management.azure.com/subscriptions/s/resourceGroups/g?api-version=2021-04-01'"
    )
    assert calls[1] == (
        f"group_write '1' $Tokens['arm'] '{ARM}/resourcegroups/g%281%29?api-version=2025-04-01' "
        """'{"tags":{"it''s":"a \\u2019quote\\u2019","x":"''; Write-Output injected; ''"}}'"""
    )
    assert calls[2] == "blob_read '2' $Tokens['storage'] 'https://acct.blob.core.windows.net/data'"
    assert calls[3] == (
        "blob_write '3' $Tokens['storage'] 'https://acct.blob.core.windows.net/data/provision-verify/vm-sas.txt'"
    )
    assert calls[4].startswith(f"sas_read '4' $Tokens['arm'] {sas} '{{\"canonicalizedResource\":\"/blob/acct/data\",")
    assert '"signedPermission":"rl"' in calls[4] and calls[4].endswith(" 'https://acct.blob.core.windows.net/data'")
    assert calls[5].startswith(f"sas_write '5' $Tokens['arm'] {sas} ") and '"signedPermission":"rcw"' in calls[5]
    assert (
        calls[6] == "secret_read '6' $Tokens['vault'] 'https://kv.vault.azure.net/secrets/app-secret?api-version=7.4'"
    )
    assert calls[7] == "sql_read '7' $Tokens['sql'] 'app-sql.database.windows.net' 'appdb'"


def test_the_windows_sql_check_is_the_tutorials_powershell() -> None:
    """The IMDS token as SqlConnection.AccessToken to the server's own host (under the cloud's SQL suffix),
    TLS verified, then the probe's own question; SQL's refusals are 403 with their number."""
    script = windows_script(azure_script())
    assert "$SqlQuery = 'SELECT HAS_PERMS_BY_NAME(DB_NAME(), ''DATABASE'', ''SELECT'')'" in script
    assert "$SqlPort = 1433" in script
    for line in (
        "$connection = New-Object System.Data.SqlClient.SqlConnection",
        '$connection.ConnectionString = "Data Source=tcp:$Server,$SqlPort;Initial Catalog=$Database;" +',
        "'Encrypt=True;TrustServerCertificate=False;Connect Timeout=30'",
        "$connection.AccessToken = $Token",
        "$connection.Open()",
        "$command.CommandText = $SqlQuery",
        "} catch [System.Data.SqlClient.SqlException] {",
        "if (@(18456, 229, 916) -contains $number) { $script:Status = 403 }",
        "Write-Result $Id 'sql'",
    ):
        assert line in script, line
    china = Where(azure_profile("AzureChinaCloud"), SUBSCRIPTION)
    built, _ = build_script(china, None, [Probe("0", Action.SQL_READ, {"database_id": DATABASE})])
    assert built.calls[0].args == ("app-sql.database.chinacloudapi.cn", "appdb")
    assert built.token_urls["sql"].endswith("resource=https%3A%2F%2Fdatabase.chinacloudapi.cn%2F")
    odd = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/app-sql/databases/a'b"
    _, rejected = build_script(AZURE, None, [Probe("1", Action.SQL_READ, {"database_id": odd})])
    assert rejected["1"].detail.startswith("not put in the Run Command script: ")


def test_the_windows_script_defines_what_it_calls() -> None:
    script = windows_script(azure_script())
    for action in Action:
        database = action in (Action.PG_READ, Action.PG_WRITE)  # skipped on Azure
        assert (f"function {action}(" in script) is not database
    assert "(Invoke-RestMethod -Headers @{Metadata = 'true'} -Uri $Uri).access_token" in script
    for method in ("'GET' $Uri", "'PATCH' $Uri @{} $Tags 'application/json'", "'POST' $Uri @{} $Request"):
        assert f"Invoke-Access $Token {method}" in script
    assert "Invoke-Access $Token 'PUT' $Uri $headers $Marker 'text/plain'" in script
    assert "'x-ms-blob-type' = 'BlockBlob'" in script
    assert "$Marker = 'written by provision verify' + \"`n\"" in script


def test_unsafe_lookups_are_not_put_in_a_script() -> None:
    unsafe = [
        Probe("0", Action.SECRET_READ, {"vault_url": "https://kv.vault.azure.net/'; evil; '", "name": "s"}),
        Probe("1", Action.BLOB_READ, {**CONTAINER, "account_url": "http://acct.blob.core.windows.net/"}),
        Probe("2\n", Action.BLOB_READ, CONTAINER),
        Probe("3", Action.SECRET_READ, {"vault_url": "https://kv.vault.azure.net/", "name": "n'; $(evil)\n"}),
    ]
    script, rejected = build_script(AZURE, None, unsafe)
    assert sorted(rejected) == ["0", "1", "2\n"]
    assert all(outcome.detail.startswith("not put in the Run Command script: ") for outcome in rejected.values())
    (call,) = script.calls
    assert call.args == ("https://kv.vault.azure.net/secrets/n%27%3B%20%24%28evil%29%0A?api-version=7.4",)
    assert list(script.token_urls) == ["vault"]


def test_the_linux_script_runs_no_argument(tmp_path: Path) -> None:
    canary = tmp_path / "injected"
    tags = {"t": f"'$(touch {canary})'`touch {canary}`", "u": f'"; touch {canary}; "'}
    group = [Probe("0", Action.GROUP_WRITE, {"group": "g", "tags": tags})]
    script, _ = build_script(AZURE, None, group, imds_url="http://127.0.0.1:9/token")  # nothing listens
    shell = shutil.which("dash") or "sh"
    done = subprocess.run([shell, "-c", linux_script(script)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert not canary.exists()
    outcome = read_output(done.stdout, group)["0"]
    assert outcome.actual is Actual.ERROR and outcome.detail.startswith("no token as the identity for arm (IMDS): ")


def test_script_output_becomes_outcomes() -> None:
    checks = probes()
    text = (
        "noise\nprovision-verify token:vault no identity\r\n"
        "provision-verify 0 200 - read\r\n"
        "provision-verify 1 403 AuthorizationFailed tags\n"
        "provision-verify 2 200 - empty\n"
        "provision-verify 3 0 - write\n"
        "provision-verify 4 200 - download 12 dir/a b.txt\n"
        "provision-verify 5 200 - differs\n"
        "provision-verify 7 403 18456 sql\n"
    )
    outcomes = read_output(text, checks)
    assert [outcomes[str(index)].actual for index in range(8)] == [
        Actual.ALLOWED, Actual.REFUSED, Actual.ALLOWED, Actual.ERROR, Actual.ALLOWED, Actual.ERROR, Actual.ERROR,
        Actual.REFUSED,
    ]  # fmt: skip
    assert (outcomes["7"].code, outcomes["7"].detail) == (
        "18456",
        "the SQL login and SELECT permission check (SqlConnection with the IMDS token) was refused (SQL error 18456)"
        ", inside the VM (Run Command)",
    )
    sql = checks[7:]
    assert read_output("provision-verify 7 200 - sql", sql)["7"].detail.startswith("connected over TDS with a token")
    firewall = read_output("provision-verify 7 0 40615 sql", sql)["7"]
    assert (firewall.actual, firewall.code) == (Actual.ERROR, "40615")
    assert "failed (SQL error 40615)" in firewall.detail
    assert outcomes["0"].detail == "read it through ARM, inside the VM (Run Command)"
    assert (outcomes["1"].code, outcomes["1"].detail) == (
        "AuthorizationFailed",
        "the PATCH of the resource group's tags was refused (HTTP 403), inside the VM (Run Command)",
    )
    assert outcomes["2"].detail.startswith("listed the container (empty: no blob to download)")
    assert outcomes["3"].detail == "writing the blob answered HTTP nothing, inside the VM (Run Command)"
    assert outcomes["4"].detail.startswith(
        "got a service SAS through ARM, then listed the container and downloaded blob 'dir/a b.txt' (12 bytes)"
    )
    assert outcomes["5"].detail.startswith("the blob read back with the SAS differs from what was written")
    assert outcomes["6"].detail == "no token as the identity for vault (IMDS): no identity"
    assert read_output("", checks[:1])["0"].detail == "the script printed no result for this check"
