from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from presales.core.roles import MANAGER_ROLES, Role


class Department(models.TextChoices):
    PRESALES = "presales", _("Presales")
    SALES = "sales", _("Sales")
    RD = "rd", _("R&D")
    AFTER_SALES = "after_sales", _("After-sales")
    PRODUCT = "product", _("Product")
    DELIVERY = "delivery", _("Delivery")
    LEGAL = "legal", _("Legal")
    FINANCE = "finance", _("Finance")
    MANAGEMENT = "management", _("Management")


class Team(models.Model):
    """A team (department or regional group): members, and one manager who sees its records."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    department = models.CharField(
        _("department"), max_length=20, choices=Department.choices, default=Department.PRESALES
    )
    manager = models.ForeignKey(
        "presales.User",
        verbose_name=_("manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_teams",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Roles are groups; ``team`` is the home team; language per user."""

    class Language(models.TextChoices):
        ZH_HANS = "zh-hans", "简体中文"
        ZH_HANT = "zh-hant", "繁體中文"
        EN = "en", "English"

    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        """Role codes of this user (group names that are roles). Cached per instance."""
        return frozenset(self.groups.filter(name__in=Role.values).values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))

    @property
    def is_manager(self) -> bool:
        return bool(self.roles & MANAGER_ROLES)

    @cached_property
    def team_ids(self) -> frozenset[int]:
        """Teams whose records this user sees with team scope: home team plus managed teams."""
        ids = set(self.managed_teams.values_list("pk", flat=True))
        if self.team_id:
            ids.add(self.team_id)
        return frozenset(ids)

    def manages(self, team_id: int | None) -> bool:
        return team_id is not None and team_id in set(self.managed_teams.values_list("pk", flat=True))
