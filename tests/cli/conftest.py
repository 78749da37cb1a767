"""The e2e fixtures (a local cloud per module, the CLI run against it) serve the CLI tests too, and a
blob container for state on that cloud."""

import pytest

from tests.cli.blob_state import state_container
from tests.e2e.conftest import Cloud, cloud, prefix  # noqa: F401


@pytest.fixture(scope="module")
def location(cloud: Cloud) -> str:  # noqa: F811
    return state_container(cloud)
