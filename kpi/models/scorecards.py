"""Scorecards (R-KPI-2): the appraisal form (绩效考核评分表) of one person for one period.

A ``ScorecardTemplate`` (configured by an admin) lists its items for an audience and a kind of
period: key indicators (一、个人关键指标达成情况, by default 80 %: an indicator key, a weight and
the target that scores 100) and items rated by the manager (二、个人工作表现, by default 20 %;
annual templates add ability 能力素質 and development 職業發展). Weights total 100.

A ``Scorecard`` copies its template's items at creation (``items``: later edits of the template
do not change it) and the person's team, department and position (the form's header). While
it is open its key indicators are computed live; when the manager signs it off, ``snapshot``
keeps every figure, definition, target, score, weight and total, and nothing changes it again.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.roles import Role, Scope, scope_of

USER = settings.AUTH_USER_MODEL


class ScorecardPeriodKind(models.TextChoices):
    """The kinds of ``kpi.periods.Period`` (the models layer does not import the periods)."""

    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class ScorecardAudience(models.TextChoices):
    PRESALES_ENGINEER = "presales_engineer", _("Presales engineer")
    PRESALES_MANAGER = "presales_manager", _("Presales manager")
    SALES_REP = "sales_rep", _("Sales rep")


class ItemSection(models.TextChoices):
    KEY_INDICATORS = "key_indicators", _("Key indicators")
    WORK_PERFORMANCE = "work_performance", _("Work performance")
    ABILITY = "ability", _("Ability")
    DEVELOPMENT = "development", _("Development")


class RatingScale(models.TextChoices):
    SCORE5 = "score5", _("1 to 5")
    SCORE100 = "score100", _("0 to 100")


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RATED = "rated", _("Rated")
    SHARED = "shared", _("Shared with the person")
    SIGNED = "signed", _("Signed off")


class ScorecardTemplate(VersionedModel, TimeStampedModel):
    """The items of a scorecard for an audience and a kind of period; weights total 100."""

    name = models.CharField(_("name"), max_length=200)
    audience = models.CharField(_("audience"), max_length=20, choices=ScorecardAudience.choices)
    period_kind = models.CharField(_("period"), max_length=10, choices=ScorecardPeriodKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["audience", "period_kind", "name"]
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "period_kind", "name"],
                name="scorecard_template_unique_name",
                violation_error_message=_("A template of this name exists for this audience and period."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScorecardTemplateItem(models.Model):
    """One line of a template: a key indicator (``indicator_key``, ``target``) or an item the
    manager rates (``scale``)."""

    template = models.ForeignKey(
        ScorecardTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    section = models.CharField(_("section"), max_length=20, choices=ItemSection.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=200)
    description = models.CharField(_("what is rated"), max_length=500, blank=True)
    indicator_key = models.CharField(_("indicator"), max_length=40, blank=True)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    target = models.DecimalField(
        _("target (scores 100)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    scale = models.CharField(
        _("rating scale"), max_length=10, choices=RatingScale.choices, default=RatingScale.SCORE5
    )

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = _("scorecard template item")
        verbose_name_plural = _("scorecard template items")
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="scorecard_item_code"),
            models.CheckConstraint(
                condition=~Q(section="key_indicators") | ~Q(indicator_key=""),
                name="scorecard_key_item_has_indicator",
                violation_error_message=_("A key indicator item names its indicator."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def as_snapshot(self) -> dict:
        return {
            "code": self.code,
            "section": self.section,
            "label": self.label,
            "description": self.description,
            "indicator_key": self.indicator_key,
            "weight": str(self.weight),
            "target": None if self.target is None else str(self.target),
            "scale": self.scale,
        }


# Roles that appraise their teams (besides a team's own manager) and roles that see every card.
APPRAISER_ROLES = frozenset({Role.PRESALES_MANAGER, Role.SALES_MANAGER, Role.DEPARTMENT_HEAD})
ALL_ROLES = frozenset({Role.GENERAL_MANAGER, Role.ADMIN})
SEEN_BY_PERSON = ("shared", "signed")


def appraised_team_ids(user) -> frozenset[int] | None:
    """The teams whose scorecards ``user`` makes and reads: None for all of them (general
    manager, admin), else the teams they manage and, for a manager role, their own."""
    if not getattr(user, "is_authenticated", False) or scope_of(user) is None:
        return frozenset()
    if user.is_superuser or user.roles & ALL_ROLES:
        return None
    ids = set(user.managed_teams.values_list("pk", flat=True))
    if user.roles & APPRAISER_ROLES and scope_of(user) == Scope.TEAM and user.team_id:
        ids.add(user.team_id)
    return frozenset(ids)


def scorecard_visibility_q(user) -> Q:
    teams = appraised_team_ids(user)
    if teams is None:
        return Q()
    if not getattr(user, "is_authenticated", False) or scope_of(user) is None:
        return Q(pk__in=[])
    own = Q(person_id=user.pk, status__in=SEEN_BY_PERSON)
    if not teams:
        return own
    return own | (Q(team_id__in=sorted(teams)) & ~Q(person_id=user.pk))


class ScorecardQuerySet(models.QuerySet["Scorecard"]):
    def visible_to(self, user) -> ScorecardQuerySet:
        """R-KPI-2: the person sees their own once shared; the manager of the team the card was
        made in (or a manager role over it) sees the team's; the general manager and admins
        all; anyone else nothing (404)."""
        return self.filter(scorecard_visibility_q(user))


class Scorecard(VersionedModel, TimeStampedModel):
    """One person's appraisal for one period (R-KPI-2). The header (team, department,
    position, name) is copied at creation; ``snapshot`` is written once, at sign-off."""

    template = models.ForeignKey(
        ScorecardTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="scorecards"
    )
    person = models.ForeignKey(
        USER, verbose_name=_("person"), on_delete=models.PROTECT, related_name="scorecards"
    )
    period = models.CharField(_("appraisal period"), max_length=7, help_text=_("2026-11, 2026-Q4 or 2026."))
    period_kind = models.CharField(
        _("kind of period"), max_length=10, choices=ScorecardPeriodKind.choices, editable=False
    )
    team = models.ForeignKey(
        "presales.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    department = models.CharField(_("department"), max_length=100, blank=True, editable=False)
    position = models.CharField(_("position"), max_length=100, blank=True, editable=False)
    person_name = models.CharField(_("name"), max_length=150, editable=False)
    items = models.JSONField(_("items as created"), default=list, editable=False)
    ratings = models.JSONField(_("ratings"), default=dict, blank=True, editable=False)
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ScorecardStatus.choices,
        default=ScorecardStatus.DRAFT,
        editable=False,
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    shared_at = models.DateTimeField(_("shared at"), null=True, blank=True, editable=False)
    signed_at = models.DateTimeField(_("signed off at"), null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        USER,
        verbose_name=_("signed off by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    total_score = models.DecimalField(
        _("total score"), max_digits=6, decimal_places=2, null=True, blank=True, editable=False
    )
    snapshot = models.JSONField(_("figures at sign-off"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "person_name", "id"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        indexes = [
            models.Index(fields=["person", "period"], name="scorecard_person_period"),
            models.Index(fields=["team", "period"], name="scorecard_team_period"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "template", "period"],
                name="scorecard_once_per_period",
                violation_error_message=_("This person already has this scorecard for this period."),
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | (Q(snapshot__isnull=False) & Q(signed_at__isnull=False)),
                name="scorecard_signed_has_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} · {self.period}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("kpi:scorecards:detail", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.status == ScorecardStatus.SIGNED


class ScorecardComment(models.Model):
    """A comment on a scorecard by the person or the manager (R-KPI-2: the engineer sees it
    and answers before sign-off)."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["scorecard", "created_at", "id"]
        verbose_name = _("scorecard comment")
        verbose_name_plural = _("scorecard comments")

    def __str__(self) -> str:
        return self.body[:60]
