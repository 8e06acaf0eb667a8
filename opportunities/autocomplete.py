"""The opportunity picker's search-as-you-type endpoint (issue 9), scoped like the list."""

from __future__ import annotations

from django.db.models import QuerySet

from opportunities.models import Opportunity
from presales.core.search import search
from presales.web.autocomplete import AutocompleteView


class OpportunityAutocompleteView(AutocompleteView):
    """Opportunities the user sees, by title."""

    def get_queryset(self) -> QuerySet[Opportunity]:
        return (
            Opportunity.objects.visible_to(self.request.user)
            .select_related("customer")
            .order_by("title", "pk")
        )

    def search(self, queryset: QuerySet[Opportunity], term: str) -> QuerySet[Opportunity]:
        return search(queryset, term, ("title",))

    def label(self, obj: Opportunity) -> str:
        return f"{obj.title} · {obj.customer.name}"
