"""Role pages: each app contributes panels (title, links, counts) to "my page".

An app registers a function ``(user) -> list[Panel]`` with ``panel_register``; the web app
shows what the user's roles are given. This keeps ``web`` on top and the apps unaware of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Panel:
    title: str
    body: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    figures: list[tuple[str, Any]] = field(default_factory=list)  # (label, value)
    order: int = 50
    list_id: str = ""  # an id for the links' list (a page or a test finds it by it)
    lead: bool = False  # shown as the page's first, emphasised panel


_PROVIDERS: list[Callable[[Any], list[Panel]]] = []


def panel_register(provider: Callable[[Any], list[Panel]]) -> Callable[[Any], list[Panel]]:
    _PROVIDERS.append(provider)
    return provider


def panels_for(user: Any) -> list[Panel]:
    panels: list[Panel] = []
    for provider in _PROVIDERS:
        panels.extend(provider(user))
    return sorted(panels, key=lambda p: p.order)
