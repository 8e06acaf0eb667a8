from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from presales.accounts import views
from presales.web.csp import swagger_csp

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/profile/", views.ProfileView.as_view(), name="profile"),
    path("accounts/tokens/", views.ApiTokenListView.as_view(), name="api-tokens"),
    path("accounts/tokens/new/", views.ApiTokenCreateView.as_view(), name="api-token-create"),
    path(
        "accounts/tokens/<int:pk>/revoke/",
        views.ApiTokenRevokeView.as_view(),
        name="api-token-revoke",
    ),
    path("people/autocomplete/", views.PeopleAutocompleteView.as_view(), name="autocomplete-people"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("leads/", include("leads.urls")),
    path("opportunities/", include("opportunities.urls", namespace="opportunities")),
    path("knowledge/", include("knowledge.urls")),
    path("collaboration/", include("collaboration.urls")),
    path("proposals/", include("proposals.urls")),
    path("bids/", include("bids.urls")),
    path("reviews/", include("reviews.urls")),
    path("kpi/", include("kpi.urls")),
    path("", include("presales.sla.urls")),  # deadlines/ and notifications/
    path("exports/", include("presales.exports.urls")),
    path("documents/", include("presales.documents.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("presales.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Signed-in users only (the schema answers 401 to others); the split view serves Swagger
    # UI's start-up script as a file, so the page needs no inline script (CSP).
    path(
        "api/docs/",
        login_required(swagger_csp(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))),
        name="api-docs",
    ),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
