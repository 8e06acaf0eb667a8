"""Roles are auth groups (one per role in PROCESS.md); each role has a visibility scope."""

from __future__ import annotations

from typing import Any, Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _


class Actor(Protocol):
    """What the core needs of a person: ``presales.accounts.models.User`` is one. The core
    types with this protocol, so it needs no import of the accounts package built on it."""

    pk: Any
    is_superuser: bool

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def roles(self) -> frozenset[str]: ...

    @property
    def team_ids(self) -> frozenset[int]: ...

    def has_role(self, *roles: str) -> bool: ...


class Role(models.TextChoices):
    """Group names are these stable codes; labels are translated."""

    PRESALES_ENGINEER = "presales_engineer", _("Presales engineer")
    PRESALES_MANAGER = "presales_manager", _("Presales manager")
    SALES_REP = "sales_rep", _("Sales rep")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    LEGAL = "legal", _("Legal")
    FINANCE = "finance", _("Finance")
    GENERAL_MANAGER = "general_manager", _("General manager")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    ADMIN = "admin", _("Admin")


class Scope(models.TextChoices):
    """How far a user's view reaches: their own work, their teams, or everything."""

    OWN = "own", _("Own records")
    TEAM = "team", _("Team")
    ALL = "all", _("All")


# Roles that review across the company see every record (contact details stay masked
# unless they are on the owning team or personally involved: R-CUST-6).
ROLE_SCOPE: dict[str, str] = {
    Role.PRESALES_ENGINEER: Scope.TEAM,
    Role.PRESALES_MANAGER: Scope.TEAM,
    Role.SALES_REP: Scope.TEAM,
    Role.SALES_MANAGER: Scope.TEAM,
    Role.DEPARTMENT_HEAD: Scope.TEAM,
    Role.LEGAL: Scope.ALL,
    Role.FINANCE: Scope.ALL,
    Role.GENERAL_MANAGER: Scope.ALL,
    Role.ADMIN: Scope.ALL,
}
_SCOPE_RANK: dict[str, int] = {Scope.OWN: 0, Scope.TEAM: 1, Scope.ALL: 2}

MANAGER_ROLES = frozenset({Role.PRESALES_MANAGER, Role.SALES_MANAGER, Role.GENERAL_MANAGER})
# Roles that may create and edit customers, leads and communication records.
WRITER_ROLES = frozenset(
    {Role.PRESALES_ENGINEER, Role.PRESALES_MANAGER, Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN}
)
# Who may own the technical side (R-CUST-5: the presales owner, the customer's primary and
# assistants) and who may own the commercial side (R-OPP-1: the opportunity's sales owner).
PRESALES_ROLES = frozenset({Role.PRESALES_ENGINEER, Role.PRESALES_MANAGER})
SALES_ROLES = frozenset({Role.SALES_REP, Role.SALES_MANAGER})


def scope_of(user: Actor) -> str | None:
    """The widest scope among the user's roles; None for a user with no role."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Scope.ALL
    scopes = [ROLE_SCOPE[r] for r in user.roles if r in ROLE_SCOPE]
    if not scopes:
        return None
    return max(scopes, key=_SCOPE_RANK.__getitem__)


def may_choose_any_team(user: Actor) -> bool:
    """All-scope roles (admin, general manager, legal, finance) file records under any team."""
    return scope_of(user) == Scope.ALL


def ensure_role_groups(**kwargs: Any) -> None:
    """Create the group of every role (idempotent; run after migrate)."""
    from django.contrib.auth.models import Group

    for role in Role:
        Group.objects.get_or_create(name=role.value)
