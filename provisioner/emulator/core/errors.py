"""Errors raised by the local cloud's models and routes; each surface renders them in its own format."""

from __future__ import annotations


class CloudServiceError(Exception):
    """A refusal with an HTTP status and the service's own error code (ARM, Graph, Entra, ...)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra or {}


def not_found(code: str, message: str) -> CloudServiceError:
    return CloudServiceError(404, code, message)


def bad_request(code: str, message: str) -> CloudServiceError:
    return CloudServiceError(400, code, message)


def conflict(code: str, message: str) -> CloudServiceError:
    return CloudServiceError(409, code, message)
