"""The main navigation as data: each app registers its entries in ``AppConfig.ready``.

An entry may carry a badge function (e.g. reviews waiting, overdue deadlines) that gets the
user and returns a number; keep those to one cheap query each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.http import HttpRequest
from django.urls import reverse

from presales.core.roles import Actor


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    icon: str = ""
    order: int = 100
    roles: frozenset[str] | None = None
    badge: Callable[[Any], int | None] | None = None


_ITEMS: dict[str, NavItem] = {}


def register_nav(item: NavItem) -> None:
    _ITEMS[item.key] = item


def nav_for(request: HttpRequest) -> list[dict[str, Any]]:
    # The navigation context processor calls this for authenticated users only.
    user = cast(Actor, request.user)
    items = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.key)):
        if item.roles is not None and not user.has_role(*item.roles):
            continue
        url = reverse(item.url_name)
        items.append(
            {
                "key": item.key,
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "active": request.path.startswith(url) if url != "/" else request.path == "/",
                "badge": item.badge(user) if item.badge else None,
            }
        )
    return items
