"""The knowledge base's API (R-KB-1): ``/api/v1/knowledge-articles/`` (list with filters, cursor
pages; create, update, publish/archive through the services) and its ranked ``search`` action
(the first 20 hits with highlighted title and snippet)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from knowledge import selectors, services
from knowledge.choices import ArticleKind, ArticleStatus
from knowledge.models import Article
from leads.choices import Industry
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import CHANGE_ERRORS, READ_ERRORS, ServiceViewSet, crud_schema
from presales.core.filters import ChoicesFilter


class ArticleFilter(django_filters.FilterSet):
    kind = ChoicesFilter(choices=ArticleKind.choices)
    status = ChoicesFilter(choices=ArticleStatus.choices)
    industry = ChoicesFilter(choices=Industry.choices)
    tag = django_filters.CharFilter(field_name="tags__name")

    class Meta:
        model = Article
        fields = ["kind", "status", "industry", "tag", "owner"]


class ArticleSerializer(StrictMixin, serializers.ModelSerializer):
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50),
        required=False,
        max_length=services.MAX_TAGS,
        write_only=True,
        help_text="Tag names; the answer lists them too.",
    )
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "kind",
            "title",
            "summary",
            "body",
            "industry",
            "size_class",
            "outcome",
            "product",
            "source",
            "customer_consent",
            "visibility",
            "review_on",
            "tags",
            "status",
            "owner",
            "owner_name",
            "team",
            "published_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "owner", "team", "published_at", "version", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["tags"] = [t.name for t in instance.tags.all()]
        return data


class MoveSerializer(serializers.Serializer):
    move = serializers.ChoiceField(choices=["publish", "archive", "unpublish"])


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    title_html = serializers.CharField()
    snippet_html = serializers.CharField()
    rank = serializers.FloatField(allow_null=True)


SEARCH_PARAMS = [
    OpenApiParameter("q", str, description="The query: Chinese (two characters or more), English or mixed"),
    OpenApiParameter("kind", str, enum=ArticleKind.values),
    OpenApiParameter("industry", str, enum=Industry.values),
    OpenApiParameter("tag", str),
]


@crud_schema("knowledge article", ArticleSerializer)
class ArticleViewSet(ServiceViewSet):
    """Knowledge articles the caller may read; writes through the knowledge services."""

    queryset = Article.objects.select_related("owner").prefetch_related("tags").defer("search_vector")
    serializer_class = ArticleSerializer
    filterset_class = ArticleFilter
    ordering_fields = ["updated_at", "title", "id"]
    ordering = ["-updated_at", "-id"]

    def service_create(self, data: dict) -> Article:
        tags = data.pop("tags", None)
        return services.article_create(actor=self.request.user, data=data, tags=tags)

    def service_update(self, instance, data: dict, *, expected_version: int | None) -> Article:
        tags = data.pop("tags", None)
        return services.article_update(
            actor=self.request.user, article=instance, data=data, tags=tags, expected_version=expected_version
        )

    @extend_schema(
        request=MoveSerializer, responses={200: ArticleSerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Publish, archive or take back to draft."""
        data = self.validated(MoveSerializer)
        return self.represent(
            services.article_move(actor=request.user, article=self.get_object(), move=data["move"])
        )

    @extend_schema(
        parameters=SEARCH_PARAMS,
        responses={200: HitSerializer(many=True), **error_responses(400, *READ_ERRORS)},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def search(self, request):
        """The first 20 articles matching ``q``, best first, with the matches marked."""
        q = str(request.query_params.get("q", ""))[:200]
        filters = {k: str(request.query_params.get(k, ""))[:50] for k in ("kind", "industry", "tag")}
        page = selectors.search_page(request.user, q=q, page=1, **filters)
        return Response(
            [
                {
                    "id": hit.article.pk,
                    "kind": hit.article.kind,
                    "title": hit.article.title,
                    "title_html": hit.title,
                    "snippet_html": hit.snippet,
                    "rank": getattr(hit.article, "rank", None),
                }
                for hit in page["hits"]
            ]
        )


__all__ = ["ArticleViewSet", "_"]
