"""Exit codes of `provision`: 0 done, 1 failed, 2 bad input (the scenario, variables or options)."""

from __future__ import annotations

from provisioner.errors import ConfigurationError, ProvisionError, ScenarioError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


def exit_code_for(error: ProvisionError) -> int:
    """Bad input is 2; everything else that failed is 1."""
    if isinstance(error, ScenarioError | ConfigurationError):
        return EXIT_BAD_INPUT
    return EXIT_FAILURE
