"""Names Azure refuses, a few per rule of provisioner.emulator.core.naming.RULES.

Both sides are tested on every one: the scenario validator (tests/unit/test_naming.py, file:line:col)
and the local cloud through the SDKs (tests/emulator/test_naming.py, Azure's status, code and
message). Each test also checks that it covers exactly the rules of RULES, so a rule added to the
local cloud without the validator (or the reverse) fails.
"""

from __future__ import annotations

REFUSED: dict[str, tuple[str, ...]] = {
    "key_vault.name": ("x--kv", "1vault", "vault-"),
    "key_vault_secret.name": ("bad_name!", "s" * 128),
    "blob_container.name": ("Bad--Name", "double--dash", "-lead", "under_score"),
    "web_app.name": ("bad_name!", "-web", "w" * 61),
    "sql_server.administrator_login": ("sa", "Admin", "administrator", "root", "DBO", "public"),
}
