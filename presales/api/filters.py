"""Ordering for cursor-paginated lists."""

from __future__ import annotations

from rest_framework.filters import OrderingFilter


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` restricted to the view's ``ordering_fields``, made safe for cursors.

    - A ``-pk`` tiebreaker is appended, so rows with equal sort keys keep one order and the
      cursor's offset within a key is meaningful.
    - ``ordering_aliases`` maps a public name to an annotation the view's queryset provides:
      cursor pagination compares the first sort key with ``<``/``>``, which fails on NULLs,
      so nullable fields are sorted through a non-null annotation (e.g. ``Coalesce``).
    """

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering is None:
            return None
        aliases = getattr(view, "ordering_aliases", {})
        result = []
        for term in ordering:
            descending = term.startswith("-")
            name = aliases.get(term.lstrip("-"), term.lstrip("-"))
            result.append(f"-{name}" if descending else name)
        if not any(term.lstrip("-") in ("pk", "id") for term in result):
            result.append("-pk")
        return tuple(result)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, list | tuple):
            for parameter in parameters:
                parameter["description"] = (
                    f"Sort by {', '.join(fields)}; prefix '-' for descending, comma-separate several. "
                    "Unknown fields are ignored."
                )
        return parameters
