"""Who sees the analytics (R-KPI-3): the managers (their teams' figures, through the records'
visibility), the general manager and admins (everything). Engineers and reps do not."""

from __future__ import annotations

from typing import Any

from presales.core.roles import Role, scope_of

ANALYTICS_ROLES = frozenset({Role.PRESALES_MANAGER, Role.SALES_MANAGER, Role.GENERAL_MANAGER, Role.ADMIN})
OVERVIEW_ROLES = frozenset({Role.GENERAL_MANAGER, Role.ADMIN})


def may_see_analytics(user: Any) -> bool:
    if not user.is_authenticated or scope_of(user) is None:
        return False
    return bool(user.is_superuser or user.has_role(*ANALYTICS_ROLES))


def may_see_overview(user: Any) -> bool:
    if not user.is_authenticated or scope_of(user) is None:
        return False
    return bool(user.is_superuser or user.has_role(*OVERVIEW_ROLES))
