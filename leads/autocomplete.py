"""The leads app's search-as-you-type endpoints (issue 9): customers, contacts and leads,
each scoped exactly like its list (``visible_to``) and role-checked like it
(presales/web/autocomplete.py), matched through the search indexes (presales.core.search)."""

from __future__ import annotations

from django.db.models import QuerySet

from leads.models import Contact, Customer, Lead
from presales.core.search import search
from presales.web.autocomplete import AutocompleteView


class CustomerAutocompleteView(AutocompleteView):
    """Active (not merged) customers the user sees, by name."""

    def get_queryset(self) -> QuerySet[Customer]:
        return Customer.objects.visible_to(self.request.user).active().order_by("name", "pk")

    def search(self, queryset: QuerySet[Customer], term: str) -> QuerySet[Customer]:
        return search(queryset, term, ("name",))


class ContactAutocompleteView(AutocompleteView):
    """Contacts of the customers the user sees, by name or title; ``?customer=<id>`` narrows
    to one customer's contacts."""

    def get_queryset(self) -> QuerySet[Contact]:
        queryset = Contact.objects.visible_to(self.request.user)
        customer = self.request.GET.get("customer", "")
        if customer.isdigit():
            queryset = queryset.filter(customer_id=int(customer))
        return queryset.order_by("name", "pk")

    def search(self, queryset: QuerySet[Contact], term: str) -> QuerySet[Contact]:
        return search(queryset, term, ("name", "title"))

    def label(self, obj: Contact) -> str:
        return f"{obj.name} · {obj.title}" if obj.title else obj.name


class LeadAutocompleteView(AutocompleteView):
    """Leads the user sees, by company or contact name; ``?open=1`` only open ones."""

    def get_queryset(self) -> QuerySet[Lead]:
        queryset = Lead.objects.visible_to(self.request.user)
        if self.request.GET.get("open") == "1":
            queryset = queryset.open()
        return queryset.order_by("company_name", "pk")

    def search(self, queryset: QuerySet[Lead], term: str) -> QuerySet[Lead]:
        return search(queryset, term, ("company_name", "contact_name"))
