"""The e2e fixtures (a local cloud per module, the CLI run against it) serve the CLI tests too."""

from tests.e2e.conftest import cloud, prefix  # noqa: F401
