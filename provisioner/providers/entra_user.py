"""entra_user through msgraph-sdk: an existing user, read by user principal name. Never written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from provisioner.errors import ConfigurationError
from provisioner.kinds.entra_user import EntraUserSpec
from provisioner.providers.base import Desired, Observed, Provider, ProviderContext
from provisioner.providers.msgraph import get_or_none


class EntraUserProvider(Provider[EntraUserSpec]):
    def read(self, ctx: ProviderContext, desired: Desired[EntraUserSpec]) -> Observed | None:
        name = desired.spec.user_principal_name
        user = ctx.clients.run_msgraph(lambda msgraph: get_or_none(lambda: msgraph.users.by_user_id(name).get()))
        if user is None:
            return None
        attributes = {"user_principal_name": user.user_principal_name, "display_name": user.display_name}
        exports = {"id": user.id, "object_id": user.id, **attributes}
        return Observed(str(user.id), attributes, exports)

    def create(self, ctx: ProviderContext, desired: Desired[EntraUserSpec]) -> Observed:
        raise ConfigurationError(
            f"entra_user '{desired.address}': provision does not create users; mark it `existing: true`"
        )

    def delete(self, ctx: ProviderContext, azure_id: str, attributes: Mapping[str, Any]) -> None:
        """Users are only ever read, so there is nothing of provision's to delete."""
