"""Pages of demos and trials (R-DEMO-1..3). Thin: every write calls a service of
proposals/demos/services.py; a refusal shows its reasons (messages or form errors)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView

from leads.models import Contact
from opportunities.models import Opportunity
from opportunities.permissions import can_work_opportunity
from presales.accounts.models import User
from presales.core.errors import DomainError
from presales.web.forms import apply_domain_error
from presales.web.views import RoleRequiredMixin, WriterRequiredMixin
from proposals.demos import ics, selectors, services
from proposals.demos.choices import EDITABLE_DEMO_STATUSES, DemoStatus
from proposals.demos.forms import ChecklistAddForm, DemoForm, FeedbackForm, ReasonForm, TrialForm
from proposals.demos.transitions import DEMO_MACHINE, TRIAL_MACHINE
from proposals.models import Demo, DemoChecklistItem, TrialRequest


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
        messages.error(request, text)


def _visible_demo(request: HttpRequest, pk: int, queryset=None) -> Demo:
    queryset = queryset if queryset is not None else selectors.demo_detail_queryset()
    return get_object_or_404(queryset.visible_to(request.user), pk=pk)


def _visible_trial(request: HttpRequest, pk: int) -> TrialRequest:
    return get_object_or_404(selectors.trial_list_queryset().visible_to(request.user), pk=pk)


class _OpportunityFormView(WriterRequiredMixin, FormView):
    """A form about a visible opportunity the user may work (else 404 / 403)."""

    template_name = "proposals/demos/form.html"
    title: Any = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.opportunity = get_object_or_404(
                Opportunity.objects.visible_to(request.user), pk=kwargs["opportunity_pk"]
            )
            if not can_work_opportunity(request.user, self.opportunity):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            object=self.opportunity,
            cancel_url=self.opportunity.get_absolute_url() + "#demos",
        )
        return context


class DemoCreateView(_OpportunityFormView):
    form_class = DemoForm
    title = gettext_lazy("New demo")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "opportunity": self.opportunity}

    def form_valid(self, form):
        try:
            demo = services.demo_create(
                actor=self.request.user, opportunity=self.opportunity, **form.service_kwargs()
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Demo drafted: tick the checklist and schedule it."))
        return HttpResponseRedirect(demo.get_absolute_url())


class DemoUpdateView(WriterRequiredMixin, FormView):
    form_class = DemoForm
    template_name = "proposals/demos/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.demo = _visible_demo(request, kwargs["pk"], Demo.objects.select_related("opportunity"))
            if not can_work_opportunity(request.user, self.demo.opportunity):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "opportunity": self.demo.opportunity, "instance": self.demo}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=_("Change the demo"), object=self.demo, cancel_url=self.demo.get_absolute_url())
        return context

    def form_valid(self, form):
        try:
            services.demo_update(actor=self.request.user, demo=self.demo, **form.service_kwargs())
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Demo saved."))
        return HttpResponseRedirect(self.demo.get_absolute_url())


class DemoDetailView(RoleRequiredMixin, DetailView):
    """The demo: time, people, agenda, checklist (ticked in place), its moves with what
    blocks them, the feedback, the invitations to download."""

    template_name = "proposals/demos/demo_detail.html"
    context_object_name = "demo"

    def get_object(self, queryset=None):
        return _visible_demo(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        demo = self.object
        can_work = can_work_opportunity(self.request.user, demo.opportunity)
        context.update(
            can_work=can_work,
            options=DEMO_MACHINE.options(demo, self.request.user) if can_work else [],
            editable=demo.status in EDITABLE_DEMO_STATUSES,
            reason_form=ReasonForm(),
            checklist_form=ChecklistAddForm(),
            feedback_form=kwargs.get("feedback_form") or FeedbackForm(instance=demo),
            show_feedback=demo.status == DemoStatus.DONE,
            history=list(demo.status_changes.select_related("actor")),
        )
        return context


class DemoMoveView(WriterRequiredMixin, View):
    """POST: schedule, start, finish or cancel (with the reason)."""

    def post(self, request, pk: int, move: str):
        demo = _visible_demo(request, pk, Demo.objects.all())
        if move not in DEMO_MACHINE.moves:
            raise Http404
        try:
            services.demo_move(
                actor=request.user, demo=demo, move=move, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Done: %(move)s.") % {"move": DEMO_MACHINE.get(move).label})
        except DomainError as exc:
            _refused(request, exc)
        return HttpResponseRedirect(demo.get_absolute_url())


class ChecklistToggleView(WriterRequiredMixin, View):
    """POST (htmx): tick or untick one line; answers the checklist partial (a refusal is
    shown inside it: htmx swaps only successful answers)."""

    def post(self, request, pk: int, item_pk: int):
        demo = _visible_demo(request, pk, Demo.objects.select_related("opportunity"))
        item = get_object_or_404(DemoChecklistItem, pk=item_pk, demo=demo)
        error = ""
        try:
            services.demo_checklist_set(actor=request.user, item=item, done=request.POST.get("done") == "1")
        except DomainError as exc:
            error = exc.message
            if not request.htmx:
                _refused(request, exc)
        if not request.htmx:
            return HttpResponseRedirect(demo.get_absolute_url())
        fresh = _visible_demo(request, pk)
        return render(
            request,
            "proposals/demos/partials/checklist.html",
            {
                "demo": fresh,
                "editable": fresh.status in EDITABLE_DEMO_STATUSES,
                "can_work": True,
                "error": error,
            },
        )


class ChecklistAddView(WriterRequiredMixin, View):
    def post(self, request, pk: int):
        demo = _visible_demo(request, pk, Demo.objects.all())
        try:
            services.demo_checklist_add(actor=request.user, demo=demo, label=request.POST.get("label", ""))
        except DomainError as exc:
            _refused(request, exc)
        return HttpResponseRedirect(demo.get_absolute_url() + "#checklist")


class FeedbackView(WriterRequiredMixin, View):
    """POST: R-DEMO-2 feedback; a refusal shows the page with the form's errors."""

    def post(self, request, pk: int):
        demo = _visible_demo(request, pk)
        form = FeedbackForm(request.POST, instance=Demo.objects.get(pk=demo.pk))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in FeedbackForm.Meta.fields}
            try:
                services.demo_record_feedback(actor=request.user, demo=demo, data=data)
                messages.success(request, _("Feedback recorded."))
                return HttpResponseRedirect(demo.get_absolute_url())
            except DomainError as exc:
                apply_domain_error(form, exc)
        view = DemoDetailView(request=request, kwargs={"pk": pk})
        view.object = demo
        return render(request, view.template_name, view.get_context_data(feedback_form=form), status=400)


def attendee_of(demo: Demo, key: str) -> tuple[str, User | Contact]:
    """``user-<id>`` or ``contact-<id>``: one of the demo's attendees (or its organizer), else 404."""
    kind, _sep, raw = key.partition("-")
    if not raw.isdigit():
        raise Http404
    if kind == "user":
        if int(raw) == demo.created_by_id:
            return kind, demo.created_by
        for user in demo.our_attendees.all():
            if user.pk == int(raw):
                return kind, user
    elif kind == "contact":
        for contact in demo.customer_attendees.all():
            if contact.pk == int(raw):
                return kind, contact
    raise Http404


class DemoIcsView(RoleRequiredMixin, View):
    """GET: the .ics invitation of one attendee (RFC 5545), as a download."""

    def get(self, request, pk: int, attendee: str):
        demo = _visible_demo(request, pk)
        _kind, person = attendee_of(demo, attendee)
        language = getattr(person, "language", "") or None
        response = HttpResponse(
            ics.demo_ics(demo, language=language), content_type="text/calendar; charset=utf-8; method=REQUEST"
        )
        response["Content-Disposition"] = f'attachment; filename="demo-{demo.pk}-{attendee}.ics"'
        return response


# --- trials -------------------------------------------------------------------------------


class TrialCreateView(_OpportunityFormView):
    form_class = TrialForm
    title = gettext_lazy("New trial, POC or loan")

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in TrialForm.Meta.fields}
        try:
            trial = services.trial_create(actor=self.request.user, opportunity=self.opportunity, data=data)
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Request drafted: send it for approval when ready."))
        return HttpResponseRedirect(trial.get_absolute_url())


class TrialUpdateView(WriterRequiredMixin, FormView):
    form_class = TrialForm
    template_name = "proposals/demos/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.trial = _visible_trial(request, kwargs["pk"])
            if not can_work_opportunity(request.user, self.trial.opportunity):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": TrialRequest.objects.get(pk=self.trial.pk)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Change the request"), object=self.trial, cancel_url=self.trial.get_absolute_url()
        )
        return context

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in TrialForm.Meta.fields}
        try:
            services.trial_update(actor=self.request.user, trial=self.trial, data=data)
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        return HttpResponseRedirect(self.trial.get_absolute_url())


class TrialDetailView(RoleRequiredMixin, DetailView):
    template_name = "proposals/demos/trial_detail.html"
    context_object_name = "trial"

    def get_object(self, queryset=None):
        return _visible_trial(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        from reviews.selectors import reviews_for_subject

        context = super().get_context_data(**kwargs)
        trial = self.object
        can_work = can_work_opportunity(self.request.user, trial.opportunity)
        context.update(
            can_work=can_work,
            options=TRIAL_MACHINE.options(trial, self.request.user) if can_work else [],
            reviews=list(reviews_for_subject(trial)),
            history=list(trial.status_changes.select_related("actor")),
            reason_form=ReasonForm(),
        )
        return context


class TrialActionView(WriterRequiredMixin, View):
    """POST: submit, withdraw, mark_returned, cancel."""

    ACTIONS = ("submit", "withdraw", "mark_returned", "cancel")

    def post(self, request, pk: int, action: str):
        trial = _visible_trial(request, pk)
        if action not in self.ACTIONS:
            raise Http404
        reason = request.POST.get("reason", "")
        try:
            if action == "submit":
                services.trial_submit(actor=request.user, trial=trial)
            elif action == "withdraw":
                services.trial_withdraw(actor=request.user, trial=trial, reason=reason)
            elif action == "mark_returned":
                services.trial_mark_returned(actor=request.user, trial=trial, note=reason)
            else:
                services.trial_cancel(actor=request.user, trial=trial, reason=reason)
            messages.success(request, _("Saved."))
        except DomainError as exc:
            _refused(request, exc)
        return HttpResponseRedirect(trial.get_absolute_url())
