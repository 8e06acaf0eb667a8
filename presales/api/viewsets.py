"""Base viewsets: the one place where API querysets are restricted to the user's scope."""

from __future__ import annotations

from rest_framework import mixins, viewsets

from presales.api.permissions import CanWriteRecords, HasRole


class ScopedQuerysetMixin:
    """Restricts ``queryset`` with its ``visible_to(user)`` predicate. Out of scope is 404."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasRole]


class ScopedModelViewSet(
    ScopedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD whose writes go through services: subclasses implement ``perform_*`` by
    calling the app's service functions, never ``serializer.save()`` with domain logic."""

    permission_classes = [CanWriteRecords]
