"""Every endpoint under /api/v1/, discovered from the URL resolver, so that the contract,
pagination and fuzzing tests cover a new endpoint without being told about it.

An endpoint is one (URL pattern, HTTP method) of a DRF view. A *list* is a GET action
without an id in its URL whose pagination class is not None; a *write* is a POST, PUT or
PATCH (CRUD or action).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from presales.api.filters import StableOrderingFilter

API_PREFIX = "api/v1/"
WRITE_METHODS = ("post", "put", "patch")


@dataclass(frozen=True)
class Endpoint:
    name: str  # the URL name, e.g. "customer-merge"
    method: str  # lower case
    action: str  # the viewset action, e.g. "merge", "create", "list"
    cls: type
    initkwargs: dict = field(hash=False, compare=False)
    params: tuple[str, ...] = ()  # URL keyword arguments, e.g. ("pk",)

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}"

    def _attr(self, attr: str):
        """An attribute as the action sees it: ``@action(...)`` overrides, then the
        router's initkwargs, then the class."""
        handler = getattr(self.cls, self.action, None)
        action_kwargs = getattr(handler, "kwargs", {}) or {}
        if attr in action_kwargs:
            return action_kwargs[attr]
        if attr in self.initkwargs:
            return self.initkwargs[attr]
        return getattr(self.cls, attr, None)

    @property
    def pagination_class(self):
        return self._attr("pagination_class")

    @property
    def filter_backends(self) -> list:
        return list(self._attr("filter_backends") or [])

    def view(self):
        """The view instance as it would serve the action (no request)."""
        handler = getattr(self.cls, self.action, None)
        overrides = {**self.initkwargs, **(getattr(handler, "kwargs", {}) or {})}
        view = self.cls(**{k: v for k, v in overrides.items() if hasattr(self.cls, k)})
        view.action = self.action
        view.request = None
        view.format_kwarg = None
        view.kwargs = {}
        return view

    @property
    def model(self):
        return self.view().get_serializer_class().Meta.model

    def orderings(self) -> list[str]:
        """Every allowed ``?ordering=`` value, ascending and descending (the view's whitelist)."""
        if StableOrderingFilter not in self.filter_backends:
            return []
        names = StableOrderingFilter().allowed_values(self.view())
        return [value for name in names for value in (name, f"-{name}")]

    def url(self, **kwargs) -> str:
        return reverse(self.name, kwargs=kwargs or None)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


@cache
def api_endpoints() -> tuple[Endpoint, ...]:
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        callback = pattern.callback
        if not route.startswith(API_PREFIX) or "format" in pattern.pattern.regex.groupindex:
            continue
        actions = getattr(callback, "actions", None)
        if not actions or not pattern.name:
            continue  # the API root and plain APIViews (me/) have no viewset actions
        params = tuple(pattern.pattern.regex.groupindex)
        for method, action in actions.items():
            found.append(
                Endpoint(
                    name=pattern.name,
                    method=method,
                    action=action,
                    cls=callback.cls,
                    initkwargs=dict(callback.initkwargs),
                    params=params,
                )
            )
    return tuple(sorted(found, key=lambda e: (e.name, e.method)))


def list_endpoints() -> list[Endpoint]:
    return [
        e for e in api_endpoints() if e.method == "get" and not e.params and e.pagination_class is not None
    ]


def write_endpoints() -> list[Endpoint]:
    return [e for e in api_endpoints() if e.method in WRITE_METHODS]
