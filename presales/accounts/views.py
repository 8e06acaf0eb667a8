from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView, UpdateView

from presales.accounts.forms import ApiTokenForm, ProfileForm
from presales.accounts.models import ApiToken, User
from presales.accounts.selectors import filter_people, presales_people, sales_people, writers
from presales.accounts.services import api_token_create, api_token_revoke
from presales.core.dashboard import dashboard_panels
from presales.core.errors import DomainError, NotFound
from presales.web.autocomplete import AutocompleteView


class DashboardView(LoginRequiredMixin, TemplateView):
    """Landing page after sign-in. Apps contribute panels through their selectors."""

    template_name = "presales/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = dashboard_panels(self.request.user)
        return context


class ProfileView(LoginRequiredMixin, UpdateView):
    """The signed-in user's profile; changing the language switches the UI at once."""

    form_class = ProfileForm
    template_name = "presales/profile.html"
    success_url = reverse_lazy("profile")

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        response = super().form_valid(form)
        translation.activate(form.instance.language)
        messages.success(self.request, _("Your profile was saved."))
        return response


class ApiTokenListView(LoginRequiredMixin, ListView):
    """The signed-in user's API tokens: name, prefix, created, last use, expiry, status."""

    template_name = "presales/apitoken_list.html"
    context_object_name = "tokens"

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user).select_related("user")


class ApiTokenCreateView(LoginRequiredMixin, FormView):
    """Issue a token and show its secret once, on the answer to the POST (never stored, never
    put in the session or a message)."""

    template_name = "presales/apitoken_form.html"
    form_class = ApiTokenForm

    def form_valid(self, form):
        try:
            token, secret = api_token_create(
                user=self.request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
            )
        except DomainError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return self.form_invalid(form)
        response = render(self.request, "presales/apitoken_created.html", {"token": token, "secret": secret})
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenRevokeView(LoginRequiredMixin, View):
    """POST only: revoke one of the user's own tokens (another user's is 404)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        try:
            token = api_token_revoke(token_id=pk, actor=request.user)
        except NotFound:
            raise Http404 from None
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
        return redirect("api-tokens")


# The people pickers of forms and filters (issue 9): which people a picker offers is named
# by ``?roles=``; a form still validates the posted id against its own queryset.
PEOPLE_SETS = {
    "writers": writers,
    "sales": sales_people,
    "presales": presales_people,
}


class PeopleAutocompleteView(AutocompleteView):
    """Active colleagues by name or username; ``roles=writers|sales|presales`` narrows to who
    may own (presales/accounts/selectors.py), without it everyone a filter may name."""

    def get_queryset(self) -> QuerySet[User]:
        chosen = PEOPLE_SETS.get(self.request.GET.get("roles", ""))
        queryset = chosen() if chosen is not None else filter_people(self.request)
        return queryset.order_by("display_name", "username", "pk")

    def search(self, queryset: QuerySet[User], term: str) -> QuerySet[User]:
        return queryset.filter(Q(display_name__icontains=term) | Q(username__icontains=term))
