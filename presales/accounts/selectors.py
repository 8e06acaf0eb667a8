"""Reads of people: who may be offered as an owner (the pickers of forms and serializers)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from presales.accounts.models import User
from presales.core.roles import PRESALES_ROLES, SALES_ROLES, WRITER_ROLES


def people_with_roles(roles: Iterable[str]) -> QuerySet[User]:
    """Active users holding one of ``roles``, in display order."""
    return (
        User.objects.filter(is_active=True, groups__name__in=list(roles))
        .distinct()
        .order_by("display_name", "username")
    )


def writers() -> QuerySet[User]:
    """Who may own customers and leads (the roles that write them)."""
    return people_with_roles(WRITER_ROLES)


def presales_people() -> QuerySet[User]:
    """Presales engineers and managers: the only presales owners (R-CUST-5)."""
    return people_with_roles(PRESALES_ROLES)


def sales_people() -> QuerySet[User]:
    """Sales reps and managers: the only sales owners of an opportunity (R-OPP-1)."""
    return people_with_roles(SALES_ROLES)
