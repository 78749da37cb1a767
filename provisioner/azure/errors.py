"""SDK exceptions as provisioner errors: HTTP status, Azure's error code and message, transient or not.

What is transient is decided by `provisioner.errors.classify` alone: throttling (429), server errors
(5xx), timeouts, connection failures and replication delays (`PrincipalNotFound`) become a
TransientCloudError; the retry loop decides how long to wait for each. Messages carry what Azure
said, never request bodies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

import httpx
from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.identity import CredentialUnavailableError
from kiota_abstractions.api_error import APIError

from provisioner.errors import (
    CloudError,
    ConfigurationError,
    Failure,
    ProvisionError,
    TransientCloudError,
    failure_of,
)

P = ParamSpec("P")
R = TypeVar("R")


def cloud_error(status: int | None, code: str | None, message: str, retry_after: float | None = None) -> CloudError:
    """A CloudError, or a TransientCloudError when the status or code says it is worth retrying."""
    text = f"{status or 'error'} {code or 'Unknown'}: {message}".strip()
    if failure_of(status, code) in (Failure.TRANSIENT, Failure.REPLICATION):
        return TransientCloudError(text, status=status, code=code, retry_after=retry_after)
    return CloudError(text, status=status, code=code)


def translate(error: Exception) -> ProvisionError:
    """The provisioner error for an exception raised by an Azure or Graph SDK call."""
    if isinstance(error, CredentialUnavailableError):
        return ConfigurationError(f"no credential available: {error.message}")
    if isinstance(error, HttpResponseError) and error.status_code is not None:
        return _from_http_response(error)
    if isinstance(error, ClientAuthenticationError):
        return CloudError(f"authentication failed: {error.message}", status=401, code="AuthenticationFailed")
    if isinstance(error, ServiceRequestError | ServiceResponseError | httpx.TransportError):
        return TransientCloudError(f"connection failed: {_first_line(str(error))}", code="ConnectionError")
    if isinstance(error, APIError):
        return _from_graph(error)
    return CloudError(_first_line(str(error)))


SDK_ERRORS = (AzureError, APIError, httpx.TransportError)


def translating(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function that calls the SDKs so it raises provisioner errors only."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except SDK_ERRORS as error:
            raise translate(error) from None

    return wrapper


def _from_http_response(error: HttpResponseError) -> CloudError:
    status = int(error.status_code or 0)
    code, message = _azure_code_and_message(error)
    headers: Mapping[str, str] = getattr(error.response, "headers", None) or {}
    return cloud_error(status, code, message, _retry_after(headers))


def _azure_code_and_message(error: HttpResponseError) -> tuple[str | None, str]:
    odata = error.error  # ARM's and Key Vault's {"error": {"code", "message"}}, when the SDK parsed it
    storage = _storage_code(error)
    code = getattr(odata, "code", None) or storage
    # Storage's message is the first line of the SDK's (its XML body's <Message>); the reason is only "Forbidden".
    storage_message = _first_line(error.message) if storage else None
    message = getattr(odata, "message", None) or storage_message or error.reason or _first_line(error.message)
    return (str(code) if code else None), str(message)


def _storage_code(error: HttpResponseError) -> str | None:
    code: Any = getattr(error, "error_code", None)  # azure-storage-blob: x-ms-error-code
    return str(getattr(code, "value", code)) if code else None


def _from_graph(error: APIError) -> CloudError:
    main: Any = getattr(error, "error", None)  # msgraph's ODataError: {"error": {"code", "message"}}
    code = getattr(main, "code", None)
    message = getattr(main, "message", None) or error.message or type(error).__name__
    return cloud_error(error.response_status_code, code, str(message), _retry_after(error.response_headers or {}))


def _retry_after(headers: Mapping[str, str]) -> float | None:
    lowered = {str(name).lower(): value for name, value in headers.items()}
    value = lowered.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no details"
