"""Azure SQL's asynchronous operations: a 202 whose body names the operation, announced at SQL's own
regional URLs (`.../resourceGroups/{g}/providers/Microsoft.Sql/locations/{loc}/serverAzureAsyncOperation/{id}`
and `.../serverOperationResults/{id}`; `database...` and `administrator...` likewise), as recorded.

The poll routes (in `sql/routes.py`) reuse ARM's operation store and answers."""

from __future__ import annotations

import uuid

from starlette.responses import Response

from provisioner.emulator.arm.operations import RETRY_AFTER_SECONDS
from provisioner.emulator.arm.responses import arm_json, no_content
from provisioner.emulator.arm.tracked import now_iso
from provisioner.emulator.core.call import Call

PROVIDER = "Microsoft.Sql"
KINDS = ("server", "database", "administrator")


def accepted(call: Call, *, location: str, kind: str, operation: str | None = None) -> Response:
    """202 Accepted for an operation whose effect is already applied; `operation` names it in the body."""
    operation_id = str(uuid.uuid4())
    started = now_iso()
    record = {"name": operation_id, "startTime": started, "result": None}
    call.cloud.store.put_operation(operation_id, record, call.cloud.faults.settings.async_polls)
    regional = (
        f"{call.base_url}/subscriptions/{call.params['subscription']}/resourceGroups/{call.params['group']}"
        f"/providers/{PROVIDER}/locations/{location}"
    )
    version = f"?api-version={call.api_version}"
    headers = {
        "Azure-AsyncOperation": f"{regional}/{kind}AzureAsyncOperation/{operation_id}{version}",
        "Location": f"{regional}/{kind}OperationResults/{operation_id}{version}",
        "Retry-After": RETRY_AFTER_SECONDS,
    }
    if operation is None:
        return no_content(202, headers)
    return arm_json({"operation": operation, "startTime": started}, 202, headers)
