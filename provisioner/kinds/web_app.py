"""web_app: an App Service web app with managed identities (Microsoft.Web/sites)."""

from __future__ import annotations

from pydantic import Field

from provisioner.kinds.base import (
    IDENTITY_EXPORTS,
    HostType,
    KindInfo,
    ManagedIdentity,
    NameRule,
    Placed,
    Text,
    identity_absent_exports,
)


class WebAppSpec(Placed):
    """A web app; `identity` works as on a virtual_machine."""

    plan: Text | None = Field(None, description="The plan's id, usually `${plan.id}`.")
    runtime: str | None = Field(None, description="Linux runtime stack, e.g. `PYTHON|3.12`.")
    https_only: bool = Field(True, description="`true`: the app redirects HTTP to HTTPS.")
    app_settings: dict[str, Text] = Field(
        {},
        description="The app's settings (environment variables); values may reference exports, e.g. `${kv.vault_uri}`.",
    )
    identity: ManagedIdentity = Field(
        ManagedIdentity(), description="The app's managed identities, as on a virtual_machine."
    )


KIND = KindInfo(
    step_cost=3.0,
    name="web_app",
    spec=WebAppSpec,
    exports={"id": str, "name": str, "default_host_name": str, **IDENTITY_EXPORTS},
    lookup=("name", "resource_group"),
    required=frozenset({"plan"}),
    links={
        "plan": ("app_service_plan.id",),
        "identity.user_assigned": ("user_assigned_identity.id",),
    },
    principal_exports={"identity.principal_id": "ServicePrincipal"},
    absent_exports=identity_absent_exports,
    name_rule=NameRule(
        r"[A-Za-z0-9][A-Za-z0-9-]{0,58}[A-Za-z0-9]",
        "use 2-60 letters, digits and hyphens, not starting or ending with a hyphen",
        "web app",
    ),
    provider="provisioner.providers.web_app:WebAppProvider",
    sdk_modules=("azure.mgmt.web",),
    host=HostType.WEB_APP,
)
