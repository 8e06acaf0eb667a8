from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from presales.accounts.models import User
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


class MeView(APIView):
    """The calling user, their roles and visibility scope."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


urlpatterns = [path("me/", MeView.as_view(), name="api-me")]
