"""Web pages of the opportunity lifecycle: the pipeline board, the list, the detail page,
the forms, and the move and initiation actions. Every write calls a service of
opportunities/services.py (the same ones the API calls); querysets are scoped in the base views.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, TemplateView, UpdateView
from django.views.generic.detail import SingleObjectMixin

from leads.forms import QualifyForm
from leads.models import Lead
from leads.views import LeadMoveView
from opportunities.desk import desk_tabs
from opportunities.desk_sections import opportunity_histories
from opportunities.filtersets import OpportunityFilterSet
from opportunities.forms import (
    InitiationForm,
    MoveForm,
    OpportunityForm,
    ProposedTeamFormSet,
    WithdrawForm,
    team_rows,
)
from opportunities.models import Opportunity, ProjectInitiation
from opportunities.permissions import can_work_opportunity
from opportunities.selectors import (
    BOARD_STAGES,
    CARDS_PER_COLUMN,
    board_column_window,
    initiation_reviews,
    initiation_status_history,
    parse_card_position,
    pipeline_board,
    stage_path,
)
from opportunities.services import (
    initiation_save,
    initiation_submit,
    initiation_withdraw,
    opportunity_create,
    opportunity_move,
    opportunity_qualify_lead,
    opportunity_update,
)
from opportunities.tables import OpportunityTable
from opportunities.transitions import INITIATION_MACHINE, MACHINE
from presales.core.audit import history_page
from presales.core.errors import DomainError
from presales.core.roles import WRITER_ROLES
from presales.core.windows import more_url, parse_time
from presales.web.forms import (
    add_form_message,
    add_version_field,
    apply_domain_error,
    stale_message,
    without_version,
)
from presales.web.views import (
    HtmxTemplateMixin,
    RoleRequiredMixin,
    ScopedListView,
    ScopedQuerysetMixin,
    ServiceFormMixin,
    TimelineWindowView,
    VersionedFormMixin,
    WriterRequiredMixin,
)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _board_context(request, params: QueryDict) -> dict:
    filterset = OpportunityFilterSet(
        params or None, queryset=Opportunity.objects.visible_to(request.user), request=request
    )
    return {
        "filter": filterset,
        "columns": pipeline_board(filterset.qs, request.user),
        "board_query": params.urlencode(),
        "can_create": request.user.has_role(*WRITER_ROLES),
    }


class BoardView(RoleRequiredMixin, HtmxTemplateMixin, TemplateView):
    """The pipeline as a kanban by stage (R-OPP-3): counts and totals per column, filters
    shared with the list and the API, each card with its moves and the reasons they are blocked."""

    template_name = "opportunities/opportunity_board.html"
    partial_template_name = "opportunities/partials/board.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_board_context(self.request, self.request.GET)}


class BoardColumnView(RoleRequiredMixin, TemplateView):
    """The next window of one board column (issue 9, "load more" with htmx): the cards after
    ``?after=`` (the last card shown) under the board's own filters, and the button for the
    window after it. The cards carry their move menus and drag data like the board's."""

    template_name = "opportunities/partials/board_cards.html"
    # The board's filters travel with the button; these are the window's own parameters.
    WINDOW_PARAMS = ("after", "size", "stage")

    def get(self, request, *args, **kwargs):
        stage = kwargs["stage"]
        if stage not in BOARD_STAGES:
            raise Http404
        after = parse_card_position(request.GET.get("after", ""))
        size = request.GET.get("size", str(CARDS_PER_COLUMN))
        if after is None or not size.isdigit():
            return HttpResponseBadRequest(_("This is not a position on the board."))
        params = request.GET.copy()
        for name in self.WINDOW_PARAMS:
            params.pop(name, None)
        filterset = OpportunityFilterSet(
            params or None, queryset=Opportunity.objects.visible_to(request.user), request=request
        )
        window = board_column_window(filterset.qs, request.user, stage=stage, after=after, size=int(size))
        context = {"stage": stage, "window": window, "board_query": params.urlencode(), "size": size}
        return self.render_to_response(context)


class OpportunityListView(ScopedListView):
    """The pipeline as a sortable table, with the board's filters."""

    queryset = Opportunity.objects.select_related("customer", "team", "sales_owner", "presales_owner")
    filterset_class = OpportunityFilterSet
    table_class = OpportunityTable
    template_name = "opportunities/opportunity_list.html"
    partial_template_name = "opportunities/partials/opportunity_table.html"


class OpportunityHistoryView(TimelineWindowView):
    """The next window of the opportunity's audit trail (issue 9)."""

    model = Opportunity
    template_name = "includes/history_items.html"

    def get_queryset(self):
        return super().get_queryset().select_related("initiation")

    def window_context(self, obj, before):
        page = history_page(*opportunity_histories(obj, obj.initiation_or_none), before=parse_time(before))
        url = reverse("opportunities:history", args=[obj.pk])
        return {"entries": page.entries, "more_url": more_url(url, page.older)}


class OpportunityDetailView(RoleRequiredMixin, ScopedQuerysetMixin, DetailView):
    """The engineer's desk (issue 10, R-OPP-3): a header with the facts, the stage path and
    the next moves (each blocked one with its gate's reasons), then tabs: the overview
    (facts, the initiation request and its reviews, the project team), every section the
    apps register (``opportunities.desk``: needs, solutions, demos, ...), the reviews of
    every subject of the opportunity, its timers and its history."""

    queryset = Opportunity.objects.for_cards()
    template_name = "opportunities/opportunity_detail.html"
    context_object_name = "opportunity"

    def get_queryset(self):
        return super().get_queryset().select_related("lead")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opportunity = self.object
        user = self.request.user
        initiation = opportunity.initiation_or_none
        can_work = can_work_opportunity(user, opportunity)
        initiation_options = []
        if initiation is not None:
            initiation_options = [
                o
                for o in (INITIATION_MACHINE.options(initiation, user) if can_work else [])
                if o.move.name in ("submit", "withdraw")
            ]
        context.update(
            {
                "can_work": can_work,
                "options": MACHINE.options(opportunity, user) if can_work else [],
                "stage_path": stage_path(opportunity),
                "initiation": initiation,
                "initiation_options": initiation_options,
                "proposed_members": initiation.proposed_members.select_related("user") if initiation else [],
                "reviews": initiation_reviews(initiation) if initiation else [],
                "initiation_changes": initiation_status_history(initiation) if initiation else [],
                "members": opportunity.members.all(),
                "lead_visible": opportunity.lead_id is not None
                and Lead.objects.visible_to(user).filter(pk=opportunity.lead_id).exists(),
                "withdraw_form": WithdrawForm(),
                "tabs": desk_tabs(self.request, opportunity),
            }
        )
        return context


class OpportunityCreateView(WriterRequiredMixin, ServiceFormMixin, FormView):
    """Open an opportunity directly on a customer (R-OPP-1)."""

    form_class = OpportunityForm
    template_name = "opportunities/opportunity_form.html"
    success_message = gettext_lazy("The opportunity was created.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("customer", "").isdigit():
            initial["customer"] = self.request.GET["customer"]
        return initial

    def run_service(self, form):
        return opportunity_create(actor=self.request.user, data=form.service_data())


class OpportunityUpdateView(
    VersionedFormMixin, WriterRequiredMixin, ScopedQuerysetMixin, ServiceFormMixin, UpdateView
):
    """Edit an open opportunity's facts; the stage is not on this form (R-OPP-3)."""

    model = Opportunity
    form_class = OpportunityForm
    template_name = "opportunities/opportunity_form.html"
    success_message = gettext_lazy("The opportunity was saved.")

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not can_work_opportunity(self.request.user, obj):
            raise PermissionDenied
        return obj

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def run_service(self, form):
        return opportunity_update(
            actor=self.request.user,
            opportunity=self.object,
            data=form.service_data(),
            expected_version=self.expected_version(form),
        )


class OpportunityMoveView(RoleRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, TemplateView):
    """One lifecycle move: GET shows its form and what blocks it now; POST calls the move
    service. A card dropped on the board posts here too (htmx) and gets the board back,
    with the gate's reasons when the move is refused."""

    model = Opportunity
    template_name = "opportunities/opportunity_move.html"
    context_object_name = "opportunity"

    def dispatch(self, request, *args, **kwargs):
        self.move = MACHINE.moves.get(kwargs["move"])
        if self.move is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        option = next(
            (o for o in MACHINE.options(self.object, self.request.user) if o.move == self.move), None
        )
        context.update(
            {
                "move": self.move,
                "option": option,
                "form": kwargs.get("form") or MoveForm(move=self.move),
                "next": _safe_next(self.request, self.object.get_absolute_url()),
            }
        )
        return context

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        on_board = bool(request.htmx) and request.POST.get("board") == "1"
        form = MoveForm(request.POST, move=self.move)
        errors: list[str] = []
        status = 200
        if form.is_valid():
            try:
                opportunity_move(
                    actor=request.user, opportunity=self.object, move=self.move.name, **form.service_kwargs()
                )
            except DomainError as exc:
                errors = exc.reasons or [exc.message, *[m for msgs in exc.fields.values() for m in msgs]]
                status = exc.status_code
        else:
            errors = [e for msgs in form.errors.values() for e in msgs]
            status = 400
        success = _("%(title)s moved to %(stage)s.") % {
            "title": self.object.title,
            "stage": self.move.target.label,
        }
        if on_board:
            context = _board_context(request, QueryDict(request.POST.get("filters", "")))
            context["notice"] = (
                {"level": "danger", "message": _("The move was refused."), "reasons": errors}
                if errors
                else {"level": "success", "message": success, "reasons": []}
            )
            if errors and self.move.needs_input:
                context["notice"]["form_url"] = reverse(
                    "opportunities:move", args=[self.object.pk, self.move.name]
                )
            return render(request, "opportunities/partials/board.html", context)
        if errors:
            for error in errors:
                form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form), status=status)
        messages.success(request, success)
        return HttpResponseRedirect(_safe_next(request, self.object.get_absolute_url()))


class InitiationView(WriterRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, TemplateView):
    """Write the project initiation request (項目立項申請表, R-OPP-2) and, optionally, send it
    to review in the same step."""

    model = Opportunity
    template_name = "opportunities/initiation_form.html"
    context_object_name = "opportunity"

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not can_work_opportunity(self.request.user, obj):
            raise PermissionDenied
        return obj

    def _forms(self, data=None):
        initiation = self.object.initiation_or_none
        form = InitiationForm(data, instance=initiation)
        if initiation is not None:
            add_version_field(form, initiation)
        initial = (
            [
                {"user": m.user, "role": m.role, "responsibility": m.responsibility}
                for m in initiation.proposed_members.select_related("user")
            ]
            if initiation
            else []
        )
        formset = ProposedTeamFormSet(data, initial=initial, prefix="team")
        return form, formset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "form" not in kwargs:
            context["form"], context["formset"] = self._forms()
        context["initiation"] = self.object.initiation_or_none
        return context

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form, formset = self._forms(request.POST)
        team_errors: list[str] = []
        if form.is_valid() and formset.is_valid():
            try:
                initiation = initiation_save(
                    actor=request.user,
                    opportunity=self.object,
                    data=without_version(form.cleaned_data),
                    team=team_rows(formset),
                    expected_version=form.cleaned_data.get("version"),
                )
                if "send" in request.POST:
                    initiation_submit(actor=request.user, initiation=initiation)
                    messages.success(request, _("The initiation request was sent to review."))
                else:
                    messages.success(request, _("The initiation request was saved."))
                return HttpResponseRedirect(self.object.get_absolute_url() + "#initiation")
            except DomainError as exc:
                if exc.code == "stale":
                    # Built on an old read: show the current request (issue 8).
                    self.object = self.get_object()
                    form, formset = self._forms()
                    add_form_message(form, stale_message(exc, form, ProjectInitiation))
                else:
                    apply_domain_error(form, exc, unplaced=team_errors)
        return self.render_to_response(
            self.get_context_data(form=form, formset=formset, team_errors=team_errors), status=200
        )


class InitiationActionView(RoleRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, TemplateView):
    """POST-only actions on the request: send to review, withdraw from review."""

    model = Opportunity
    action = "submit"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        opportunity = self.get_object()
        initiation = get_object_or_404(ProjectInitiation, opportunity=opportunity)
        try:
            if self.action == "submit":
                initiation_submit(actor=request.user, initiation=initiation)
                messages.success(request, _("The initiation request was sent to review."))
            else:
                form = WithdrawForm(request.POST)
                reason = form.data.get("reason", "")
                initiation_withdraw(actor=request.user, initiation=initiation, reason=reason)
                messages.success(request, _("The initiation request was withdrawn from review."))
        except DomainError as exc:
            messages.error(request, exc.message)
            for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
                messages.error(request, text)
        return HttpResponseRedirect(opportunity.get_absolute_url() + "#initiation")


class LeadQualifyView(LeadMoveView):
    """R-LEAD-4 then R-OPP-1: qualify the lead on background, needs, budget, competition and
    timeline, choose its customer, and open the opportunity it becomes (shown next)."""

    move = "qualify"
    form_class = QualifyForm
    title = gettext_lazy("Qualify the lead")
    submit_label = gettext_lazy("Qualify")
    success_message = gettext_lazy("Lead qualified.")

    def form_kwargs(self):
        return {"lead": self.object, "user": self.request.user}

    def run_service(self, form):
        opportunity = opportunity_qualify_lead(
            actor=self.request.user,
            lead=self.object,
            evaluation=form.evaluation(),
            customer=form.cleaned_data["customer"],
            data=form.opportunity_data(),
        )
        self.success_message = _("Lead qualified: the opportunity “%(title)s” is open.") % {
            "title": opportunity.title
        }
        return opportunity

    def get_success_url_for(self, opportunity) -> str:
        """Issue 10: qualifying lands on the new opportunity's desk, not the customer page."""
        return opportunity.get_absolute_url()
