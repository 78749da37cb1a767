"""README.md's command blocks marked `<!-- tested -->` (the short tour, one deployment per student,
the local cloud and connecting other clients to it), run as a newcomer would: in a fresh directory,
one command after another, through bash, typing `yes` where the README has no --auto-approve.

The local cloud the README's `provision cloud start` line describes serves the whole session (started
first, in the background, as from a second terminal), so every command attaches to it; its
`cloud reset` line runs last, since it forgets what the later blocks use. `/subscriptions/...`
placeholders are replaced by the real id of the resource they name, read from the state.
"""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Callable, Iterator

import pytest

from tests.docs.markdown import README, Block, blocks
from tests.docs.session import Ran, Session

pytestmark = pytest.mark.e2e
TESTED_HEADINGS = {"A short tour", "The local cloud"}
PLACEHOLDER = re.compile(r"/subscriptions/\.\.\./(?:\S*/)?(?P<type>\w+)/(?P<name>[\w-]+)")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# What the README's `--web-app` line presupposes: a web app applied in this session.
WEB_APP = "provision apply scenarios/webapp-system-identity-sql.yaml --var prefix=aliceweb --deployment alice-web"
TOKEN_OID = """
import base64, json
from azure.identity import ManagedIdentityCredential
token = ManagedIdentityCredential().get_token("https://management.azure.com/.default").token
claims = token.split(".")[1]
print(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["oid"])
"""


def marked() -> list[Block]:
    found = blocks(README.read_text(), "<!-- tested")
    assert {block.heading for block in found} == TESTED_HEADINGS, "a tested heading lost its marked blocks"
    return found


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    shell = Session(tmp_path_factory.mktemp("newcomer"))
    starts = [command for block in marked() for command in block.commands() if " cloud start" in command]
    assert len(starts) == 1, starts
    server = shell.start(f". .venv/bin/activate && exec {starts[0]}")
    try:
        yield shell
    finally:
        server.send_signal(signal.SIGINT)
        assert server.communicate(timeout=60)[0].strip().endswith("Local cloud stopped.")


def real_ids(shell: Session, command: str) -> str:
    """`command` with each `/subscriptions/...` placeholder replaced by the id of what it names."""
    ids = [
        entry["azure_id"]
        for path in sorted((shell.directory / ".provision" / "state").glob("*.json"))
        for entry in json.loads(path.read_text())["resources"].values()
        if entry.get("azure_id")
    ]

    def lookup(match: re.Match[str]) -> str:
        typed = [found for found in ids if f"/{match['type']}/" in found]
        named = [found for found in typed if found.endswith(f"/{match['name']}")]
        assert len(named or typed) == 1, f"which {match['type']} is {match[0]}? {typed}"
        return (named or typed)[0]

    return PLACEHOLDER.sub(lookup, command)


def run(shell: Session, command: str) -> Ran:
    typed = command.split(" #", 1)[0]  # a comment may mention --auto-approve
    asks = re.search(r"provision (apply|destroy) ", typed) and "--auto-approve" not in typed
    ran = shell.run(real_ids(shell, command), answer="yes" if asks else None)
    assert ran.code == 0, str(ran)
    return ran


def principal(shell: Session, deployment: str) -> str:
    return run(shell, f"provision output principal_id --deployment {deployment}").out.strip()


def check_output(shell: Session, ran: Ran) -> None:
    """What each command of the README says it does, beyond exit 0."""
    command = ran.command
    checks: list[tuple[str, Callable[[], bool]]] = [
        (
            "provision validate",
            lambda: ran.out.count("is valid") == len(list((shell.directory / "scenarios").glob("*.yaml"))),
        ),
        ("--detailed-exitcode", lambda: "No changes." in ran.out),
        ("provision plan", lambda: ran.out.startswith("target: local cloud at https://127.0.0.1:")),
        ("provision apply", lambda: "0 failed, 0 not started." in ran.out and "Outputs:" in ran.out),
        ("provision verify", lambda: "0 failed" in ran.out),
        ("provision output principal_id", lambda: bool(UUID.match(ran.out.strip()))),
        ("provision destroy", lambda: "Destroy:" in ran.out and "0 failed" in ran.out),
        ("provision cloud status", lambda: bool(ran.out.strip())),
        ("provision cloud reset", lambda: ran.out.startswith("Local cloud at https://127.0.0.1:")),
        ("provision cloud env", lambda: shell.env.get("AZURE_RESOURCE_MANAGER_ENDPOINT", "").startswith("https://")),
    ]
    for needle, holds in checks:
        if needle in command:
            assert holds(), f"{needle}: not what the README says\n{ran}"


def test_the_readme_commands_work_as_written(session: Session) -> None:
    tested = marked()
    deferred = [command for block in tested for command in block.commands() if " cloud reset" in command]
    for block in tested:
        if block.language == "python":
            run_python(session, block)
            continue
        assert block.language in ("sh", "bash"), block
        for command in block.commands():
            if " cloud start" not in command and command not in deferred:
                run_command(session, block, command)
    for command in deferred:
        check_output(session, run(session, command))


def run_command(session: Session, block: Block, command: str) -> None:
    if "--web-app" in command:
        run(session, WEB_APP + " --auto-approve")
    check_output(session, run(session, command))
    if block.heading == "A short tour" and command.startswith(". "):
        assert session.env.get("VIRTUAL_ENV"), "the tour's first line activates the virtual environment"
    if "--vm " in command or "--web-app " in command:
        # the README's promise: ManagedIdentityCredential now gets that VM's or web app's token
        oid = session.run("python -", stdin_text=TOKEN_OID)
        assert oid.code == 0, str(oid)
        assert oid.out.strip() == principal(session, "alice-web" if "--web-app" in command else "alice")
        assert "AZURE_CLIENT_SECRET" not in session.env


def run_python(session: Session, block: Block) -> None:
    listed = session.run("python -", stdin_text=block.text)
    assert listed.code == 0, str(listed)
    assert {"alice-rg", "bob-rg"} <= set(json.loads(listed.out.replace("'", '"'))), str(listed)
