"""The scenario language: YAML -> a typed, checked `Scenario`, with file:line:col diagnostics.

    from provisioner.scenario import load_scenario
    scenario = load_scenario(Path("scenarios/vm-system-identity-arm.yaml"), overrides={"prefix": "alice"})

Every problem of a file is reported at once as one `ScenarioError`; nothing here touches the
network.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from provisioner.language.references import Ref, Template, references_in, resolve
from provisioner.scenario.diagnostics import SourceLocation
from provisioner.scenario.model import Check, Resource, Scenario

__all__ = [
    "Check",
    "Ref",
    "Resource",
    "Scenario",
    "SourceLocation",
    "Template",
    "load_scenario",
    "references_in",
    "resolve",
]


def load_scenario(
    path: Path,
    *,
    overrides: Mapping[str, str] | None = None,
    vars_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    allow_outside_files: bool = False,
) -> Scenario:
    """Load and check a scenario file; raises ScenarioError with every diagnostic of the file.

    `overrides` are `--var name=value` pairs, `vars_file` a YAML mapping of variable values,
    `env` the environment `${env.X}` reads (default: os.environ), and `allow_outside_files` lets
    attributes such as `content_file` read files outside the scenario's folder.
    """
    # Imported here because the kinds import this package's references module.
    from provisioner.scenario.loader import load

    return load(
        Path(path), overrides=overrides or {}, vars_file=vars_file, env=env, allow_outside_files=allow_outside_files
    )
