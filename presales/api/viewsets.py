"""Base viewsets: the one family every API resource derives from.

- The queryset is restricted to the caller's scope here (``visible_to(user)``), never ad
  hoc per view; out of scope is 404.
- Lists filter with the resource's FilterSet and sort with ``StableOrderingFilter``
  (whitelisted ``?ordering=``, a ``-pk`` tiebreaker, nullable keys made cursor-safe), then
  page with ``CursorPagination``: every row exactly once whatever the ordering.
- Writes call services: subclasses implement ``service_create(data)``,
  ``service_update(instance, data)`` and ``service_destroy(instance)``; the answer is the
  record re-read through the scoped, annotated queryset (``represent``). Actions validate
  their body with ``validated(SerializerClass)``.
- Versioned records (issue 8): a record's answer carries its ``version`` and, on GET, PUT
  and PATCH of one record, the header ``ETag: W/"<version>"``. PUT/PATCH pass the version
  the client read (``If-Match`` or a ``version`` in the body, see ``expected_version``) to
  ``service_update(instance, data, expected_version=...)``; the service refuses a stale
  one with 409 ``stale``. A write without either is accepted (older sales tools).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from presales.api.filters import StableOrderingFilter
from presales.api.language import LanguageMixin
from presales.api.pagination import CursorPagination
from presales.api.permissions import CanWriteRecords, HasRole
from presales.api.schema import error_responses
from presales.core.errors import DomainError

READ_ERRORS = (401, 403)
DETAIL_ERRORS = (401, 403, 404)
WRITE_ERRORS = (400, 401, 403)
CHANGE_ERRORS = (400, 401, 403, 404, 409)
# An entity tag as this API sends it (W/"7"), also accepted strong ("7") or bare (7).
ETAG_RE = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def etag_for(version: int) -> str:
    return f'W/"{version}"'


def expected_version(request) -> int | None:
    """The version a write was built from: the ``If-Match`` header (the ETag of the read),
    else a ``version`` in the body; None when the client sends neither (accepted, for
    clients written before versions). ``If-Match: *`` means "any version". A malformed
    value is a 400, never silently ignored."""
    header = request.headers.get("If-Match")
    if header is not None and header.strip() != "*":
        match = ETAG_RE.match(header.split(",")[0])
        if match is None:
            raise DomainError(
                _("If-Match must be the ETag of the record you read."),
                fields={"version": [_("Invalid ETag.")]},
            )
        return int(match.group(1))
    body = request.data.get("version") if hasattr(request.data, "get") else None
    if body is None or header is not None:
        return None
    if isinstance(body, bool) or not str(body).isdigit():
        raise DomainError(fields={"version": [_("A valid integer is required.")]})
    return int(body)


def without_version(data):
    """The request body without its ``version`` key (read by ``expected_version``), so that
    the resource's serializer, which has ``version`` read-only, never sees it."""
    if not hasattr(data, "keys") or "version" not in data:
        return data
    data = data.copy()  # a QueryDict's copy is mutable; a dict's is shallow
    data.pop("version")
    return data


class ScopedQuerysetMixin:
    """Restricts ``queryset`` with its ``visible_to(user)`` predicate. Out of scope is 404."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class BaseAPIView(LanguageMixin, APIView):
    """The base of API views that are not viewsets (``/api/v1/me/``): the caller's language."""


class BaseViewSet(LanguageMixin, viewsets.GenericViewSet):
    """Filters, stable ordering and cursor pages for every list; helpers for actions; the
    answer in the caller's language (``presales.api.language``).

    Not scoped by itself: resources that are the caller's own (notifications, export jobs)
    or global (policies) restrict or open their queryset explicitly; records use
    ``ScopedQuerysetMixin`` through the ``Scoped*ViewSet`` classes below.
    """

    permission_classes = [HasRole]
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    pagination_class = CursorPagination
    ordering: tuple[str, ...] | list[str] = ("-pk",)
    ordering_fields: tuple[str, ...] | list[str] = ("id",)
    create_serializer_class: type | None = None
    update_serializer_class: type | None = None

    def get_serializer_class(self):
        if self.action == "create" and self.create_serializer_class:
            return self.create_serializer_class
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return self.serializer_class

    def filter_queryset(self, queryset):
        # Filters and ordering shape lists; a record is found by its id alone (a merged
        # customer, hidden from lists by default, still answers on its own URL).
        if self.detail:
            return queryset
        return super().filter_queryset(queryset)

    def validated(self, serializer_class, data=None, **kwargs) -> dict:
        """The request body (or ``data``) checked by ``serializer_class``; 400 otherwise."""
        serializer = serializer_class(
            data=self.request.data if data is None else data,
            context=self.get_serializer_context(),
            **kwargs,
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def finalize_response(self, request, response, *args, **kwargs):
        # One record read or written answers with its version as ETag (issue 8).
        if (
            self.action in ("retrieve", "update", "partial_update")
            and response.status_code == status.HTTP_200_OK
            and isinstance(getattr(response, "data", None), dict)
            and isinstance(response.data.get("version"), int)
        ):
            response["ETag"] = etag_for(response.data["version"])
        return super().finalize_response(request, response, *args, **kwargs)

    def represent(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        """Answer with the record re-read through the scoped, annotated queryset."""
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(
            self.serializer_class(fresh, context=self.get_serializer_context()).data, status=status_code
        )


class ServiceCreateMixin:
    def create(self, request, *args, **kwargs):
        data = self.validated(self.get_serializer_class())
        return self.represent(self.service_create(data), status.HTTP_201_CREATED)

    def service_create(self, data: dict):
        raise NotImplementedError("Viewsets that create declare the service they call.")


class ServiceUpdateMixin:
    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        expected = expected_version(request)
        serializer = self.get_serializer(
            instance, data=without_version(request.data), partial=kwargs.pop("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        updated = self.service_update(instance, dict(serializer.validated_data), expected_version=expected)
        return self.represent(updated)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def service_update(self, instance, data: dict, *, expected_version: int | None):
        """Call the resource's update service, passing ``expected_version`` on (None: the
        client sent no version)."""
        raise NotImplementedError("Viewsets that update declare the service they call.")


class ServiceDestroyMixin:
    def destroy(self, request, *args, **kwargs):
        self.service_destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def service_destroy(self, instance) -> None:
        raise NotImplementedError("Viewsets that delete declare the service they call.")


class ScopedReadOnlyViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet
):
    """Scoped list and detail."""


class ServiceViewSet(
    ScopedQuerysetMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    BaseViewSet,
):
    """Scoped CRUD whose writes call services. No DELETE unless a subclass adds
    ``ServiceDestroyMixin`` (records close through their lifecycle, not by deletion)."""

    permission_classes = [CanWriteRecords]


class ScopedModelViewSet(ServiceDestroyMixin, ServiceViewSet):
    """Scoped CRUD including DELETE, every write through a service."""


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        'The ETag of the record as read (W/"<version>"). Send it: a record changed since is '
        'refused with 409 "stale" instead of being overwritten. Without it (or a "version" in '
        "the body) the write is accepted whatever the version."
    ),
)


def crud_schema(
    name: str,
    serializer,
    *,
    create=None,
    update=None,
    destroy: bool = False,
    updates: bool = True,
    extra=None,
):
    """``extend_schema_view`` for the CRUD operations with every error response documented.

    ``create``/``update`` are the request serializers when they differ from ``serializer``;
    ``updates=False`` for a resource that is never changed in place (no PUT/PATCH);
    ``extra`` adds or overrides operations (e.g. a list without filters)."""
    create = create or serializer
    update = update or serializer
    views = {
        "list": extend_schema(
            summary=f"List {name}s",
            responses={200: serializer(many=True), **error_responses(400, *READ_ERRORS)},
        ),
        "retrieve": extend_schema(
            summary=f"Get a {name}", responses={200: serializer, **error_responses(*DETAIL_ERRORS)}
        ),
        "create": extend_schema(
            summary=f"Create a {name}",
            request=create,
            responses={201: serializer, **error_responses(400, 401, 403, 409)},
        ),
        "update": extend_schema(
            summary=f"Replace a {name}",
            request=update,
            parameters=[IF_MATCH],
            responses={200: serializer, **error_responses(*CHANGE_ERRORS)},
        ),
        "partial_update": extend_schema(
            summary=f"Change a {name}",
            request=update,
            parameters=[IF_MATCH],
            responses={200: serializer, **error_responses(*CHANGE_ERRORS)},
        ),
    }
    if not updates:
        del views["update"], views["partial_update"]
    if destroy:
        views["destroy"] = extend_schema(
            summary=f"Delete a {name}",
            # 409: other records still refer to it (presales.core.writes.delete_as).
            responses={204: None, **error_responses(*DETAIL_ERRORS, 409)},
        )
    views.update(extra or {})
    return extend_schema_view(**views)
