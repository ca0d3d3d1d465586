"""Every URL pattern of the site, found from the URL configuration, for the security sweeps.

Shared by the object-isolation, CSRF and stored-XSS tests so that a new view is covered by all
of them without anyone remembering to add it.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

_PARAM = re.compile(r"<(?:(?P<converter>[a-z]+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    route: str  # "incidents/<int:incident_id>/"
    name: str  # "incidents:incident_detail"
    view: Any

    @property
    def namespace(self) -> str:
        return self.name.rsplit(":", 1)[0] if ":" in self.name else ""

    @property
    def kwargs(self) -> list[str]:
        return [m.group("name") for m in _PARAM.finditer(self.route)]

    @property
    def action(self) -> str | None:
        return getattr(self.view, "required_action", None) or getattr(
            self.view, "public_action", None
        )

    @property
    def is_api(self) -> bool:
        return hasattr(self.view, "required_actions")

    @property
    def is_public(self) -> bool:
        return hasattr(self.view, "public_action")

    def url(self, values: dict[str, object]) -> str:
        def fill(match: re.Match[str]) -> str:
            return str(values[match.group("name")])

        return "/" + _PARAM.sub(fill, self.route).lstrip("^").rstrip("$")

    def __str__(self) -> str:
        return f"{self.name} ({self.route})"


def _walk(resolver: URLResolver, prefix: str = "", ns: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{ns}:{entry.namespace}".strip(":") if entry.namespace else ns
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{ns}:{entry.name}".strip(":") if entry.name else f"{ns}:?"
            yield Route(prefix + str(entry.pattern), name, entry.callback)


def all_routes() -> list[Route]:
    return sorted(_walk(get_resolver()), key=lambda r: r.route)
