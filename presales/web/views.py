"""Base class-based views for the web UI: role check, scoping, filtering, tables, htmx.

Concrete views only declare ``model``/``queryset``, ``filterset_class``, ``table_class``,
``form_class`` and the service to call; they never filter by user themselves.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from presales.core.errors import DomainError
from presales.core.roles import WRITER_ROLES, scope_of


class RoleRequiredMixin(LoginRequiredMixin):
    """Signed in and holding a role; ``required_roles`` narrows it further (writes)."""

    required_roles: frozenset[str] | None = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if scope_of(request.user) is None:
                raise PermissionDenied
            if self.required_roles and not request.user.has_role(*self.required_roles):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class WriterRequiredMixin(RoleRequiredMixin):
    required_roles = WRITER_ROLES


class ScopedQuerysetMixin:
    """The one place web querysets are restricted: ``visible_to(user)``; out of scope is 404."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class HtmxTemplateMixin:
    """Render ``partial_template_name`` for htmx requests (e.g. the table of a list page)."""

    partial_template_name: str | None = None

    def get_template_names(self):
        htmx = getattr(self.request, "htmx", None)
        if self.partial_template_name and htmx and not htmx.boosted:
            return [self.partial_template_name]
        return super().get_template_names()


class ScopedListView(RoleRequiredMixin, ScopedQuerysetMixin, HtmxTemplateMixin, SingleTableMixin, FilterView):
    """List page: scoped queryset, one FilterSet (shared with the API), sortable table."""

    # django-tables2 paginates (one COUNT); Django's own ``paginate_by`` would count again.
    paginate_by = None
    table_pagination = {"per_page": 25}


class ServiceFormMixin:
    """Form views whose ``form_valid`` calls a service; a DomainError becomes form errors
    (field messages on their fields, the rest on top) and nothing is saved."""

    def run_service(self, form):
        raise NotImplementedError("Form views declare the service they call.")

    def form_valid(self, form):
        try:
            result = self.run_service(form)
        except DomainError as exc:
            for name, msgs in exc.fields.items():
                for msg in msgs:
                    form.add_error(name if name in form.fields else None, msg)
            if not exc.fields:
                form.add_error(None, exc.message)
            for reason in exc.reasons:
                form.add_error(None, reason)
            return self.form_invalid(form)
        if getattr(self, "success_message", None):
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url_for(result))

    def get_success_url_for(self, result) -> str:
        return result.get_absolute_url()
