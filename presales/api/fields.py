"""Serializer fields shared by every app's API."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from rest_framework import serializers


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to a record the requesting user may see: the queryset is restricted
    with ``visible_to(request.user)`` (and ``narrow`` when given, e.g. active customers
    only). Any other id answers 400 "does not exist" exactly like a missing one, so the API
    never confirms that a record outside the caller's scope exists. Without a request (no
    caller to scope by) nothing is visible."""

    def __init__(self, *, narrow: Callable[[QuerySet], QuerySet] | None = None, **kwargs):
        self.narrow = narrow
        super().__init__(**kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        queryset = queryset.visible_to(user)
        return self.narrow(queryset) if self.narrow else queryset
