"""Web pages of sales targets (R-KPI-4): the manager's targets page (a period picker, the
team and its members × the four metrics, target vs actual with the percent reached and a bar;
targets edited in the same grid and saved through ``targets_set``), and "My targets", a rep's
own scorecard with the previous periods."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from kpi.models.targets import TargetMetric
from kpi.periods import Period, PeriodKind
from kpi.targets import selectors, services
from presales.core.errors import DomainError
from presales.web.views import RoleRequiredMixin

MAX_TARGET = Decimal("99999999999999")


def _actor(request: Any) -> Any:
    """The signed-in user as the services' ``Actor`` (the role mixins let no one else in)."""
    return request.user


def _period(request: HttpRequest) -> tuple[Period, str | None]:
    text = request.GET.get("period") or request.POST.get("period") or ""
    if not text:
        return Period.current(), None
    try:
        return Period.parse(text), None
    except DomainError as exc:
        return Period.current(), next(iter(exc.fields.get("period", [])), exc.message)


def _metrics() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in TargetMetric.choices]


class TargetBoardView(RoleRequiredMixin, TemplateView):
    """GET /kpi/targets/?period=2026-11&team=<id>; POST saves the grid's targets."""

    template_name = "kpi/targets/board.html"

    def _teams(self) -> list[Any]:
        teams = selectors.teams_for(self.request.user)
        if not teams:
            raise PermissionDenied
        return teams

    def _team(self, teams: list[Any]) -> Any:
        wanted = self.request.GET.get("team") or self.request.POST.get("team") or ""
        for team in teams:
            if str(team.pk) == wanted:
                return team
        return teams[0]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        teams = self._teams()
        team = self._team(teams)
        period, error = _period(self.request)
        members = selectors.team_members(team)
        context.update(
            teams=teams,
            team=team,
            period=period,
            period_error=error,
            kinds=PeriodKind.choices,
            metrics=_metrics(),
            rows=selectors.grid(period, people=members, teams=[team]),
            may_edit=services.may_set(_actor(self.request), team=team),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        teams = self._teams()
        team = self._team(teams)
        period, error = _period(request)
        back = HttpResponseRedirect(f"{reverse('kpi:targets:board')}?period={period.key}&team={team.pk}")
        if error:
            messages.error(request, error)
            return back
        people = {p.pk: p for p in selectors.team_members(team)}
        values: dict[tuple[str, int, str], Decimal | None] = {}
        invalid = False
        for key, raw in request.POST.items():
            parts = key.split("-")
            if len(parts) != 3 or parts[0] not in ("person", "team") or parts[2] not in TargetMetric.values:
                continue
            kind, pk_text, metric = parts
            if not pk_text.isdigit():
                continue
            pk = int(pk_text)
            if (kind == "person" and pk not in people) or (kind == "team" and pk != team.pk):
                continue
            text = str(raw).strip().replace(",", "")
            if not text:
                values[kind, pk, metric] = None
                continue
            try:
                number = Decimal(text)
            except InvalidOperation:
                invalid = True
                continue
            if not number.is_finite() or number < 0 or number > MAX_TARGET:
                invalid = True
                continue
            values[kind, pk, metric] = number.quantize(Decimal("0.01"))
        if invalid:
            messages.error(request, _("Enter targets as numbers of 0 or more."))
            return back
        try:
            changed = services.targets_set(
                actor=_actor(request), period=period, values=values, people=people, teams={team.pk: team}
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            for text in [m for msgs in exc.fields.values() for m in msgs]:
                messages.error(request, text)
            return back
        messages.success(request, _("%(count)s targets saved.") % {"count": changed})
        return back


class MyTargetsView(RoleRequiredMixin, TemplateView):
    """GET /kpi/targets/mine/?period=2026-11: the rep's own target vs actual and the trend of
    the previous periods (R-KPI-4: "their own scorecard")."""

    template_name = "kpi/targets/mine.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        period, error = _period(self.request)
        user = self.request.user
        (row,) = selectors.grid(period, people=[user], teams=[])
        context.update(
            period=period,
            period_error=error,
            kinds=PeriodKind.choices,
            metrics=_metrics(),
            row=row,
            trend=selectors.trend(user, period, 6),
        )
        return context
