"""Deployment state: one JSON document per deployment, written atomically, with a lock per deployment."""

from provisioner.state.lock import DeploymentLock, LockHolder
from provisioner.state.model import DeploymentState, ResourceState, Status
from provisioner.state.store import DEFAULT_STATE_DIR, StateStore, StateWriter, check_deployment_name

__all__ = [
    "DEFAULT_STATE_DIR",
    "DeploymentLock",
    "DeploymentState",
    "LockHolder",
    "ResourceState",
    "StateStore",
    "StateWriter",
    "Status",
    "check_deployment_name",
]
