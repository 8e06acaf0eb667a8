"""/api/v1/me/: the caller; /api/v1/me/tokens/: the caller's API tokens."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from presales.accounts.models import ApiToken, User
from presales.accounts.services import api_token_create, api_token_revoke
from presales.api.schema import error_responses
from presales.api.viewsets import BaseAPIView
from presales.core.errors import NotAllowed
from presales.core.roles import scope_of


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    scope = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "language", "team", "roles", "scope"]

    def get_roles(self, obj) -> list[str]:
        return sorted(obj.roles)

    def get_scope(self, obj) -> str | None:
        return scope_of(obj)


class MeView(BaseAPIView):
    """The calling user, their roles and visibility scope."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class ApiTokenSerializer(serializers.ModelSerializer):
    """An API token as its owner sees it: never the secret (only at creation)."""

    status = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at", "status"]
        read_only_fields = fields

    def get_status(self, obj) -> str:
        return str(obj.status())


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret: shown only in this answer.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class ApiTokenListView(BaseAPIView):
    """The caller's tokens (GET) or a new one (POST, answered with its secret once). Creating
    a token needs a signed-in session: a token cannot mint further tokens."""

    @property
    def throttle_scope(self) -> str | None:
        # The stricter "auth" rate (presales.api.throttles.ScopedRateThrottle) limits creating.
        return "auth" if self.request.method == "POST" else None

    @extend_schema(responses={200: ApiTokenSerializer(many=True), **error_responses(403)})
    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user).select_related("user")
        return Response(ApiTokenSerializer(tokens, many=True).data)

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer, **error_responses(400, 403)},
    )
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            raise NotAllowed(_("Sign in to create a token; a token cannot create tokens."))
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, secret = api_token_create(user=request.user, **data.validated_data)
        body = ApiTokenCreatedSerializer(token).data | {"token": secret}
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


class ApiTokenRevokeView(BaseAPIView):
    """Revoke one of the caller's tokens (another user's is 404)."""

    @extend_schema(request=None, responses={200: ApiTokenSerializer, **error_responses(404)})
    def post(self, request, pk: int):
        return Response(ApiTokenSerializer(api_token_revoke(token_id=pk, actor=request.user)).data)


urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("me/tokens/", ApiTokenListView.as_view(), name="api-me-tokens"),
    path("me/tokens/<int:pk>/revoke/", ApiTokenRevokeView.as_view(), name="api-me-token-revoke"),
]
