"""Satisfaction surveys (R-POST-1, R-POST-3, R-POST-4) and the internal collaboration rating
(R-KPI-1).

A ``SurveyTemplate`` (edited by an admin) holds the questions in three languages; a ``Survey``
is one sending of a template for one opportunity, with the questions copied at sending
(``questions``: later edits of the template do not change a sent survey), the person it rates
(``rated_user``: the presales owner when it was sent) and the team it counts for. Its answers
(``SurveyAnswer``) carry the question's ``measure``, so the KPI averages a measure over a period
in one aggregate query. An answer of 2 or less opens an ``ImprovementAction`` (R-POST-3).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from presales.core.models import TimeStampedModel, VersionedModel

USER = settings.AUTH_USER_MODEL


class SurveyPurpose(models.TextChoices):
    AFTER_ACCEPTANCE = "after_acceptance", _("After acceptance (1, 3, 6 months)")
    PRESALES_SERVICE = "presales_service", _("Presales service, after closing")
    INTERNAL = "internal", _("Internal collaboration rating")


class QuestionKind(models.TextChoices):
    SCORE = "score", _("Score 1 to 5")
    TEXT = "text", _("Free text")


class Measure(models.TextChoices):
    """What a scored question measures: which KPI indicator its answers feed."""

    SATISFACTION = "satisfaction", _("Customer satisfaction")
    COLLABORATION = "collaboration", _("Collaboration")
    QUALITY = "quality", _("Solution quality")
    OTHER = "other", _("Other (shown, not counted)")


class SurveyStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class AnswerChannel(models.TextChoices):
    LINK = "link", _("By the customer, through the link")
    PHONE = "phone", _("Entered by staff from a phone interview")
    IN_APP = "in_app", _("In the application")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class SurveyQuerySet(models.QuerySet):
    def visible_to(self, user) -> SurveyQuerySet:
        """The surveys of the opportunities ``user`` sees (R-CUST-6), plus those they answer."""
        from opportunities.models import opportunity_visibility_q

        if not user.is_authenticated:
            return self.none()
        scope = opportunity_visibility_q(user, prefix="opportunity__")
        if not scope:  # scope all: no filter (an empty Q OR-ed would keep only the right side)
            return self.all()
        return self.filter(scope | Q(respondent=user))


class ImprovementActionQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImprovementActionQuerySet:
        """The actions of the surveys ``user`` sees, plus those they own."""
        from opportunities.models import opportunity_visibility_q

        if not user.is_authenticated:
            return self.none()
        scope = opportunity_visibility_q(user, prefix="survey__opportunity__")
        if not scope:  # scope all
            return self.all()
        return self.filter(scope | Q(owner=user))

    def open(self) -> ImprovementActionQuerySet:
        return self.filter(status=ActionStatus.OPEN)


class SurveyTemplate(VersionedModel, TimeStampedModel):
    """A questionnaire for one purpose; the active default of a purpose is what is sent."""

    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=20, choices=SurveyPurpose.choices)
    is_default = models.BooleanField(
        _("default for its purpose"), default=False, help_text=_("The template sent for this purpose.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_zh_hans = models.TextField(_("introduction (Simplified Chinese)"), blank=True)
    intro_zh_hant = models.TextField(_("introduction (Traditional Chinese)"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["purpose", "name"]
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"], condition=Q(is_default=True), name="survey_template_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SurveyQuestion(models.Model):
    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40, help_text=_("Stable key of the question in answers."))
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SCORE
    )
    measure = models.CharField(
        _("measure"), max_length=20, choices=Measure.choices, default=Measure.SATISFACTION
    )
    required = models.BooleanField(_("required"), default=True)
    text_en = models.CharField(_("question (English)"), max_length=300)
    text_zh_hans = models.CharField(_("question (Simplified Chinese)"), max_length=300)
    text_zh_hant = models.CharField(_("question (Traditional Chinese)"), max_length=300)

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="survey_question_code")]

    def __str__(self) -> str:
        return self.text()

    def text(self, language: str | None = None) -> str:
        return localized(self.as_snapshot(), language)

    def as_snapshot(self) -> dict:
        """What a sent survey keeps of the question."""
        return {
            "code": self.code,
            "kind": self.kind,
            "measure": self.measure,
            "required": self.required,
            "text_en": self.text_en,
            "text_zh_hans": self.text_zh_hans,
            "text_zh_hant": self.text_zh_hant,
        }


def localized(snapshot: dict, language: str | None = None, prefix: str = "text") -> str:
    """The text of a question snapshot (or any ``<prefix>_<lang>`` dict) in ``language``."""
    lang = (language or get_language() or "zh-hans").lower()
    key = {"zh-hant": "zh_hant", "zh-hk": "zh_hant", "zh-tw": "zh_hant", "en": "en"}.get(lang, "zh_hans")
    if lang.startswith("en"):
        key = "en"
    return (
        snapshot.get(f"{prefix}_{key}")
        or snapshot.get(f"{prefix}_zh_hans")
        or snapshot.get(f"{prefix}_en")
        or ""
    )


class Survey(VersionedModel, TimeStampedModel):
    """One sending of a template about one opportunity (R-POST-1, R-POST-4) or, for the internal
    rating, to one colleague. The link's token is signed over ``pk`` and ``nonce``; a new nonce
    (revocation) kills every link sent before."""

    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="surveys"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=SurveyPurpose.choices, editable=False)
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    acceptance = models.ForeignKey(
        "bids.CustomerAcceptance",
        verbose_name=_("acceptance"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="surveys",
    )
    milestone_months = models.PositiveSmallIntegerField(
        _("months after acceptance"),
        null=True,
        blank=True,
        help_text=_("1, 3 or 6 (R-POST-1); empty otherwise."),
    )
    contact = models.ForeignKey(
        "leads.Contact",
        verbose_name=_("customer contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    respondent = models.ForeignKey(
        USER,
        verbose_name=_("internal respondent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For the internal rating: the colleague asked to rate."),
    )
    rated_user = models.ForeignKey(
        USER,
        verbose_name=_("rated engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rating_surveys",
        help_text=_("The presales engineer whose work is rated, fixed at sending."),
    )
    team = models.ForeignKey(
        "presales.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    questions = models.JSONField(_("questions as sent"), default=list, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.SENT, editable=False
    )
    nonce = models.CharField(_("link key"), max_length=32, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    channel = models.CharField(
        _("answered"), max_length=10, choices=AnswerChannel.choices, blank=True, editable=False
    )
    entered_by = models.ForeignKey(
        USER,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        USER,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    comment = models.TextField(_("comment"), blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at", "nonce"])

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [
            models.Index(fields=["rated_user", "answered_at"], name="survey_rated_answered"),
            models.Index(fields=["team", "answered_at"], name="survey_team_answered"),
            models.Index(fields=["status", "sent_at"], name="survey_status_sent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["acceptance", "milestone_months"],
                condition=Q(acceptance__isnull=False),
                name="survey_one_per_milestone",
            ),
            models.UniqueConstraint(
                fields=["opportunity", "purpose"],
                condition=Q(purpose__in=["presales_service", "internal"]),
                name="survey_one_service_rating",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.opportunity_id}"


class SurveyAnswer(models.Model):
    """One question's answer. ``measure``, ``rated_user``, ``team`` and ``answered_at`` are copied
    from the question and survey so that an indicator is one indexed aggregate."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="answers"
    )
    code = models.SlugField(_("question code"), max_length=40)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("answer"), blank=True)
    rated_user = models.ForeignKey(
        USER,
        verbose_name=_("rated engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    team = models.ForeignKey(
        "presales.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        ordering = ["survey", "id"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [
            models.Index(fields=["measure", "rated_user", "answered_at"], name="answer_measure_user"),
            models.Index(fields=["measure", "team", "answered_at"], name="answer_measure_team"),
            models.Index(fields=["measure", "answered_at"], name="answer_measure_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="survey_answer_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="survey_answer_score_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.score if self.score is not None else self.text[:40]}"


class ImprovementAction(VersionedModel, TimeStampedModel):
    """R-POST-3: opened by an answer of 2 or less, with an owner and a due date (a timer)."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="improvement_actions"
    )
    answer = models.ForeignKey(
        SurveyAnswer,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.ForeignKey(USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    description = models.TextField(_("what will be improved"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN, editable=False
    )
    resolution = models.TextField(_("resolution"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        USER,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ImprovementActionQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_on", "id"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="improvement_owner_open")]

    def __str__(self) -> str:
        return self.description[:60]
