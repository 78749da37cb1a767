"""The blob service's refusals, with Storage's codes and messages (rendered as Storage's XML error)."""

from __future__ import annotations

from provisioner.emulator.core.errors import CloudServiceError

AUTHENTICATION_FAILED = (
    "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly "
    "including the signature."
)


def authentication_failed(detail: str) -> CloudServiceError:
    return CloudServiceError(
        403, "AuthenticationFailed", AUTHENTICATION_FAILED, extra={"AuthenticationErrorDetail": detail}
    )


def permission_mismatch() -> CloudServiceError:
    return CloudServiceError(
        403,
        "AuthorizationPermissionMismatch",
        "This request is not authorized to perform this operation using this permission.",
    )


def resource_type_mismatch() -> CloudServiceError:
    return CloudServiceError(
        403,
        "AuthorizationResourceTypeMismatch",
        "This request is not authorized to perform this operation using this resource type.",
    )


def authorization_failure() -> CloudServiceError:
    return CloudServiceError(403, "AuthorizationFailure", "This request is not authorized to perform this operation.")


def protocol_mismatch() -> CloudServiceError:
    return CloudServiceError(
        403,
        "AuthorizationProtocolMismatch",
        "This request is not authorized to perform this operation using this protocol.",
    )


def source_ip_mismatch(address: str) -> CloudServiceError:
    return CloudServiceError(
        403,
        "AuthorizationSourceIPMismatch",
        f"This request is not authorized to perform this operation using this source IP {address}.",
    )


def key_based_auth_not_permitted() -> CloudServiceError:
    return CloudServiceError(
        403, "KeyBasedAuthenticationNotPermitted", "Key based authentication is not permitted on this storage account."
    )


def container_not_found() -> CloudServiceError:
    return CloudServiceError(404, "ContainerNotFound", "The specified container does not exist.")


def blob_not_found() -> CloudServiceError:
    return CloudServiceError(404, "BlobNotFound", "The specified blob does not exist.")


def resource_not_found() -> CloudServiceError:
    return CloudServiceError(404, "ResourceNotFound", "The specified resource does not exist.")


def invalid_query_value(name: str, value: str) -> CloudServiceError:
    return CloudServiceError(
        400,
        "InvalidQueryParameterValue",
        "Value for one of the query parameters specified in the request URI is invalid.",
        extra={"QueryParameterName": name, "QueryParameterValue": value, "Reason": ""},
    )


def missing_header(name: str) -> CloudServiceError:
    return CloudServiceError(
        400,
        "MissingRequiredHeader",
        "An HTTP header that's mandatory for this request is not specified.",
        extra={"HeaderName": name},
    )
