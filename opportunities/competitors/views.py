"""Web pages of the competitor records (R-COMP-1): the list (search, win/loss counts), a
competitor's page (profile, products, intelligence, win/loss against them per quarter, the
opportunities they are in play on), the record's forms, the desk tab's actions and the
competitor picker. Thin views: every write calls opportunities/competitors/services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from opportunities.competitors import selectors, services
from opportunities.competitors.forms import (
    CompetitorForm,
    IntelForm,
    LinkAddForm,
    LinkForm,
    MergeForm,
    ProductForm,
)
from opportunities.models import Competitor, CompetitorProduct, Opportunity, OpportunityCompetitor
from presales.core.errors import DomainError
from presales.core.roles import MANAGER_ROLES, Role
from presales.core.search import search
from presales.web.autocomplete import AutocompleteView
from presales.web.views import (
    ObjectFormView,
    RoleRequiredMixin,
    ScopedQuerysetMixin,
    ServiceFormMixin,
    VersionedFormMixin,
    WriterRequiredMixin,
)

MANAGING_ROLES = frozenset({Role.ADMIN, *MANAGER_ROLES})
PAGE_SIZE = 25


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
        messages.error(request, text)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


class CompetitorListView(RoleRequiredMixin, ListView):
    """Every competitor (reference data), searchable by name, with the viewer's win/loss."""

    template_name = "opportunities/competitors/competitor_list.html"
    paginate_by = PAGE_SIZE
    context_object_name = "competitors"

    def get_queryset(self) -> QuerySet[Competitor]:
        queryset = selectors.competitors_with_counts(self.request.user)
        term = self.request.GET.get("q", "").strip()[:100]
        return search(queryset, term, ("name",)) if term else queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["q"] = self.request.GET.get("q", "").strip()[:100]
        context["can_manage"] = services.can_manage_competitors(self.request.user)
        return context


class CompetitorDetailView(RoleRequiredMixin, ScopedQuerysetMixin, DetailView):
    """A competitor's page: profile, products, intelligence timeline, win/loss against them
    per quarter and the open opportunities they are in play on (both scoped to the viewer)."""

    model = Competitor
    template_name = "opportunities/competitors/competitor_detail.html"
    context_object_name = "competitor"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        competitor = self.object
        manage = services.can_manage_competitors(user)
        context.update(
            products=list(competitor.products.all()),
            intel=selectors.intel_of(competitor),
            quarters=selectors.win_loss_by_quarter(user, competitor),
            in_play=selectors.opportunities_in_play(user, competitor),
            can_manage=manage,
            product_form=ProductForm(prefix="product") if manage else None,
            merge_form=MergeForm() if manage else None,
            intel_form=IntelForm(user=user) if services.can_add_intel(user) else None,
        )
        return context


class CompetitorCreateView(RoleRequiredMixin, ServiceFormMixin, FormView):
    required_roles = MANAGING_ROLES
    form_class = CompetitorForm
    template_name = "opportunities/competitors/competitor_form.html"
    success_message = gettext_lazy("The competitor was added.")

    def run_service(self, form: CompetitorForm) -> Competitor:
        return services.competitor_create(actor=self.request.user, data=form.cleaned_data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("New competitor"),
            submit_label=_("Create"),
            cancel_url=reverse("opportunities:competitors:list"),
        )
        return context


class CompetitorUpdateView(VersionedFormMixin, ObjectFormView):
    required_roles = MANAGING_ROLES
    model = Competitor
    form_class = CompetitorForm
    model_form = True
    title = gettext_lazy("Edit the competitor")
    success_message = gettext_lazy("The competitor was saved.")

    def can_change(self, obj: Competitor) -> bool:
        return services.can_manage_competitors(self.request.user)

    def run_service(self, form: CompetitorForm) -> Competitor:
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.competitor_update(
            actor=self.request.user,
            competitor=self.object,
            data=data,
            expected_version=self.expected_version(form),
        )


class CompetitorActionView(RoleRequiredMixin, View):
    """POST /opportunities/competitors/<pk>/<action>/: product add/remove, intel, merge."""

    http_method_names = ["post"]
    actions = ("product-add", "product-remove", "intel", "merge")

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.actions:
            raise Http404
        competitor = get_object_or_404(Competitor.objects.visible_to(request.user), pk=pk)
        try:
            done = self.run(request, action, competitor)
        except DomainError as exc:
            _refused(request, exc)
            done = None
        if done:
            messages.success(request, done)
        return HttpResponseRedirect(competitor.get_absolute_url())

    def run(self, request: HttpRequest, action: str, competitor: Competitor) -> str | None:
        actor = request.user
        if action == "product-add":
            form: Any = ProductForm(request.POST, prefix="product")
            if not form.is_valid():
                _form_errors(request, form)
                return None
            services.competitor_product_save(actor=actor, competitor=competitor, data=form.cleaned_data)
            return _("The product was added.")
        if action == "product-remove":
            product = get_object_or_404(
                CompetitorProduct, pk=request.POST.get("product") or 0, competitor=competitor
            )
            services.competitor_product_remove(actor=actor, product=product)
            return _("The product was removed.")
        if action == "intel":
            form = IntelForm(request.POST, user=actor)
            if not form.is_valid():
                _form_errors(request, form)
                return None
            services.intel_add(actor=actor, competitor=competitor, **form.cleaned_data)
            return _("The intelligence was recorded.")
        form = MergeForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return None
        services.competitor_merge(actor=actor, keep=competitor, duplicate=form.cleaned_data["duplicate"])
        return _("The duplicate was merged into this competitor.")


class OpportunityCompetitorActionView(WriterRequiredMixin, View):
    """POST /opportunities/<id>/competitors/<action>/ (the desk tab's forms): add, update,
    remove a competitor in play. Another team's opportunity is 404."""

    http_method_names = ["post"]
    actions = ("add", "update", "remove")

    def post(self, request: HttpRequest, opportunity_pk: int, action: str) -> HttpResponse:
        if action not in self.actions:
            raise Http404
        opportunity = get_object_or_404(Opportunity.objects.visible_to(request.user), pk=opportunity_pk)
        try:
            done = self.run(request, action, opportunity)
        except DomainError as exc:
            _refused(request, exc)
            done = None
        if done:
            messages.success(request, done)
        return HttpResponseRedirect(opportunity.get_absolute_url() + "#competitors")

    def run(self, request: HttpRequest, action: str, opportunity: Opportunity) -> str | None:
        actor = request.user
        if action == "add":
            form: Any = LinkAddForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return None
            data = dict(form.cleaned_data)
            competitor, name = data.pop("competitor"), data.pop("name")
            services.opportunity_competitor_add(
                actor=actor, opportunity=opportunity, competitor=competitor, name=name, data=data
            )
            return _("The competitor was added.")
        link = get_object_or_404(
            OpportunityCompetitor, pk=request.POST.get("link") or 0, opportunity=opportunity
        )
        if action == "remove":
            services.opportunity_competitor_remove(actor=actor, link=link)
            return _("The competitor was removed.")
        form = LinkForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return None
        data = dict(form.cleaned_data)
        version = data.pop("version")
        services.opportunity_competitor_update(actor=actor, link=link, data=data, expected_version=version)
        return _("The competitor was saved.")


class CompetitorAutocompleteView(AutocompleteView):
    """The competitor picker: every record (reference data), by name."""

    def get_queryset(self) -> QuerySet[Competitor]:
        return Competitor.objects.visible_to(self.request.user).order_by("name", "pk")

    def search(self, queryset: QuerySet[Competitor], term: str) -> QuerySet[Competitor]:
        return search(queryset, term, ("name",))
