"""Route tables: every service module declares its routes in one; `app.py` dispatches them.

Paths match case-insensitively (ARM and Graph paths are); `{name}` matches one path segment and
`{name:path}` the rest of the path. Each route belongs to a *surface*, which decides the token
audience it accepts and the format its errors are rendered in.

The order of the tables does not matter: the dispatcher tries routes by specificity (`by_specificity`),
segment by segment a literal before a parameter before a `:path` parameter, and catch-all routes
(the path-style blob URLs, which have no fixed prefix) after every other.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
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
    catch_all: bool = False


_LITERAL, _MIXED, _PARAMETER, _REST = range(4)


def template_rank(template: str) -> tuple[int, ...]:
    """Per path segment: 0 literal, 1 literal with a parameter inside, 2 parameter, 3 `:path` parameter."""
    ranks = []
    for segment in (part for part in template.split("/") if part):
        whole = _PARAM.fullmatch(segment)
        if whole is not None:
            ranks.append(_REST if whole.group(2) else _PARAMETER)
        else:
            ranks.append(_MIXED if _PARAM.search(segment) else _LITERAL)
    return tuple(ranks)


def specificity(route: Route) -> tuple[bool, tuple[int, ...], str, str]:
    """The sort key of a route: more specific first; the template and method make the order total."""
    rank = () if route.catch_all else template_rank(route.template)
    return route.catch_all, rank, route.template.lower(), route.method


def by_specificity(routes: Iterable[Route]) -> list[Route]:
    return sorted(routes, key=specificity)


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
