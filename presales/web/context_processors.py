from django.utils.functional import SimpleLazyObject

from presales.core.navigation import nav_for
from presales.core.roles import scope_of


def navigation(request) -> dict:
    """The navigation entries and role flags every page needs (built lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_has_role": scope_of(user) is not None,
        "nav_items": SimpleLazyObject(lambda: nav_for(request)),
    }
