"""/api/v1/solutions/, solution-versions/, solution-sections/, quote-lines/,
solution-answers/ (R-SOL-1..6, R-QUOTE-1).

Every write calls the service the web pages call; refusals answer the error contract
(400 fields, 403, 404 out of scope, 409 ``version_frozen`` / ``gate_refused`` /
``version_not_approved``). Querysets are scoped in the base mixin.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from presales.api.permissions import CanWriteRecords
from presales.api.schema import error_responses
from presales.api.viewsets import (
    BaseViewSet,
    ScopedModelViewSet,
    ScopedQuerysetMixin,
    ServiceCreateMixin,
    ServiceDestroyMixin,
)
from presales.core.errors import NotFound
from proposals.choices import VersionStatus
from proposals.models import (
    QuoteLine,
    Requirement,
    Solution,
    SolutionAnswer,
    SolutionSection,
    SolutionVersion,
)
from proposals.solutions import selectors, services
from proposals.solutions.api import serializers as s


def _errors(*codes: int) -> dict:
    return error_responses(*codes)


class SolutionFilterSet(django_filters.FilterSet):
    class Meta:
        model = Solution
        fields = ["opportunity"]


class VersionFilterSet(django_filters.FilterSet):
    opportunity = django_filters.NumberFilter(field_name="solution__opportunity")
    status = django_filters.ChoiceFilter(choices=VersionStatus.choices)

    class Meta:
        model = SolutionVersion
        fields = ["solution", "opportunity", "status"]


class PartFilterSet(django_filters.FilterSet):
    solution_version = django_filters.NumberFilter(field_name="solution_version")


class SectionFilterSet(PartFilterSet):
    class Meta:
        model = SolutionSection
        fields = ["solution_version"]


class LineFilterSet(PartFilterSet):
    class Meta:
        model = QuoteLine
        fields = ["solution_version"]


class AnswerFilterSet(PartFilterSet):
    class Meta:
        model = SolutionAnswer
        fields = ["solution_version"]


@extend_schema_view(
    list=extend_schema(responses={200: s.SolutionSerializer(many=True), **_errors(400, 403)}),
    retrieve=extend_schema(responses={200: s.SolutionSerializer, **_errors(403, 404)}),
    create=extend_schema(
        request=s.SolutionCreateSerializer, responses={201: s.SolutionSerializer, **_errors(400, 403, 409)}
    ),
)
class SolutionViewSet(
    ScopedQuerysetMixin, ServiceCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet
):
    """Solutions of the opportunities in the caller's scope; creating one creates its first
    version (empty or from a template)."""

    queryset = Solution.objects.all()
    serializer_class = s.SolutionSerializer
    create_serializer_class = s.SolutionCreateSerializer
    filterset_class = SolutionFilterSet
    permission_classes = [CanWriteRecords]

    def service_create(self, data: dict) -> Solution:
        return services.solution_create(actor=self.request.user, **data)

    @extend_schema(request=None, responses={201: s.VersionSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        """The next version: a copy of the latest one (R-SOL-3); one draft at a time."""
        version = services.version_create_next(actor=request.user, solution=self.get_object())
        return Response(
            s.VersionSerializer(_versions().get(pk=version.pk)).data, status=status.HTTP_201_CREATED
        )


def _versions():
    # R-NEED-6: ``needs_revision`` and ``changed_requirements`` from one annotation.
    versions = selectors.with_requirement_changes(SolutionVersion.objects.all())
    return versions.select_related("solution__opportunity").prefetch_related(
        Prefetch("quote_lines", queryset=QuoteLine.objects.order_by("position", "id")),
        Prefetch(
            "answers", queryset=SolutionAnswer.objects.only("id", "solution_version_id", "requirement_id")
        ),
        Prefetch(
            "solution__opportunity__requirements",
            queryset=Requirement.objects.filter(kind="rigid").order_by("position", "number"),
            to_attr="rigid_requirements",
        ),
    )


AGAINST = OpenApiParameter(
    "against", OpenApiTypes.INT, location=OpenApiParameter.PATH, description="The other version's id."
)


@extend_schema_view(
    list=extend_schema(responses={200: s.VersionSerializer(many=True), **_errors(400, 403)}),
    retrieve=extend_schema(responses={200: s.VersionSerializer, **_errors(403, 404)}),
)
class VersionViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    """Solution versions with their quote totals; status moves through the actions."""

    queryset = _versions()
    serializer_class = s.VersionSerializer
    filterset_class = VersionFilterSet
    permission_classes = [CanWriteRecords]
    ordering_fields = ["id", "number", "created_at"]

    def _answer(self, version):
        return self.represent(version)

    @extend_schema(request=None, responses={200: s.VersionSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the version to review: it freezes and its review starts (409 with the
        reasons when sections, the quote or a rigid requirement's answer are missing)."""
        return self._answer(services.version_submit(actor=request.user, version=self.get_object()))

    @extend_schema(
        request=s.ReasonSerializer, responses={200: s.VersionSerializer, **_errors(400, 403, 404, 409)}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        data = self.validated(s.ReasonSerializer)
        return self._answer(
            services.version_withdraw(actor=request.user, version=self.get_object(), reason=data["reason"])
        )

    @extend_schema(request=None, responses={200: s.VersionSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def present(self, request, pk=None):
        """R-SOL-5: mark an approved version as presented to the customer (409 otherwise)."""
        return self._answer(services.version_mark_presented(actor=request.user, version=self.get_object()))

    @extend_schema(
        request=s.AcceptanceSerializer, responses={201: s.AcceptanceSerializer, **_errors(400, 403, 404, 409)}
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """R-SOL-6: record the customer's acceptance (who, how, when) of a presented version."""
        data = self.validated(s.AcceptanceSerializer)
        acceptance = services.acceptance_record(actor=request.user, version=self.get_object(), data=data)
        return Response(s.AcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.FeedbackSerializer, responses={201: s.FeedbackSerializer, **_errors(400, 403, 404, 409)}
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        """R-SOL-3: the customer's feedback on a presented version (starts the 48-hour revision)."""
        data = self.validated(s.FeedbackSerializer)
        feedback = services.feedback_record(actor=request.user, version=self.get_object(), data=data)
        return Response(s.FeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)

    @extend_schema(filters=False, responses={200: s.CustomerCopySerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["get"], url_path="customer-copy", pagination_class=None)
    def customer_copy(self, request, pk=None):
        """R-SOL-5: the customer's copy of an approved version, without cost or margin."""
        version = self.get_object()
        services.require_approved(version, "The customer copy")
        return Response(
            s.CustomerCopySerializer(selectors.customer_copy(selectors.version_with_content(version.pk))).data
        )

    @extend_schema(
        filters=False, parameters=[AGAINST], responses={200: s.DiffSerializer, **_errors(403, 404)}
    )
    @action(detail=True, methods=["get"], url_path=r"diff/(?P<against>[0-9]+)", pagination_class=None)
    def diff(self, request, pk=None, against=None):
        """The version against another version of its solution (``against``), side by side:
        sections as text diffs, quote lines added, removed or changed with their amounts."""
        new = self.get_object()
        old = (
            SolutionVersion.objects.filter(solution_id=new.solution_id, pk=int(against or 0))
            .exclude(pk=new.pk)
            .first()
        )
        if old is None:
            raise NotFound()
        diff = selectors.version_diff(
            selectors.version_with_content(old.pk), selectors.version_with_content(new.pk)
        )
        return Response(
            s.DiffSerializer(
                {
                    "old": old.pk,
                    "new": new.pk,
                    "sections": [
                        {
                            "kind": d.kind,
                            "label": d.label,
                            "status": d.status,
                            "rows": [list(r) for r in d.rows],
                        }
                        for d in diff["sections"]
                    ],
                    "lines": [vars(d) for d in diff["lines"]],
                }
            ).data
        )


class _PartViewSet(ScopedModelViewSet):
    """Sections, quote lines and answers: writes only while the version is a draft (409
    ``version_frozen`` afterwards)."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]


@extend_schema_view(
    list=extend_schema(responses={200: s.SectionSerializer(many=True), **_errors(400, 403)}),
    retrieve=extend_schema(responses={200: s.SectionSerializer, **_errors(403, 404)}),
    create=extend_schema(responses={201: s.SectionSerializer, **_errors(400, 403, 409)}),
    update=extend_schema(
        request=s.SectionUpdateSerializer, responses={200: s.SectionSerializer, **_errors(400, 403, 404, 409)}
    ),
    partial_update=extend_schema(
        request=s.SectionUpdateSerializer, responses={200: s.SectionSerializer, **_errors(400, 403, 404, 409)}
    ),
    destroy=extend_schema(responses={204: None, **_errors(403, 404, 409)}),
)
class SectionViewSet(_PartViewSet):
    queryset = SolutionSection.objects.select_related("solution_version")
    serializer_class = s.SectionSerializer
    update_serializer_class = s.SectionUpdateSerializer
    filterset_class = SectionFilterSet

    def service_create(self, data: dict):
        version = data.pop("solution_version")
        kind = data.pop("kind")
        return services.section_create(actor=self.request.user, version=version, kind=kind, data=data)

    def service_update(self, instance, data: dict, *, expected_version=None):
        return services.section_update(
            actor=self.request.user, section=instance, data=data, expected_version=expected_version
        )

    def service_destroy(self, instance) -> None:
        services.section_delete(actor=self.request.user, section=instance)

    @extend_schema(request=None, responses={200: s.SectionSerializer, **_errors(403, 404, 409)})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """The writer marks the section written (meets the writer's timer)."""
        return self.represent(services.section_mark_done(actor=request.user, section=self.get_object()))


@extend_schema_view(
    list=extend_schema(responses={200: s.QuoteLineSerializer(many=True), **_errors(400, 403)}),
    retrieve=extend_schema(responses={200: s.QuoteLineSerializer, **_errors(403, 404)}),
    create=extend_schema(responses={201: s.QuoteLineSerializer, **_errors(400, 403, 409)}),
    update=extend_schema(
        request=s.QuoteLineUpdateSerializer,
        responses={200: s.QuoteLineSerializer, **_errors(400, 403, 404, 409)},
    ),
    partial_update=extend_schema(
        request=s.QuoteLineUpdateSerializer,
        responses={200: s.QuoteLineSerializer, **_errors(400, 403, 404, 409)},
    ),
    destroy=extend_schema(responses={204: None, **_errors(403, 404, 409)}),
)
class QuoteLineViewSet(_PartViewSet):
    queryset = QuoteLine.objects.all()
    serializer_class = s.QuoteLineSerializer
    update_serializer_class = s.QuoteLineUpdateSerializer
    filterset_class = LineFilterSet

    def service_create(self, data: dict):
        version = data.pop("solution_version")
        return services.line_create(actor=self.request.user, version=version, data=data)

    def service_update(self, instance, data: dict, *, expected_version=None):
        return services.line_update(
            actor=self.request.user, line=instance, data=data, expected_version=expected_version
        )

    def service_destroy(self, instance) -> None:
        services.line_delete(actor=self.request.user, line=instance)


@extend_schema_view(
    list=extend_schema(responses={200: s.AnswerSerializer(many=True), **_errors(400, 403)}),
    retrieve=extend_schema(responses={200: s.AnswerSerializer, **_errors(403, 404)}),
    create=extend_schema(responses={201: s.AnswerSerializer, **_errors(400, 403, 409)}),
    destroy=extend_schema(responses={204: None, **_errors(403, 404, 409)}),
)
class AnswerViewSet(
    ScopedQuerysetMixin,
    ServiceCreateMixin,
    ServiceDestroyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    BaseViewSet,
):
    queryset = SolutionAnswer.objects.select_related("requirement")
    serializer_class = s.AnswerSerializer
    filterset_class = AnswerFilterSet
    permission_classes = [CanWriteRecords]

    def service_create(self, data: dict):
        version = data.pop("solution_version")
        return services.answer_create(actor=self.request.user, version=version, data=data)

    def service_destroy(self, instance) -> None:
        services.answer_delete(actor=self.request.user, answer=instance)
