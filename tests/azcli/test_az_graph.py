"""az ad group / member commands against the local cloud's Graph (under the audience it advertises)."""

from __future__ import annotations

from tests.azcli.conftest import Az


def test_group_membership_as_the_tutorial_does_it(az: Az) -> None:
    az.run("group", "create", "-n", "rg-graph", "-l", "westus", "-o", "none")
    member = az.json("identity", "create", "-g", "rg-graph", "-n", "reader")["principalId"]
    group = az.json("ad", "group", "create", "--display-name", "readers", "--mail-nickname", "readers")
    assert az.json("ad", "group", "show", "-g", "readers")["id"] == group["id"]
    az.run("ad", "group", "member", "add", "--group", "readers", "--member-id", member)
    # A second add is Graph's 400, which az reports as is.
    again = az.fails("ad", "group", "member", "add", "--group", "readers", "--member-id", member)
    assert "One or more added object references already exist" in again
    assert az.json("ad", "group", "member", "check", "--group", group["id"], "--member-id", member) == {"value": True}
    assert [entry["id"] for entry in az.json("ad", "group", "member", "list", "--group", "readers")] == [member]
    az.run("ad", "group", "member", "remove", "--group", "readers", "--member-id", member)
    assert az.json("ad", "group", "member", "check", "--group", group["id"], "--member-id", member) == {"value": False}
    az.run("ad", "group", "delete", "-g", group["id"])
    assert "does not exist" in az.fails("ad", "group", "show", "-g", group["id"])
