"""Route tables: every service module declares its routes here; `app.py` dispatches them.

Paths match case-insensitively (ARM and Graph paths are); `{name}` matches one path segment and
`{name:path}` the rest of the path. Each route belongs to a *surface*, which decides the token
audience it accepts and the format its errors are rendered in.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.responses import Response

from provisioner.emulator.core.call import Call
from provisioner.emulator.core.surface import Surface

Handler = Callable[[Call], Awaitable[Response]]

_PARAM = re.compile(r"\{(\w+)(:path)?\}")


def compile_template(template: str) -> re.Pattern[str]:
    pattern = ""
    position = 0
    for match in _PARAM.finditer(template):
        pattern += re.escape(template[position : match.start()])
        name, is_path = match.group(1), match.group(2)
        pattern += f"(?P<{name}>.+)" if is_path else f"(?P<{name}>[^/]+)"
        position = match.end()
    pattern += re.escape(template[position:])
    return re.compile(f"^{pattern}/?$", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    surface: Surface
    operation: str
    authenticated: bool


class RouteTable:
    """The routes of one service, declared with decorators: `@routes.get("/path/{name}")`."""

    def __init__(self, surface: Surface) -> None:
        self.surface = surface
        self.routes: list[Route] = []

    def add(
        self, method: str, template: str, *, authenticated: bool = True, operation: str | None = None
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(
                Route(
                    method=method.upper(),
                    template=template,
                    pattern=compile_template(template),
                    handler=handler,
                    surface=self.surface,
                    operation=operation or handler.__name__,
                    authenticated=authenticated,
                )
            )
            return handler

        return register

    def get(self, template: str, *, authenticated: bool = True) -> Callable[[Handler], Handler]:
        return self.add("GET", template, authenticated=authenticated)

    def put(self, template: str, *, authenticated: bool = True) -> Callable[[Handler], Handler]:
        return self.add("PUT", template, authenticated=authenticated)

    def post(self, template: str, *, authenticated: bool = True) -> Callable[[Handler], Handler]:
        return self.add("POST", template, authenticated=authenticated)

    def patch(self, template: str, *, authenticated: bool = True) -> Callable[[Handler], Handler]:
        return self.add("PATCH", template, authenticated=authenticated)

    def delete(self, template: str, *, authenticated: bool = True) -> Callable[[Handler], Handler]:
        return self.add("DELETE", template, authenticated=authenticated)
