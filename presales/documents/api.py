"""API of generated documents (/api/v1/documents/, issue 12).

``POST`` asks for the PDF of a record (202 with the document to poll; the stored one when the
source has not changed); ``GET`` lists the caller's requests or shows one (state, progress,
download URL when ready); ``GET {id}/download/`` returns the PDF, checked again (R-SOL-5);
``POST {id}/sent/`` records that it left the company (R-DOC). A document of a record the
caller cannot see is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from presales.api.schema import error_responses
from presales.api.serializers import BackgroundJobLinksMixin
from presales.api.viewsets import BaseViewSet
from presales.core.uploads import serve_download
from presales.documents import services
from presales.documents.models import DeliveryChannel, Document, DocumentDelivery
from presales.documents.registry import document_types

PDF_RESPONSE = OpenApiResponse(response=OpenApiTypes.BINARY, description="The PDF (logged download).")


class DocumentSerializer(BackgroundJobLinksMixin, serializers.ModelSerializer):
    job_route = "document"
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text=_("Null until the document is ready."))

    class Meta:
        model = Document
        fields = [
            "id",
            "url",
            "doc_type",
            "object_id",
            "variant",
            "language",
            "number",
            "title",
            "final",
            "state",
            "progress",
            "pages",
            "size",
            "error",
            "created_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields


class DocumentRequestSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "doc_type": serializers.ChoiceField(choices=[(t.key, str(t.label)) for t in document_types()]),
            "object_id": serializers.IntegerField(min_value=1),
            "variant": serializers.CharField(max_length=20, required=False, default="standard"),
            "language": serializers.ChoiceField(choices=settings.LANGUAGES, required=False),
        }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data).difference(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentDelivery
        fields = ["id", "document", "recipient", "channel", "sent_on", "note", "sent_by", "recorded_at"]
        read_only_fields = ["id", "document", "sent_by", "recorded_at"]
        extra_kwargs = {"sent_on": {"required": False}, "note": {"required": False}}


@extend_schema_view(
    list=extend_schema(
        summary="The documents I asked for, newest first",
        responses={200: DocumentSerializer, **error_responses(401, 403)},
    ),
)
class DocumentViewSet(mixins.ListModelMixin, BaseViewSet):
    queryset = Document.objects.all()
    serializer_class = DocumentSerializer
    ordering_fields = ("created_at", "id")

    def get_queryset(self):
        return Document.objects.filter(requested_by=self.request.user).order_by("-pk")

    @extend_schema(
        summary="Ask for a document's PDF (rendered in the background)",
        request=DocumentRequestSerializer,
        responses={202: DocumentSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def create(self, request):
        data = self.validated(DocumentRequestSerializer)
        document = services.document_request(actor=request.user, **data)
        body = DocumentSerializer(document, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    @extend_schema(
        summary="One document: state, progress, download URL when ready",
        responses={200: DocumentSerializer, **error_responses(401, 403, 404)},
    )
    def retrieve(self, request, pk=None):
        document, _source = services.visible_document(actor=request.user, document_id=pk)
        return Response(DocumentSerializer(document, context={"request": request}).data)

    @extend_schema(
        summary="Download the PDF", responses={200: PDF_RESPONSE, **error_responses(401, 403, 404, 409)}
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        document = services.document_for_download(actor=request.user, document_id=pk)
        response = serve_download(
            request, obj=document, field_file=document.file, filename=document.download_name
        )
        response["Content-Type"] = "application/pdf"
        return response

    @extend_schema(
        summary="Record that the document was sent (R-DOC)",
        request=DeliverySerializer,
        responses={201: DeliverySerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def sent(self, request, pk=None):
        data = self.validated(DeliverySerializer)
        delivery = services.document_record_sent(
            actor=request.user,
            document_id=pk,
            recipient=data["recipient"],
            channel=data.get("channel", DeliveryChannel.EMAIL),
            sent_on=data.get("sent_on"),
            note=data.get("note", ""),
        )
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("documents", DocumentViewSet, basename="document")
urlpatterns = router.urls
