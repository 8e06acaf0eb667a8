"""Web routes of the leads app, mounted at /leads/ (namespace ``leads``)."""

from django.urls import path
from django.views.generic import RedirectView

from leads import autocomplete, relationship_views, views

app_name = "leads"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="leads:lead_list"), name="index"),
    # Leads live under leads/leads/ so that the Leads and Customers navigation entries
    # (matched by URL prefix) are never both active.
    path("leads/", views.LeadListView.as_view(), name="lead_list"),
    path("leads/new/", views.LeadCreateView.as_view(), name="lead_create"),
    path("leads/export/", views.LeadExportView.as_view(), name="lead_export"),
    path("leads/<int:pk>/", views.LeadDetailView.as_view(), name="lead_detail"),
    path("leads/<int:pk>/edit/", views.LeadEditView.as_view(), name="lead_edit"),
    path(
        "leads/<int:pk>/communications/",
        views.LeadCommunicationsView.as_view(),
        name="lead_communications",
    ),
    path("leads/<int:pk>/history/", views.LeadHistoryView.as_view(), name="lead_history"),
    path("leads/<int:pk>/first-contact/", views.LeadFirstContactView.as_view(), name="lead_first_contact"),
    path("leads/<int:pk>/disqualify/", views.LeadDisqualifyView.as_view(), name="lead_disqualify"),
    path("leads/<int:pk>/merge/", views.LeadMergeView.as_view(), name="lead_merge"),
    path(
        "leads/<int:pk>/communications/new/",
        views.LeadCommunicationCreateView.as_view(),
        name="lead_communication_create",
    ),
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/export/", views.CustomerExportView.as_view(), name="customer_export"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("customers/<int:pk>/edit/", views.CustomerEditView.as_view(), name="customer_edit"),
    path(
        "customers/<int:pk>/communications/",
        views.CustomerCommunicationsView.as_view(),
        name="customer_communications",
    ),
    path("customers/<int:pk>/history/", views.CustomerHistoryView.as_view(), name="customer_history"),
    path("customers/<int:pk>/merge/", views.CustomerMergeView.as_view(), name="customer_merge"),
    path("customers/<int:pk>/presales/", views.CustomerPresalesView.as_view(), name="customer_presales"),
    path("customers/<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact_create"),
    path(
        "customers/<int:pk>/communications/new/",
        views.CustomerCommunicationCreateView.as_view(),
        name="communication_create",
    ),
    # Search-as-you-type pickers (issue 9), scoped like the lists.
    path(
        "autocomplete/customers/",
        autocomplete.CustomerAutocompleteView.as_view(),
        name="autocomplete-customers",
    ),
    path(
        "autocomplete/contacts/", autocomplete.ContactAutocompleteView.as_view(), name="autocomplete-contacts"
    ),
    path("autocomplete/leads/", autocomplete.LeadAutocompleteView.as_view(), name="autocomplete-leads"),
    path("contacts/<int:pk>/edit/", views.ContactEditView.as_view(), name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.ContactDeleteView.as_view(), name="contact_delete"),
    # Issue 14: tier suggestion (R-CUST-4), visit plans (R-CUST-7), erasure (R-CUST-8).
    path(
        "customers/<int:pk>/apply-tier/",
        relationship_views.CustomerApplyTierView.as_view(),
        name="customer_apply_tier",
    ),
    path(
        "customers/<int:pk>/visits/new/",
        relationship_views.VisitPlanCreateView.as_view(),
        name="visit_create",
    ),
    path("visits/", relationship_views.MyVisitsView.as_view(), name="my_visits"),
    path("visits/<int:pk>/done/", relationship_views.VisitPlanDoneView.as_view(), name="visit_done"),
    path("visits/<int:pk>/cancel/", relationship_views.VisitPlanCancelView.as_view(), name="visit_cancel"),
    path("contacts/<int:pk>/erase/", relationship_views.ContactEraseView.as_view(), name="contact_erase"),
]
