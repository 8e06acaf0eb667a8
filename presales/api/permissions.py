from rest_framework.permissions import BasePermission

from presales.core.roles import WRITER_ROLES, scope_of

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class HasRole(BasePermission):
    """Signed in and holding at least one role. Finer checks live in the services."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and scope_of(request.user))


class CanWriteRecords(HasRole):
    """Reads for any role; writes for the roles that create customers and leads."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or request.user.has_role(*WRITER_ROLES)
