"""The knowledge base (R-KB-1): articles of six kinds with tags, owners, review dates, visibility
(whole company or the owner's team) and versions (every save is a history row; ``version`` counts
them), attachments, and the requirement items of an industry needs template.

``search_vector`` holds the article's search keys (knowledge/tokens.py) and ``rank_vector`` those
of its title, summary and tags only (small, kept in the row: what the ranking reads), rewritten by
``Article.save()`` so that every writer (services, the admin, an import) keeps it in step; a
GIN index serves the search (knowledge/search.py; created by migration 0002 on PostgreSQL only,
so that ``make run`` keeps working on SQLite).

The reusable bid answers (kind ``bid_answer``) are the bids' defence answer library (R-BID-3):
the title is the question (one longer than a title is cut there, ending "…", and kept whole in
the summary), the body the answer; product and industry say where it fits. Published ones are
the library a bid's defence questions copy from (bids/biddocs)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from knowledge.choices import ArticleKind, ArticleStatus, CaseOutcome, Visibility
from knowledge.tokens import tsvector_literal
from leads.choices import Industry, SizeClass
from presales.core.models import TimeStampedModel, VersionedModel
from presales.core.roles import Actor, Scope, scope_of

USER = settings.AUTH_USER_MODEL
TITLE_MAX = 200
CUT = "…"


def bid_question_fields(question: str) -> dict[str, str]:
    """The title (and, for a question too long for a title, the summary) that hold a reusable
    bid answer's question."""
    if len(question) <= TITLE_MAX:
        return {"title": question}
    return {"title": question[: TITLE_MAX - len(CUT)] + CUT, "summary": question}


class ArticleQuerySet(models.QuerySet["Article"]):
    def visible_to(self, user: Actor) -> ArticleQuerySet:
        """R-KB-1 visibility: published company articles for every staff member, published team
        articles for the owner's team, drafts and archived ones for their owner and the team's
        managers; everything for all-scope roles (managers of the company, admins)."""
        scope = scope_of(user)
        if scope is None:
            return self.none()
        if scope == Scope.ALL:
            return self.all()
        teams = sorted(user.team_ids)
        published = Q(status=ArticleStatus.PUBLISHED) & (
            Q(visibility=Visibility.COMPANY) | Q(team_id__in=teams)
        )
        managed = Q(team__manager_id=user.pk)
        return self.filter(published | Q(owner_id=user.pk) | managed)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Article(VersionedModel, TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=ArticleKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"), blank=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    size_class = models.CharField(_("customer size"), max_length=10, choices=SizeClass.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=CaseOutcome.choices, blank=True)
    product = models.CharField(_("product"), max_length=200, blank=True)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where news or intelligence came from.")
    )
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        verbose_name=_("source opportunity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_articles",
    )
    customer_consent = models.BooleanField(
        _("customer consented to the case"),
        default=False,
        help_text=_("Needed before a case names its customer."),
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    owner = models.ForeignKey(USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        "presales.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.COMPANY
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT, editable=False
    )
    review_on = models.DateField(
        _("review on"), null=True, blank=True, help_text=_("When the owner checks it is still true.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    search_vector = SearchVectorField(_("search keys"), null=True, editable=False)
    rank_vector = SearchVectorField(_("ranking keys"), null=True, editable=False)
    history = HistoricalRecords(
        excluded_fields=["updated_at", "search_vector", "rank_vector"], m2m_fields=[tags]
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        indexes = [
            models.Index(fields=["kind", "status", "-updated_at"], name="kb_article_kind"),
            models.Index(fields=["industry", "kind"], name="kb_article_industry"),
            models.Index(fields=["owner", "review_on"], name="kb_article_review"),
            models.Index(fields=["-updated_at", "-id"], name="kb_article_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility="team") | Q(team__isnull=False), name="kb_team_article_has_team"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", args=[self.pk])

    @property
    def question_cut(self) -> bool:
        """A bid answer whose question was too long for the title: the summary holds it whole."""
        head = self.title[: -len(CUT)]
        return self.title.endswith(CUT) and len(self.summary) > len(head) and self.summary.startswith(head)

    @property
    def question(self) -> str:
        """A reusable bid answer's question (R-BID-3): its title, or the summary that holds it
        whole when the title had to cut it."""
        return self.summary if self.question_cut else self.title

    @property
    def answer(self) -> str:
        """A reusable bid answer's answer: its body."""
        return self.body

    def search_fields(self) -> list[tuple[str, str]]:
        tags = " ".join(self.tags.values_list("name", flat=True)) if self.pk else ""
        return [
            (self.title, "A"),
            (" ".join([self.summary, tags, self.product]), "B"),
            (self.body, "C"),
        ]

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.refresh_search()

    def refresh_search(self) -> None:
        """Rewrite the search keys from the saved text (after a save or a change of tags)."""
        if connection.vendor != "postgresql":
            return
        fields = self.search_fields()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE knowledge_article SET search_vector = %s::tsvector, rank_vector = %s::tsvector WHERE id = %s",
                [tsvector_literal(fields), tsvector_literal(fields[:2]), self.pk],
            )


class ArticleAttachment(TimeStampedModel):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="knowledge/%Y/%m/", max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class NeedsTemplateItem(models.Model):
    """One requirement of an industry needs template (行業客戶需求分析表): what a requirement list
    of that industry is pre-filled with."""

    article = models.ForeignKey(
        Article, verbose_name=_("template"), on_delete=models.CASCADE, related_name="needs_items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    category = models.CharField(_("category"), max_length=100, blank=True)
    description = models.TextField(_("requirement"))
    rigid = models.BooleanField(_("rigid need"), default=False)

    class Meta:
        ordering = ["article", "order", "id"]
        verbose_name = _("needs template item")
        verbose_name_plural = _("needs template items")

    def __str__(self) -> str:
        return self.description[:60]
