"""/api/v1/surveys/, /api/v1/survey-templates/, /api/v1/improvement-actions/ (R-POST-1,
R-POST-3, R-POST-4, R-KPI-1).

Surveys are read-only records (sent by the system: the beat task and the close hooks); they
change only through ``revoke``, ``resend`` and ``phone`` (a phone interview's answers), which
check who may inside the services. Templates are read by everyone with a role and written by
administrators (the service refuses the others). Improvement actions are listed and closed.
Querysets are scoped (a survey of an opportunity the caller does not see is 404)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from kpi.models import ImprovementAction, Survey, SurveyAnswer, SurveyQuestion, SurveyTemplate
from kpi.models.surveys import AnswerChannel, SurveyPurpose, SurveyStatus
from kpi.surveys import services
from leads.models import Contact
from presales.api.schema import error_responses
from presales.api.serializers import StrictMixin
from presales.api.viewsets import CHANGE_ERRORS, BaseViewSet, ScopedReadOnlyViewSet, expected_version
from presales.core.filters import ChoicesFilter


class SurveyFilter(django_filters.FilterSet):
    purpose = ChoicesFilter(choices=SurveyPurpose.choices, label=_("Purpose"))
    status = ChoicesFilter(choices=SurveyStatus.choices, label=_("Status"))
    opportunity = django_filters.NumberFilter(field_name="opportunity", label=_("Opportunity"))

    class Meta:
        model = Survey
        fields = ["purpose", "status", "opportunity"]


class SurveyAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyAnswer
        fields = ["code", "measure", "score", "text", "answered_at"]
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer):
    """A sent survey, its questions as sent and its answers; ``channel`` phone marks answers
    entered by staff from a phone interview (R-POST-3)."""

    answers = SurveyAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "purpose",
            "template",
            "opportunity",
            "acceptance",
            "milestone_months",
            "contact",
            "respondent",
            "rated_user",
            "team",
            "language",
            "questions",
            "status",
            "sent_at",
            "expires_at",
            "reminded_at",
            "answered_at",
            "channel",
            "entered_by",
            "revoked_at",
            "comment",
            "answers",
            "version",
        ]
        read_only_fields = fields


class ResendSerializer(StrictMixin, serializers.Serializer):
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )


class PhoneAnswersSerializer(StrictMixin, serializers.Serializer):
    """``answers``: question code → a score 1 to 5 or a text, as the survey's questions say."""

    answers = serializers.DictField(child=serializers.CharField(allow_blank=True))
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class SurveyViewSet(ScopedReadOnlyViewSet):
    """Surveys of the opportunities the caller sees (and the internal ratings asked of them)."""

    queryset = Survey.objects.prefetch_related("answers")
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    ordering_fields = ["sent_at", "answered_at", "id"]
    ordering = ["-id"]

    @extend_schema(request=None, responses={200: SurveySerializer, **error_responses(*CHANGE_ERRORS)})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Withdraw the link (a new key: every link sent before stops working)."""
        return self.represent(services.survey_revoke(actor=request.user, survey=self.get_object()))

    @extend_schema(
        request=ResendSerializer, responses={200: SurveySerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """E-mail a new link (to ``contact`` if given)."""
        data = self.validated(ResendSerializer)
        survey = services.survey_resend(
            actor=request.user, survey=self.get_object(), contact=data.get("contact")
        )
        return self.represent(survey)

    @extend_schema(
        request=PhoneAnswersSerializer, responses={200: SurveySerializer, **error_responses(*CHANGE_ERRORS)}
    )
    @action(detail=True, methods=["post"])
    def phone(self, request, pk=None):
        """Enter the answers of a phone interview (R-POST-3: marked as such)."""
        data = self.validated(PhoneAnswersSerializer)
        survey = services.survey_answer(
            survey=self.get_object(),
            answers=data["answers"],
            channel=AnswerChannel.PHONE,
            actor=request.user,
            comment=data.get("note", ""),
        )
        return self.represent(survey)


class SurveyQuestionSerializer(StrictMixin, serializers.ModelSerializer):
    class Meta:
        model = SurveyQuestion
        fields = ["code", "kind", "measure", "required", "text_en", "text_zh_hans", "text_zh_hant"]


class SurveyTemplateSerializer(StrictMixin, serializers.ModelSerializer):
    """A questionnaire with its questions in order; ``questions`` given on a write replaces them."""

    questions = SurveyQuestionSerializer(many=True, required=False)

    class Meta:
        model = SurveyTemplate
        fields = [
            "id",
            "name",
            "purpose",
            "is_default",
            "is_active",
            "intro_en",
            "intro_zh_hans",
            "intro_zh_hant",
            "questions",
            "version",
        ]
        read_only_fields = ["id", "version"]
        # One default per purpose is the service's to keep (it moves the flag), not a 400.
        validators: list = []


class SurveyTemplateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    BaseViewSet,
):
    """Survey templates: every role reads them, administrators write them (in the service)."""

    queryset = SurveyTemplate.objects.prefetch_related("questions")
    serializer_class = SurveyTemplateSerializer
    ordering_fields = ["name", "id"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        data = self.validated(SurveyTemplateSerializer)
        template = services.survey_template_save(actor=request.user, data=data)
        return self.represent(template, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        template = self.get_object()
        data = self.validated(SurveyTemplateSerializer, partial=partial)
        template = services.survey_template_save(
            actor=request.user, data=data, template=template, expected_version=expected_version(request)
        )
        return self.represent(template)


class ImprovementActionSerializer(serializers.ModelSerializer):
    opportunity = serializers.SerializerMethodField()

    class Meta:
        model = ImprovementAction
        fields = [
            "id",
            "survey",
            "opportunity",
            "answer",
            "owner",
            "due_on",
            "description",
            "status",
            "resolution",
            "closed_at",
            "closed_by",
            "version",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_opportunity(self, action: ImprovementAction) -> int:
        return action.survey.opportunity_id


class ActionCloseSerializer(StrictMixin, serializers.Serializer):
    resolution = serializers.CharField(max_length=4000)


class ImprovementActionFilter(django_filters.FilterSet):
    opportunity = django_filters.NumberFilter(field_name="survey__opportunity", label=_("Opportunity"))

    class Meta:
        model = ImprovementAction
        fields = ["opportunity", "status", "owner", "survey"]


class ImprovementActionViewSet(ScopedReadOnlyViewSet):
    """Improvement actions after low survey scores (R-POST-3): list, close."""

    queryset = ImprovementAction.objects.select_related("survey")
    serializer_class = ImprovementActionSerializer
    filterset_class = ImprovementActionFilter
    ordering_fields = ["due_on", "created_at", "id"]
    ordering = ["-id"]

    @extend_schema(
        request=ActionCloseSerializer,
        responses={200: ImprovementActionSerializer, **error_responses(*CHANGE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Done, with the resolution: its timer is met."""
        data = self.validated(ActionCloseSerializer)
        action_ = services.improvement_action_close(
            actor=request.user,
            action=self.get_object(),
            resolution=data["resolution"],
            expected_version=expected_version(request),
        )
        return self.represent(action_)
