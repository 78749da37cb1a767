"""Azure's naming rules that the local cloud enforces, each refused with Azure's status, code and message.

`RULES` names every rule by the scenario attribute it guards; the tests run each one against the
scenario validator and, through the SDKs, against this cloud, so a rule added here without the
other side (or the reverse) fails them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from provisioner.emulator.core.errors import CloudServiceError

_VAULT_NAME = re.compile(r"[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]")
_SECRET_NAME = re.compile(r"[0-9a-zA-Z-]{1,127}")
_CONTAINER_CHARACTERS = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*")
SPECIAL_CONTAINERS = frozenset({"$root", "$web"})
_SITE_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9-]{0,58}[a-zA-Z0-9]")
# The portal's rule for the server admin login: "It cannot be a system name, for example: admin,
# administrator, sa, root, dbmanager, loginmanager, etc. [or a] built-in database user or role like
# dbo, guest, public"; compared without case, as SQL logins are.
RESERVED_LOGINS = frozenset(
    {"admin", "administrator", "sa", "root", "dbmanager", "loginmanager", "dbo", "guest", "public"}
)


def check_vault_name(name: str) -> None:
    """Microsoft.KeyVault/vaults: 3-24 alphanumerics and hyphens, a letter first, a letter or digit last, no `--`."""
    if not _VAULT_NAME.fullmatch(name):
        raise CloudServiceError(
            400,
            "VaultNameNotValid",
            f"The vault name '{name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. "
            "The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens. "
            "Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2147742",
        )


def check_secret_name(name: str) -> None:
    """Key Vault data plane: 1-127 letters, digits and hyphens."""
    if not _SECRET_NAME.fullmatch(name):
        raise CloudServiceError(400, "BadParameter", f"The request URI contains an invalid name: {name}")


def container_name_problem(name: str) -> tuple[str, str] | None:
    """(code, message) of the blob data plane's refusal of a container name, or None when it is valid:
    3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit."""
    if name in SPECIAL_CONTAINERS:
        return None
    if not 3 <= len(name) <= 63:
        return "OutOfRangeInput", "The specified resource name length is not within the permissible limits."
    if not _CONTAINER_CHARACTERS.fullmatch(name):
        return "InvalidResourceName", "The specifed resource name contains invalid characters."
    return None


def check_container_name(name: str) -> None:
    """The data plane's refusal (400 with the storage error code)."""
    problem = container_name_problem(name)
    if problem is not None:
        raise CloudServiceError(400, *problem)


def check_container_name_arm(name: str) -> None:
    """ARM reports the data plane's refusal wrapped as ContainerOperationFailure."""
    problem = container_name_problem(name)
    if problem is not None:
        raise CloudServiceError(400, "ContainerOperationFailure", problem[1])


def check_site_name(name: str) -> None:
    """Microsoft.Web/sites: 2-60 letters, digits and hyphens, not starting or ending with a hyphen
    (the name is the host name `{name}.azurewebsites.net`)."""
    if not _SITE_NAME.fullmatch(name):
        raise CloudServiceError(400, "BadRequest", f"The host name {name.lower()}.azurewebsites.net is invalid.")


def check_administrator_login(login: str) -> None:
    """Microsoft.Sql/servers `administratorLogin`: not a name SQL reserves."""
    if login.lower() in RESERVED_LOGINS:
        raise CloudServiceError(
            400,
            "InvalidParameterValue",
            "Invalid value given for parameter Login. Specify a valid parameter value.",
        )


RULES: dict[str, Callable[[str], None]] = {
    "key_vault.name": check_vault_name,
    "key_vault_secret.name": check_secret_name,
    "blob_container.name": check_container_name,
    "web_app.name": check_site_name,
    "sql_server.administrator_login": check_administrator_login,
}
