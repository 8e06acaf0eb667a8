"""Base class-based views for the web UI: role check, scoping, filtering, tables, htmx.

Concrete views only declare ``model``/``queryset``, ``filterset_class``, ``table_class``,
``form_class`` and the service to call; they never filter by user themselves.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, View
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from presales.core.errors import DomainError
from presales.core.roles import WRITER_ROLES, scope_of
from presales.core.windows import BadCursor
from presales.web.forms import (
    add_form_message,
    add_version_field,
    apply_domain_error,
    bootstrap,
    stale_message,
)
from presales.web.paging import CappedPaginator


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

    # django-tables2 paginates; Django's own ``paginate_by`` would count again. The count
    # is capped (issue 9): "more than 1,000" rather than a count of every visible row.
    paginate_by = None
    paginator_class = CappedPaginator
    table_pagination = {"per_page": 25}


class TimelineWindowView(RoleRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, View):
    """The next window of a detail page's timeline, for its "show older" link (htmx swaps
    it in place of the link; issue 9): the record must be visible (else 404); ``?before=``
    is the cursor the previous window gave (anything else is a 400)."""

    template_name = ""

    def window_context(self, obj, before: str | None) -> dict:
        raise NotImplementedError("Timeline views say which window they render.")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            context = self.window_context(self.object, request.GET.get("before") or None)
        except BadCursor:
            return HttpResponseBadRequest(str(gettext_lazy("This link to older entries is not valid.")))
        return render(request, self.template_name, {"object": self.object, **context})


class ServiceFormMixin:
    """Form views whose ``form_valid`` calls a service; a DomainError becomes form errors
    (field messages on their fields, the rest on top) and nothing is saved."""

    def run_service(self, form):
        raise NotImplementedError("Form views declare the service they call.")

    def form_valid(self, form):
        try:
            result = self.run_service(form)
        except DomainError as exc:
            return self.service_refused(form, exc)
        if getattr(self, "success_message", None):
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url_for(result))

    def service_refused(self, form, exc: DomainError):
        apply_domain_error(form, exc)
        return self.form_invalid(form)

    def get_success_url_for(self, result) -> str:
        return result.get_absolute_url()


class VersionedFormMixin:
    """The edit form of a versioned record (issue 8): a hidden ``version`` carries the
    version the form was built from; ``run_service`` passes ``self.expected_version(form)``
    to the update service. A save refused as stale (someone saved in between) shows the
    form again with the record's current values and a non-field error naming who changed
    what, and when: nothing is overwritten and the user decides again. Put it before the
    base view (``ObjectFormView`` or an ``UpdateView`` with ``ServiceFormMixin``)."""

    def get_form(self, form_class=None):
        return add_version_field(super().get_form(form_class), self.object)

    def expected_version(self, form) -> int | None:
        return form.cleaned_data.get("version")

    def service_refused(self, form, exc: DomainError):
        if exc.code != "stale":
            return super().service_refused(form, exc)
        # The current record, as a fresh form: the user's input was built on an old read.
        self.object = self.load_object() if hasattr(self, "load_object") else self.get_object()
        kwargs = self.get_form_kwargs()
        kwargs.pop("data", None)
        kwargs.pop("files", None)
        fresh = add_version_field(self.get_form_class()(**kwargs), self.object)
        add_form_message(fresh, stale_message(exc, fresh, type(self.object)))
        return self.form_invalid(fresh)


class FilterFormMixin:
    """The FilterSet bound to the query string even when it is empty (as the API binds it),
    so a FilterSet's ``qs`` may always read ``form.cleaned_data``; Bootstrap classes on its form."""

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        bootstrap(filterset.form)
        return filterset


class ListPageMixin(FilterFormMixin):
    """A list page offers the "new" button to writers only."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_write"] = self.request.user.has_role(*WRITER_ROLES)
        return context


class CreatePageMixin:
    """Title, button and cancel link of a "new record" form page."""

    title = ""
    submit_label = gettext_lazy("Create")
    cancel_url_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title, submit_label=self.submit_label, cancel_url=reverse(self.cancel_url_name)
        )
        return context


class ObjectFormView(WriterRequiredMixin, ScopedQuerysetMixin, ServiceFormMixin, SingleObjectMixin, FormView):
    """A form about one visible object (edit, lifecycle move, merge, child record). Writers
    only (403); out of scope 404; a user who sees the object but may not change it
    (``can_change``) gets 403 too (the service checks again)."""

    template_name = "presales/object_form.html"
    title = ""
    submit_label = gettext_lazy("Save")
    model_form = False

    def can_change(self, obj) -> bool:
        raise NotImplementedError("Object form views declare who may change the object.")

    def load_object(self):
        obj = self.get_object()
        if not self.can_change(obj):
            raise PermissionDenied
        return obj

    def get(self, request, *args, **kwargs):
        self.object = self.load_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.load_object()
        return super().post(request, *args, **kwargs)

    def form_kwargs(self) -> dict:
        return {}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.model_form:
            kwargs["instance"] = self.object
        kwargs.update(self.form_kwargs())
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.title)
        context.setdefault("submit_label", self.submit_label)
        context.setdefault("cancel_url", self.object.get_absolute_url())
        return context
