from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, UpdateView

from presales.accounts.forms import ProfileForm


class DashboardView(LoginRequiredMixin, TemplateView):
    """Landing page after sign-in. Apps contribute panels through their selectors."""

    template_name = "presales/dashboard.html"

    def get_context_data(self, **kwargs):
        from presales.core.dashboard import dashboard_panels

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
