"""Secret values never appear in a message, a repr or a JSON dump."""

from __future__ import annotations

import pytest

from provisioner.cli.main import main
from provisioner.scenario import load_scenario
from tests.unit.conftest import DATA, ENV, Diagnose, Write

SECRETS = list(ENV.values())


def test_secrets_from_the_environment_are_kept_hidden() -> None:
    scenario = load_scenario(DATA / "all_kinds.yaml", env=ENV)
    secret = scenario.resources["from_env"].spec
    password = scenario.resources["sql"].spec
    assert secret.value.get_secret_value() == ENV["APP_SECRET"]  # type: ignore[attr-defined]
    assert password.administrator_password.get_secret_value() == ENV["SQL_PASSWORD"]  # type: ignore[attr-defined]
    for text in (repr(scenario), str(scenario), secret.model_dump_json(), password.model_dump_json()):
        assert not any(value in text for value in SECRETS)


def test_secret_environment_values_do_not_feed_the_source_hash() -> None:
    first = load_scenario(DATA / "all_kinds.yaml", env=ENV).source_hash
    changed = {**ENV, "APP_SECRET": "another-secret"}
    assert load_scenario(DATA / "all_kinds.yaml", env=changed).source_hash == first


LITERAL = "correct-horse-battery-staple"
PLACES = {
    "value": f"    value: {LITERAL}\n",
    "template": f"    value: prefix-${{env.APP_SECRET}}-{LITERAL}\n",
    "misspelled attribute": f"    valeu: {LITERAL}\n",
    "wrong type": f"    value: {{generate: {{length: {LITERAL}}}}}\n",
}


@pytest.mark.parametrize("line", PLACES.values(), ids=PLACES.keys())
def test_a_literal_secret_is_refused_without_being_repeated(
    diagnose: Diagnose, write: Write, capsys: pytest.CaptureFixture[str], line: str
) -> None:
    content = f"""\
scenario: t
resources:
  rg:
    kind: resource_group
    name: rg
    location: westus
  kv:
    kind: key_vault
    resource_group: ${{rg.name}}
    name: kv-secrets
  secret:
    kind: key_vault_secret
    vault: ${{kv.id}}
    name: password
{line}"""
    diagnostics = diagnose(content)
    assert diagnostics
    assert not any(LITERAL in d or ENV["APP_SECRET"] in d for d in diagnostics)
    with pytest.raises(SystemExit):
        main(["validate", "s.yaml"])
    output = capsys.readouterr()
    assert LITERAL not in output.out + output.err
