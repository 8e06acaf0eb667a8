from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
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

    def check_password(self, raw_password) -> bool:
        """Django re-hashes a right password when its hasher's settings change (a Django
        upgrade): the hash changes, the password does not, so the API tokens stay valid."""
        old_hash = self.password
        ok = super().check_password(raw_password)
        if ok and self.password != old_hash:
            ApiToken.objects.filter(user=self, password_fingerprint=password_fingerprint(old_hash)).update(
                password_fingerprint=password_fingerprint(self.password)
            )
        return ok

    async def acheck_password(self, raw_password) -> bool:
        old_hash = self.password
        ok = await super().acheck_password(raw_password)
        if ok and self.password != old_hash:
            await ApiToken.objects.filter(
                user=self, password_fingerprint=password_fingerprint(old_hash)
            ).aupdate(password_fingerprint=password_fingerprint(self.password))
        return ok

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


def password_fingerprint(password_hash: str) -> str:
    """A keyed digest of a user's password hash: changes whenever the password is set."""
    return salted_hmac("presales.accounts.ApiToken", password_hash or "", algorithm="sha256").hexdigest()


def hash_token(raw: str) -> str:
    """SHA-256 of the whole token. Tokens carry 190 random bits, so a fast hash is enough
    (nothing to brute-force), and it does not depend on SECRET_KEY (rotating the key keeps
    the tokens)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    PASSWORD_CHANGED = "password_changed", _("Invalid: password changed")


class ApiToken(models.Model):
    """A named API credential of one user (a sales tool). Only a hash of the secret is kept;
    ``prefix`` (the token's first characters) finds the row. A token works until it expires,
    is revoked, or its user's password changes (``password_fingerprint`` no longer matches)."""

    PREFIX_LENGTH = 12
    # last_used_at is written at most once per interval: not a write per request.
    TOUCH_INTERVAL = timedelta(minutes=1)

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, db_index=True, editable=False)
    secret_hash = models.CharField(_("secret hash"), max_length=64, editable=False)
    password_fingerprint = models.CharField(_("password fingerprint"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def status(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return ApiTokenStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return ApiTokenStatus.EXPIRED
        if self.password_fingerprint != password_fingerprint(self.user.password):
            return ApiTokenStatus.PASSWORD_CHANGED
        return ApiTokenStatus.ACTIVE

    def get_status_display(self) -> str:
        return ApiTokenStatus(self.status()).label
