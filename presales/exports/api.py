"""API of export jobs (/api/v1/exports/) and the shared answer of every ``export`` action.

``POST /api/v1/exports/`` starts a job (202, ``Location`` = the job); ``GET`` lists the
caller's jobs or shows one (state, progress, total, download URL when done);
``GET /api/v1/exports/{id}/download/`` returns the file. Jobs are their owner's only: any
other caller gets 404 (R-CUST-6).
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from presales.api.filters import StableOrderingFilter
from presales.api.renderers import CSVRenderer
from presales.api.schema import error_responses
from presales.api.serializers import BackgroundJobLinksMixin
from presales.api.viewsets import ScopedReadOnlyViewSet
from presales.core.errors import Conflict, DomainError
from presales.exports.models import ExportJob, ExportState
from presales.exports.registry import exporters
from presales.exports.services import export_or_start, export_start

CSV_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.STR,
    description="CSV (UTF-8 with BOM); contact details masked per viewer; the export is logged (R-CUST-6).",
)
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[202],
    description="The export job to poll: GET it until its state is done, then follow download_url.",
)
ASYNC = OpenApiParameter(
    "async",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    required=False,
    description=(
        "Run the export as a background job (202 with the job) even when it is small. Exports "
        "larger than the server's limit (PRESALES_EXPORT_SYNC_MAX_ROWS) always run as a job."
    ),
)


class ExportJobSerializer(BackgroundJobLinksMixin, serializers.ModelSerializer):
    """An export job: what, with which filter, how far, and where to fetch the file."""

    job_route = "export-job"

    resource_label = serializers.CharField(read_only=True)
    params = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        read_only=True,
        help_text=_("The filter, as names and lists of values (the list's query parameters)."),
    )
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(
        help_text=_("Where to download the CSV; null until the export is done.")
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "url",
            "resource",
            "resource_label",
            "params",
            "channel",
            "state",
            "progress",
            "total",
            "row_count",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields


class ExportStartSerializer(serializers.Serializer):
    """What to export: a registered resource and the filter of its list."""

    def get_fields(self):
        # The choices are the exporters registered by the apps (known once they are ready).
        return {
            "resource": serializers.ChoiceField(
                choices=[(e.code, str(e.label)) for e in exporters()],
                help_text=_("What to export, e.g. leads or customers."),
            ),
            "params": serializers.DictField(
                required=False,
                default=dict,
                help_text=_(
                    'The filter, as the list\'s query parameters: {"grade": ["A", "B"], "q": "acme"}.'
                ),
            ),
        }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data).difference(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


def job_accepted(job: ExportJob, request) -> Response:
    """202 with the job and its URL in ``Location``: the client polls it."""
    data = ExportJobSerializer(job, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


def _flag(value: str, name: str) -> bool:
    if value in serializers.BooleanField.TRUE_VALUES:
        return True
    if value == "" or value in serializers.BooleanField.FALSE_VALUES:
        return False
    raise DomainError(fields={name: [_("Use 1 (yes) or 0 (no).")]})


def export_answer(request, *, resource: str):
    """The ``export`` action of a resource's viewset: the CSV at once (200) when it is small,
    else (or with ``?async=1``) a job (202, R-CUST-6). The filter is the query string."""
    background = _flag(request.query_params.get("async", ""), "async")
    result = export_or_start(
        actor=request.user,
        resource=resource,
        params=request.query_params,
        channel="api",
        background=background,
    )
    if result.job is not None:
        # JSON whatever the client accepted (the action also renders CSV for the 200 answer).
        data = ExportJobSerializer(result.job, context={"request": request}).data
        return JsonResponse(
            data, status=202, headers={"Location": data["url"]}, json_dumps_params={"ensure_ascii": False}
        )
    response = HttpResponse(result.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{resource}-{timezone.localtime():%Y%m%d-%H%M}.csv"'
    )
    return response


def export_action_schema(name: str):
    """The schema of a resource's ``export`` action (its filters come from ``filters=True``)."""
    return extend_schema(
        summary=f"Export the filtered {name} as CSV (logged, R-CUST-6)",
        description=(
            "Up to the server's limit the CSV is returned at once (200). Larger exports, or "
            "``?async=1``, answer 202 with an export job; poll its URL (``Location``) until it "
            "is done, then download the file."
        ),
        filters=True,
        parameters=[ASYNC, LOCATION],
        responses={
            (200, "text/csv"): CSV_RESPONSE,
            (202, "application/json"): ExportJobSerializer,
            **error_responses(400, 401, 403),
        },
    )


@extend_schema_view(
    list=extend_schema(
        summary="My export jobs, newest first",
        responses={200: ExportJobSerializer, **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        summary="One export job: state, progress, total, download URL when done",
        responses={200: ExportJobSerializer, **error_responses(401, 403, 404)},
    ),
)
class ExportJobViewSet(ScopedReadOnlyViewSet):
    """Export jobs of the caller only (R-CUST-6); started here or by an ``export`` action."""

    queryset = ExportJob.objects.all()
    serializer_class = ExportJobSerializer
    filter_backends = [StableOrderingFilter]
    ordering_fields = ("created_at", "finished_at", "id")

    @extend_schema(
        summary="Start an export job (R-CUST-6)",
        request=ExportStartSerializer,
        parameters=[LOCATION],
        responses={202: ExportJobSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request):
        data = self.validated(ExportStartSerializer)
        job = export_start(
            actor=request.user, resource=data["resource"], params=data["params"], channel="api"
        )
        return job_accepted(job, request)

    @extend_schema(
        summary="Download the finished export (CSV)",
        responses={
            (200, "text/csv"): CSV_RESPONSE,
            **error_responses(401, 403, 404, 409),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, CSVRenderer])
    def download(self, request, pk=None):
        job = self.get_object()
        if job.state != ExportState.DONE or not job.file:
            raise Conflict(_("This export is not finished yet."), code="not_ready")
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.download_name,
            content_type="text/csv; charset=utf-8",
        )


router = SimpleRouter()
router.register("exports", ExportJobViewSet, basename="export-job")
urlpatterns = router.urls
