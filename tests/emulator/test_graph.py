"""Microsoft Graph v1.0 through msgraph-sdk: groups, members, service principals, users."""

from __future__ import annotations

from typing import Any

import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.directory_objects.item.check_member_groups.check_member_groups_post_request_body import (
    CheckMemberGroupsPostRequestBody,
)
from msgraph.generated.groups.groups_request_builder import GroupsRequestBuilder
from msgraph.generated.models.group import Group
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.reference_create import ReferenceCreate
from msgraph.generated.service_principals.service_principals_request_builder import (
    ServicePrincipalsRequestBuilder,
)

from provisioner.emulator.server import LocalCloudServer
from tests.emulator import clients

GROUP = "graph-rg"


def _new_group(name: str) -> Group:
    return Group(display_name=name, mail_enabled=False, mail_nickname=name, security_enabled=True)


@pytest.fixture(scope="module")
def identity(local_cloud: LocalCloudServer, operator_credential: Any) -> Any:
    clients.resources(local_cloud, operator_credential).resource_groups.create_or_update(GROUP, {"location": "westus"})
    return clients.msi(local_cloud, operator_credential).user_assigned_identities.create_or_update(
        GROUP, "graph-uai", {"location": "westus"}
    )


def _reference(local_cloud: LocalCloudServer, object_id: str) -> ReferenceCreate:
    return ReferenceCreate(odata_id=f"{local_cloud.url}/v1.0/directoryObjects/{object_id}")


def test_group_lifecycle_and_filter(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    created = clients.run_msgraph(local_cloud, operator_credential, lambda g: g.groups.post(_new_group("sql-admins")))
    assert created is not None and created.id
    assert created.security_enabled is True

    query = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(filter="displayName eq 'sql-admins'")
    config = RequestConfiguration(query_parameters=query)
    found = clients.run_msgraph(local_cloud, operator_credential, lambda g: g.groups.get(request_configuration=config))
    assert found is not None and [group.id for group in found.value or []] == [created.id]

    clients.run_msgraph(local_cloud, operator_credential, lambda g: g.groups.by_group_id(created.id).delete())
    with pytest.raises(ODataError) as gone:
        clients.run_msgraph(local_cloud, operator_credential, lambda g: g.groups.by_group_id(created.id).get())
    assert gone.value.response_status_code == 404
    assert gone.value.error is not None and gone.value.error.code == "Request_ResourceNotFound"


def test_group_creation_requires_the_mandatory_properties(
    local_cloud: LocalCloudServer, operator_credential: Any
) -> None:
    with pytest.raises(ODataError) as refused:
        clients.run_msgraph(local_cloud, operator_credential, lambda g: g.groups.post(Group(display_name="no-nick")))
    assert refused.value.response_status_code == 400
    assert refused.value.error is not None and "mailEnabled" in str(refused.value.error.message)


def test_members_add_list_duplicate_and_remove(
    local_cloud: LocalCloudServer, operator_credential: Any, identity: Any
) -> None:
    group = clients.run_msgraph(local_cloud, operator_credential, lambda g: g.groups.post(_new_group("readers")))
    assert group is not None and group.id
    members = lambda g: g.groups.by_group_id(group.id).members  # noqa: E731
    clients.run_msgraph(
        local_cloud, operator_credential, lambda g: members(g).ref.post(_reference(local_cloud, identity.principal_id))
    )

    listed = clients.run_msgraph(local_cloud, operator_credential, lambda g: members(g).get())
    assert listed is not None and [member.id for member in listed.value or []] == [identity.principal_id]
    assert (listed.value or [])[0].odata_type == "#microsoft.graph.servicePrincipal"

    with pytest.raises(ODataError) as duplicate:
        clients.run_msgraph(
            local_cloud,
            operator_credential,
            lambda g: members(g).ref.post(_reference(local_cloud, identity.principal_id)),
        )
    assert duplicate.value.response_status_code == 400
    assert "One or more added object references already exist" in str(duplicate.value.error.message)  # type: ignore[union-attr]

    member_of = clients.run_msgraph(
        local_cloud,
        operator_credential,
        lambda g: g.service_principals.by_service_principal_id(identity.principal_id).transitive_member_of.get(),
    )
    assert member_of is not None and [item.id for item in member_of.value or []] == [group.id]

    remove = lambda g: members(g).by_directory_object_id(identity.principal_id).ref.delete()  # noqa: E731
    clients.run_msgraph(local_cloud, operator_credential, remove)
    with pytest.raises(ODataError) as not_member:
        clients.run_msgraph(local_cloud, operator_credential, remove)
    assert not_member.value.response_status_code == 404


def test_service_principals_of_managed_identities(
    local_cloud: LocalCloudServer, operator_credential: Any, identity: Any
) -> None:
    query = ServicePrincipalsRequestBuilder.ServicePrincipalsRequestBuilderGetQueryParameters(
        filter=f"appId eq '{identity.client_id}'"
    )
    config = RequestConfiguration(query_parameters=query)
    found = clients.run_msgraph(
        local_cloud, operator_credential, lambda g: g.service_principals.get(request_configuration=config)
    )
    assert found is not None
    [principal] = found.value or []
    assert principal.id == identity.principal_id
    assert principal.service_principal_type == "ManagedIdentity"
    assert principal.display_name == "graph-uai"

    by_id = clients.run_msgraph(
        local_cloud, operator_credential, lambda g: g.directory_objects.by_directory_object_id(principal.id).get()
    )
    assert by_id is not None and by_id.id == principal.id


def test_service_principals_by_any_of_their_names(
    local_cloud: LocalCloudServer, operator_credential: Any, identity: Any
) -> None:
    """The lambda filter az sends to resolve `--assignee`: `servicePrincipalNames/any(c:c eq '...')`."""

    def by_name(name: str) -> list[str]:
        query = ServicePrincipalsRequestBuilder.ServicePrincipalsRequestBuilderGetQueryParameters(
            filter=f"servicePrincipalNames/any(c:c eq '{name}')"
        )
        config = RequestConfiguration(query_parameters=query)
        found = clients.run_msgraph(
            local_cloud, operator_credential, lambda g: g.service_principals.get(request_configuration=config)
        )
        return [principal.id for principal in (found.value if found else None) or []]

    assert by_name(identity.client_id) == [identity.principal_id]
    assert by_name(identity.client_id.upper()) == [identity.principal_id]
    assert by_name("nobody-has-this-name") == []


def test_check_member_groups_answers_the_groups_the_object_is_in(
    local_cloud: LocalCloudServer, operator_credential: Any, identity: Any
) -> None:
    outer = clients.run_msgraph(local_cloud, operator_credential, lambda g: g.groups.post(_new_group("outer")))
    inner = clients.run_msgraph(local_cloud, operator_credential, lambda g: g.groups.post(_new_group("inner")))
    other = clients.run_msgraph(local_cloud, operator_credential, lambda g: g.groups.post(_new_group("other")))
    assert outer and inner and other and outer.id and inner.id and other.id
    for group_id, member in ((outer.id, inner.id), (inner.id, identity.principal_id)):
        clients.run_msgraph(
            local_cloud,
            operator_credential,
            lambda g, group_id=group_id, member=member: g.groups.by_group_id(group_id).members.ref.post(
                _reference(local_cloud, member)
            ),
        )
    body = CheckMemberGroupsPostRequestBody(group_ids=[outer.id, inner.id, other.id])
    checked = clients.run_msgraph(
        local_cloud,
        operator_credential,
        lambda g: g.directory_objects.by_directory_object_id(identity.principal_id).check_member_groups.post(body),
    )
    assert checked is not None and sorted(checked.value or []) == sorted([outer.id, inner.id])


def test_users_are_seeded_for_sql_admin_examples(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    users = clients.run_msgraph(local_cloud, operator_credential, lambda g: g.users.get())
    names = {user.user_principal_name for user in (users.value if users else None) or []}
    assert {"alice@provisionlocal.onmicrosoft.com", "bob@provisionlocal.onmicrosoft.com"} <= names


def test_groups_page_with_odata_next_link(local_cloud: LocalCloudServer, operator_credential: Any) -> None:
    for index in range(5):
        clients.run_msgraph(local_cloud, operator_credential, lambda g, i=index: g.groups.post(_new_group(f"page-{i}")))
    query = GroupsRequestBuilder.GroupsRequestBuilderGetQueryParameters(filter="startswith(displayName,'page-')", top=2)
    config = RequestConfiguration(query_parameters=query)
    first = clients.run_msgraph(local_cloud, operator_credential, lambda g: g.groups.get(request_configuration=config))
    assert first is not None and len(first.value or []) == 2
    assert first.odata_next_link and "$skiptoken" in first.odata_next_link
    seen = [group.display_name for group in first.value or []]
    link = first.odata_next_link
    while link:
        page = clients.run_msgraph(local_cloud, operator_credential, lambda g, url=link: g.groups.with_url(url).get())
        assert page is not None
        seen += [group.display_name for group in page.value or []]
        link = page.odata_next_link
    assert sorted(seen) == [f"page-{index}" for index in range(5)]


def test_graph_refuses_a_caller_without_directory_permissions(local_cloud: LocalCloudServer, identity: Any) -> None:
    issued = local_cloud.cloud.tokens.issue(
        audience="https://graph.microsoft.com", object_id=identity.principal_id, app_id=identity.client_id
    )
    with pytest.raises(ODataError) as refused:
        clients.run_msgraph(local_cloud, clients.StaticToken(issued.token), lambda g: g.groups.get())
    assert refused.value.response_status_code == 403
    assert refused.value.error is not None and refused.value.error.code == "Authorization_RequestDenied"
