"""Web pages of deadlines and notifications (R-SLA-1..4, R-KPI-3).

Views only read through presales/sla/selectors.py and write through the services.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView, TemplateView

from presales.accounts.models import Team
from presales.core.errors import DomainError
from presales.core.roles import Role
from presales.sla import selectors
from presales.sla.calendar import library_years
from presales.sla.filtersets import TimerFilterSet
from presales.sla.forms import (
    CalendarDayForm,
    CalendarYearForm,
    NotificationPreferencesForm,
    SlaPolicyForm,
    TeamWebhookForm,
)
from presales.sla.models import (
    CalendarDay,
    CalendarYear,
    Notification,
    NotificationPreference,
    SlaPolicy,
    Timer,
)
from presales.sla.notifications import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_set,
)
from presales.sla.policies import get_kind, kind_label, timer_kinds
from presales.sla.services import (
    calendar_day_delete,
    calendar_day_set,
    calendar_year_declare,
    sla_policy_update,
    team_webhook_set,
)
from presales.web.forms import (
    add_form_message,
    add_version_field,
    apply_domain_error,
    bootstrap,
    stale_message,
    without_version,
)
from presales.web.views import RoleRequiredMixin

ADMIN_ONLY = frozenset({Role.ADMIN})


def can_administer_sla(user) -> bool:
    """Whether the deadline pages offer the policy, calendar and robot pages (admins only,
    as the pages themselves require: issue 8, no link that ends in a refusal)."""
    return user.has_role(*ADMIN_ONLY)


# --- deadlines -----------------------------------------------------------------------------


class DeadlinesView(RoleRequiredMixin, TemplateView):
    """An engineer's deadlines: overdue, due soon, later (their own open timers)."""

    template_name = "presales/deadlines.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        groups = selectors.my_deadlines(self.request.user, now)
        context.update(
            now=now,
            groups=[
                ("overdue", _("Overdue"), groups["overdue"]),
                ("due_soon", _("Due soon"), groups["due_soon"]),
                ("later", _("Later"), groups["later"]),
            ],
            more=groups["more"],
            shown=selectors.DEADLINES_SHOWN,
            can_see_team=selectors.can_see_team_deadlines(self.request.user),
            can_administer=can_administer_sla(self.request.user),
            tab="mine",
        )
        return context


class TeamDeadlinesView(RoleRequiredMixin, TemplateView):
    """A manager's list of the overdue timers of the teams they manage (R-SLA-3, R-KPI-3)."""

    template_name = "presales/deadlines_team.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.can_see_team_deadlines(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        # The overdue-timers chart's point opens this page for one owner and kind (R-KPI-3).
        filterset = TimerFilterSet(
            self.request.GET or None, queryset=Timer.objects.all(), request=self.request
        )
        within = filterset.qs if filterset.is_bound else None
        timers = selectors.team_overdue(self.request.user, now, within=within)
        context.update(
            filtered=filterset.is_bound,
            filtered_total=(
                selectors.team_overdue_timers(self.request.user, now, within=within).count()
                if filterset.is_bound
                else None
            ),
            timers=timers[: selectors.DEADLINES_SHOWN],
            more=len(timers) > selectors.DEADLINES_SHOWN,
            shown=selectors.DEADLINES_SHOWN,
            now=now,
            can_see_team=True,
            can_administer=can_administer_sla(self.request.user),
            tab="team",
        )
        return context


# --- notifications -------------------------------------------------------------------------


class NotificationListView(RoleRequiredMixin, ListView):
    """The user's notifications, newest first; ``?unread=1`` keeps the unread ones."""

    template_name = "presales/notifications.html"
    paginate_by = 25
    context_object_name = "notifications"

    def get_queryset(self):
        qs = Notification.objects.for_user(self.request.user).order_by("-created_at", "-id")
        if self.request.GET.get("unread"):
            qs = qs.unread()
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread_only"] = bool(self.request.GET.get("unread"))
        context["unread_count"] = selectors.unread_count(self.request.user)
        return context


def _own_notification(request, pk: int) -> Notification:
    # Someone else's notification is "not found", like any record out of scope.
    return get_object_or_404(Notification.objects.for_user(request.user), pk=pk)


class NotificationReadView(RoleRequiredMixin, View):
    """Mark one read; htmx gets the updated row back."""

    def post(self, request, pk: int):
        notification = notification_mark_read(actor=request.user, notification=_own_notification(request, pk))
        if request.htmx:
            response = render(request, "presales/partials/notification_item.html", {"n": notification})
            response["HX-Trigger"] = "notifications-changed"
            return response
        return redirect("sla:notifications")


class NotificationOpenView(RoleRequiredMixin, View):
    """Mark one read and go to the record it is about.

    GET works because it is the link in notification e-mails (a signed-out reader signs in
    and lands here again). A GET that writes is acceptable here, without a CSRF token: it
    only marks the caller's own notification read (anyone else's is 404), which is
    idempotent, and a forged link can do no more than that; the bell's buttons still POST."""

    def get(self, request, pk: int):
        notification = notification_mark_read(actor=request.user, notification=_own_notification(request, pk))
        target = notification.url
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(target)
        return redirect("sla:notifications")

    def post(self, request, pk: int):
        return self.get(request, pk)


class NotificationReadAllView(RoleRequiredMixin, View):
    def post(self, request):
        count = notification_mark_all_read(actor=request.user)
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
        return redirect("sla:notifications")


class NotificationBellView(RoleRequiredMixin, View):
    """The navbar bell (htmx refreshes it): unread count and the latest notifications."""

    def get(self, request):
        return render(
            request,
            "presales/partials/notification_bell.html",
            {
                "unread": selectors.unread_count(request.user),
                "recent": selectors.recent_notifications(request.user),
            },
        )


class NotificationPreferencesView(RoleRequiredMixin, View):
    """Which kinds of notification also come by email (in-app is always on)."""

    template_name = "presales/notification_preferences.html"

    def _form(self, data=None):
        current = dict(
            NotificationPreference.objects.filter(user=self.request.user).values_list("kind", "email")
        )
        return bootstrap(NotificationPreferencesForm(data, current=current))

    def get(self, request):
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request):
        form = self._form(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        notification_preferences_set(actor=request.user, email_kinds=form.email_kinds())
        messages.success(request, _("Your notification settings were saved."))
        return redirect("sla:notification_preferences")


# --- admin pages: policies, calendar, robots -----------------------------------------------


class SlaPolicyListView(RoleRequiredMixin, TemplateView):
    """Every timer kind with the policy in force (admins edit; R-SLA-4)."""

    template_name = "presales/sla_policies.html"
    required_roles = ADMIN_ONLY

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = {p.kind: p for p in SlaPolicy.objects.all()}
        context["kinds"] = [(k, rows.get(k.kind)) for k in timer_kinds()]
        context["can_administer"] = True  # required_roles: only admins reach this page
        return context


class SlaPolicyEditView(RoleRequiredMixin, View):
    template_name = "presales/sla_policy_form.html"
    required_roles = ADMIN_ONLY

    def _context(self, kind_code: str, data=None):
        try:
            spec = get_kind(kind_code)
        except DomainError:
            raise Http404 from None
        policy = SlaPolicy.objects.filter(kind=kind_code).first() or SlaPolicy(
            kind=kind_code,
            limit_value=spec.default.limit_value,
            limit_unit=spec.default.limit_unit,
            reminder_hours=list(spec.default.reminder_hours),
            escalate_to=spec.default.escalate_to,
            escalate_role=spec.default.escalate_role,
            escalate_after_hours=spec.default.escalate_after_hours,
            repeat_every_hours=spec.default.repeat_every_hours,
            max_escalations=spec.default.max_escalations,
        )
        form = bootstrap(SlaPolicyForm(data, instance=policy, fixed_due=spec.fixed_due))
        if policy.pk:
            add_version_field(form, policy)
        return {"form": form, "spec": spec, "policy": policy, "label": kind_label(kind_code)}

    def get(self, request, kind: str):
        return render(request, self.template_name, self._context(kind))

    def post(self, request, kind: str):
        context = self._context(kind, request.POST)
        form = context["form"]
        if form.is_valid():
            try:
                sla_policy_update(
                    actor=request.user,
                    kind=kind,
                    data=without_version(form.cleaned_data),
                    expected_version=form.cleaned_data.get("version"),
                )
            except DomainError as exc:
                if exc.code == "stale":
                    # Built on an old read: show the current policy (issue 8).
                    context = self._context(kind)
                    form = context["form"]
                    add_form_message(form, stale_message(exc, form, SlaPolicy))
                else:
                    apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("The policy was saved. It applies to timers started from now on.")
                )
                return redirect("sla:policies")
        return render(request, self.template_name, context, status=400)


class WorkCalendarView(RoleRequiredMixin, View):
    """Company days off and extra working days; years entered by hand (R-SLA-2). Declaring a
    year recomputes the open deadlines that were estimated for it."""

    template_name = "presales/work_calendar.html"
    required_roles = ADMIN_ONLY

    def _render(self, request, day_form=None, year_form=None, status=200):
        known = library_years()
        return render(
            request,
            self.template_name,
            {
                "days": CalendarDay.objects.select_related("created_by").order_by("-date")[:400],
                "years": CalendarYear.objects.select_related("declared_by"),
                "day_form": day_form or bootstrap(CalendarDayForm()),
                "year_form": year_form or bootstrap(CalendarYearForm()),
                "known_from": known.start,
                "known_to": known.stop - 1,
                "estimated": selectors.estimated_timer_years(),
                "can_administer": True,  # required_roles: only admins reach this page
            },
            status=status,
        )

    def get(self, request):
        return self._render(request)

    def post(self, request):
        if "year" in request.POST:
            form = bootstrap(CalendarYearForm(request.POST))
            if form.is_valid():
                try:
                    entry = calendar_year_declare(actor=request.user, **form.cleaned_data)
                except DomainError as exc:
                    apply_domain_error(form, exc)
                else:
                    messages.success(
                        request,
                        _("The year was declared. Estimated deadlines recomputed with it: %(count)d.")
                        % {"count": entry.recomputed},
                    )
                    return redirect("sla:calendar")
            return self._render(request, year_form=form, status=400)
        form = bootstrap(CalendarDayForm(request.POST))
        if form.is_valid():
            try:
                calendar_day_set(
                    actor=request.user,
                    day=form.cleaned_data["date"],
                    **{k: form.cleaned_data[k] for k in ("kind", "name")},
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("The calendar day was saved. It applies to timers started from now on.")
                )
                return redirect("sla:calendar")
        return self._render(request, day_form=form, status=400)


class WorkCalendarDeleteView(RoleRequiredMixin, View):
    required_roles = ADMIN_ONLY

    def post(self, request, day: str):
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            raise Http404 from None
        calendar_day_delete(actor=request.user, day=parsed)
        messages.success(request, _("The calendar day was removed."))
        return redirect("sla:calendar")


class TeamWebhookListView(RoleRequiredMixin, TemplateView):
    template_name = "presales/team_webhooks.html"
    required_roles = ADMIN_ONLY

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["teams"] = Team.objects.select_related("webhook").order_by("name")
        context["can_administer"] = True  # required_roles: only admins reach this page
        return context


class TeamWebhookEditView(RoleRequiredMixin, View):
    template_name = "presales/team_webhook_form.html"
    required_roles = ADMIN_ONLY

    def _context(self, team_id: int, data=None):
        team = get_object_or_404(Team, pk=team_id)
        hook = getattr(team, "webhook", None)
        form = bootstrap(TeamWebhookForm(data, instance=hook))
        return {"form": form, "team": team}

    def get(self, request, team_id: int):
        return render(request, self.template_name, self._context(team_id))

    def post(self, request, team_id: int):
        context = self._context(team_id, request.POST)
        form = context["form"]
        if form.is_valid():
            try:
                team_webhook_set(actor=request.user, team=context["team"], data=dict(form.cleaned_data))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The team's robot was saved."))
                return redirect(reverse("sla:webhooks"))
        return render(request, self.template_name, context, status=400)
