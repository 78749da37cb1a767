"""A Linux web app with a runtime (`az webapp create --runtime` reads the webAppStacks catalogue), its
system-assigned identity granted Reader, and `az login --identity` inside the app (App Service's
identity endpoint) reading the group."""

from __future__ import annotations

from tests.azcli.conftest import Az, SignIn


def test_web_app_with_a_runtime_and_its_identity_signed_in(az: Az, sign_in: SignIn) -> None:
    group = az.json("group", "create", "-n", "rg-web", "-l", "westus")
    az.run("appservice", "plan", "create", "-g", "rg-web", "-n", "plan", "--sku", "B1", "--is-linux", "-o", "none")
    app = az.json("webapp", "create", "-g", "rg-web", "-p", "plan", "-n", "azcli-web-1", "--runtime", "PYTHON:3.12")
    assert (app["state"], app["defaultHostName"]) == ("Running", "azcli-web-1.azurewebsites.net")
    assert app["siteConfig"]["linuxFxVersion"] == "PYTHON|3.12"
    refused = az.fails("webapp", "create", "-g", "rg-web", "-p", "plan", "-n", "azcli-web-2", "--runtime", "PYTHON:2.7")
    assert "PYTHON:2.7" in refused or "python|2.7" in refused.lower()

    identity = az.json("webapp", "identity", "assign", "-g", "rg-web", "-n", "azcli-web-1")
    az.run(
        "role", "assignment", "create", "--assignee-object-id", identity["principalId"],
        "--assignee-principal-type", "ServicePrincipal", "--role", "Reader", "--scope", group["id"], "-o", "none",
    )  # fmt: skip
    inside = sign_in("--web-app", app["id"])
    assert inside.json("account", "show")["user"]["assignedIdentityInfo"] == "MSI"
    assert inside.json("group", "show", "-n", "rg-web")["id"] == group["id"]
