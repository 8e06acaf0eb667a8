from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleKind(models.TextChoices):
    """R-KB-1: the kinds of knowledge the presales teams keep."""

    INDUSTRY_NEWS = "industry_news", _("Industry news")
    PRODUCT = "product", _("Product knowledge")
    SOLUTION_CASE = "solution_case", _("Solution case")
    PROJECT_EXPERIENCE = "project_experience", _("Project experience")
    NEEDS_TEMPLATE = "needs_template", _("Industry needs template")
    BID_ANSWER = "bid_answer", _("Reusable bid answer")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Visibility(models.TextChoices):
    COMPANY = "company", _("Whole company")
    TEAM = "team", _("Owner's team")


class CaseOutcome(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    DELIVERED = "delivered", _("Delivered and accepted")
