"""/api/v1/bid-parts/ (+ ``versions``, ``revise``, ``draft``), /api/v1/bid-attachments/
(multipart), /api/v1/defence-questions/ (+ ``use-answer``, ``save-to-library``),
/api/v1/defence-answers/ (the library) — R-BID-1, R-BID-3.

Writes call bids/biddocs/services.py; a part changes only through its actions (a new
version each), never through PUT/PATCH. Parts, attachments and questions are scoped through
the bid's opportunity (another team's is 404).

The library is the knowledge base's published reusable bid answers (R-KB-1, also at
/api/v1/knowledge-articles/?kind=bid_answer). ``defence-answers/`` keeps the library's former
shape for the sales team's tools: question, answer, product, industry, owner; what the reader
may see is the knowledge base's visibility, writes go through knowledge/services.py (presales
staff only, 403 otherwise; a change by the owner or the team's manager)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from bids.biddocs import services
from bids.models import Bid, BidAttachment, BidPart, BidPartVersion, DefenceQuestion
from knowledge import selectors as knowledge_selectors
from knowledge import services as knowledge_services
from knowledge.choices import ArticleKind, ArticleStatus
from knowledge.models import Article
from leads.choices import Industry
from presales.accounts.models import User
from presales.api.fields import ScopedPrimaryKeyRelatedField
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import (
    CHANGE_ERRORS,
    READ_ERRORS,
    ScopedReadOnlyViewSet,
    ServiceCreateMixin,
    ServiceViewSet,
    crud_schema,
)


class BidPartVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = BidPartVersion
        fields = ["id", "number", "content", "source", "solution_version", "note", "created_by", "created_at"]
        read_only_fields = fields


class BidPartSerializer(serializers.ModelSerializer):
    """A part of the bid document (R-BID-1) with its current version."""

    current = BidPartVersionSerializer(read_only=True)

    class Meta:
        model = BidPart
        fields = ["id", "bid", "kind", "status", "current", "created_at", "updated_at"]
        read_only_fields = fields


class ReviseSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=200_000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


PART_ACTION = extend_schema(
    request=None, responses={200: BidPartVersionSerializer, **error_responses(*CHANGE_ERRORS)}
)


VERSIONS_SHOWN = 200


class BidPartViewSet(ScopedReadOnlyViewSet):
    """The parts of the bids the caller sees; ``?bid=`` narrows to one bid."""

    queryset = BidPart.objects.select_related("current")
    serializer_class = BidPartSerializer
    filterset_fields = ["bid", "kind"]

    # One part's versions: not the list's filters or pages (a sub-resource documents only what
    # it reads); the newest VERSIONS_SHOWN, newest first.
    @extend_schema(filters=False, responses={200: BidPartVersionSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def versions(self, request, pk=None):
        """The part's versions, newest first (at most ``VERSIONS_SHOWN``)."""
        part = self.get_object()
        versions = part.versions.order_by("-number")[:VERSIONS_SHOWN]
        return Response(BidPartVersionSerializer(versions, many=True).data)

    @extend_schema(
        request=ReviseSerializer,
        responses={201: BidPartVersionSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A new version written by hand (sanitised rich text); 409 once the bid is sealed."""
        data = self.validated(ReviseSerializer)
        version = services.part_revise(actor=request.user, part=self.get_object(), **data)
        return Response(BidPartVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: BidPartVersionSerializer, **error_responses(*CHANGE_ERRORS)})
    @action(detail=True, methods=["post"])
    def draft(self, request, pk=None):
        """A new version drafted from the approved solution version (technical part) or its
        quote (price part)."""
        version = services.part_draft(actor=request.user, part=self.get_object())
        return Response(BidPartVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class BidAttachmentSerializer(StrictMixin, serializers.ModelSerializer):
    """A file of a part: checked by its content (pdf, docx, xlsx, jpg, png)."""

    part = ScopedPrimaryKeyRelatedField(queryset=BidPart.objects.all())
    file = serializers.FileField(write_only=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = BidAttachment
        fields = ["id", "part", "file", "name", "size", "uploaded_by", "created_at", "download_url"]
        read_only_fields = ["size", "uploaded_by", "created_at", "download_url"]

    def get_download_url(self, obj: BidAttachment) -> str:
        return reverse("bids:bid-attachment", args=[obj.pk])


@crud_schema("bid attachment", BidAttachmentSerializer, destroy=True, updates=False)
class BidAttachmentViewSet(mixins.DestroyModelMixin, ServiceCreateMixin, ScopedReadOnlyViewSet):
    """Attachments of the parts the caller sees; upload as multipart, no change after (a new
    file is a new attachment); removed while the part may change."""

    queryset = BidAttachment.objects.select_related("part")
    serializer_class = BidAttachmentSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["part"]
    permission_classes = ServiceViewSet.permission_classes

    def service_create(self, data: dict) -> BidAttachment:
        return services.attachment_add(
            actor=self.request.user, part=data["part"], file=data["file"], name=data.get("name", "")
        )

    def perform_destroy(self, instance) -> None:
        services.attachment_remove(actor=self.request.user, attachment=instance)


class DefenceAnswerSerializer(StrictMixin, serializers.ModelSerializer):
    """A prepared answer of the library (R-BID-3): a published reusable bid answer of the
    knowledge base (R-KB-1) under the library's field names. ``id`` is the article's. The
    owner is whoever wrote it: a write may send it only unchanged (or empty on a new one)."""

    question = serializers.CharField(max_length=4000, help_text="The question (the article's title).")
    answer = serializers.CharField(help_text="The prepared answer (the article's body).")
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "product",
            "industry",
            "question",
            "answer",
            "owner",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def validate_owner(self, value):
        request = self.context.get("request")
        current = self.instance.owner_id if self.instance is not None else getattr(request.user, "pk", None)
        if value is not None and value.pk != current:
            raise serializers.ValidationError(_("A library answer belongs to whoever wrote it."))
        return value


class DefenceQuestionSerializer(StrictMixin, serializers.ModelSerializer):
    """An anticipated question with its prepared answer and owner (R-BID-3)."""

    read_only_messages = {"status": _("A question is ready once it has a prepared answer.")}
    bid = ScopedPrimaryKeyRelatedField(queryset=Bid.objects.all())
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = DefenceQuestion
        fields = [
            "id",
            "bid",
            "question",
            "answer",
            "owner",
            "status",
            "from_library",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "from_library", "version", "created_at", "updated_at"]


class DefenceQuestionUpdateSerializer(DefenceQuestionSerializer):
    bid = serializers.PrimaryKeyRelatedField(read_only=True)


class UseAnswerSerializer(serializers.Serializer):
    answer = ScopedPrimaryKeyRelatedField(
        queryset=Article.objects.filter(kind=ArticleKind.BID_ANSWER, status=ArticleStatus.PUBLISHED),
        help_text="A published reusable bid answer of the knowledge base (defence-answers/).",
    )


class ToLibrarySerializer(serializers.Serializer):
    product = serializers.CharField(required=False, allow_blank=True, max_length=200)
    industry = serializers.ChoiceField(choices=Industry.choices, required=False, allow_blank=True)
    update_original = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Make the prepared answer a new version of the library answer it was copied from.",
    )


@crud_schema("defence question", DefenceQuestionSerializer, update=DefenceQuestionUpdateSerializer)
class DefenceQuestionViewSet(ServiceViewSet):
    """The defence questions of the bids the caller sees; ``?bid=`` narrows to one bid."""

    queryset = DefenceQuestion.objects.select_related("bid")
    serializer_class = DefenceQuestionSerializer
    update_serializer_class = DefenceQuestionUpdateSerializer
    filterset_fields = ["bid", "status"]

    def service_create(self, data: dict) -> DefenceQuestion:
        bid = data.pop("bid")
        return services.question_save(actor=self.request.user, bid=bid, data=data)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> DefenceQuestion:
        return services.question_save(
            actor=self.request.user,
            bid=instance.bid,
            question=instance,
            data=data,
            expected_version=expected_version,
        )

    @extend_schema(
        request=UseAnswerSerializer,
        responses={200: DefenceQuestionSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"], url_path="use-answer")
    def use_answer(self, request, pk=None):
        """Copy a library answer (a published reusable bid answer of the knowledge base) into
        the question's prepared answer; the question records where it came from."""
        data = self.validated(UseAnswerSerializer)
        question = services.question_use_answer(
            actor=request.user, question=self.get_object(), answer=data["answer"]
        )
        return self.represent(question)

    @extend_schema(
        request=ToLibrarySerializer,
        responses={201: DefenceAnswerSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"], url_path="save-to-library")
    def save_to_library(self, request, pk=None):
        """The question and its prepared answer become a library answer: a reusable bid answer
        of the knowledge base, published (presales staff); ``update_original`` makes it a new
        version of the answer the question was copied from."""
        data = self.validated(ToLibrarySerializer)
        answer = services.question_save_to_library(actor=request.user, question=self.get_object(), **data)
        return Response(DefenceAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)


LIBRARY_PARAMS = [
    OpenApiParameter(
        "q",
        str,
        description="The knowledge base's search: Chinese (two characters or more), English or mixed",
    ),
    OpenApiParameter("product", str, description="Part of the product's name"),
]


@crud_schema(
    "defence answer",
    DefenceAnswerSerializer,
    extra={
        "list": extend_schema(
            summary="List defence answers",
            parameters=LIBRARY_PARAMS,
            responses={200: DefenceAnswerSerializer(many=True), **error_responses(400, *READ_ERRORS)},
        )
    },
)
class DefenceAnswerViewSet(ServiceViewSet):
    """The answer library: the published reusable bid answers of the knowledge base the caller
    may read. ``?industry=`` (exact), ``?product=`` (contains, through its index) and ``?q=``
    (the knowledge base's search over question, answer and product)."""

    queryset = Article.objects.filter(kind=ArticleKind.BID_ANSWER, status=ArticleStatus.PUBLISHED).defer(
        "search_vector", "rank_vector"
    )
    serializer_class = DefenceAnswerSerializer
    filterset_fields = ["industry"]

    def get_queryset(self):
        if self.detail:
            return super().get_queryset()
        params = self.request.query_params
        product, term = params.get("product", ""), params.get("q", "")
        return knowledge_selectors.bid_answers(
            self.request.user,
            q=term[:200] if isinstance(term, str) else "",
            product=product[:100] if isinstance(product, str) else "",
        ).defer("search_vector", "rank_vector")

    @staticmethod
    def _library_fields(data: dict) -> dict:
        data.pop("owner", None)  # checked by the serializer: unchanged
        return data

    def service_create(self, data: dict) -> Article:
        return knowledge_services.bid_answer_save(actor=self.request.user, data=self._library_fields(data))

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> Article:
        return knowledge_services.bid_answer_save(
            actor=self.request.user,
            data=self._library_fields(data),
            article=instance,
            expected_version=expected_version,
        )
