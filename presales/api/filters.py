"""Ordering for cursor-paginated lists."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from presales.core.ordering import null_sort_key

NULL_SORT_SUFFIX = "_nonnull"


class StableOrderingFilter(OrderingFilter):
    """``?ordering=`` restricted to the view's ``ordering_fields``, made safe for cursors.

    - An unknown value answers 400 naming ``ordering`` (it used to be ignored silently).
    - A ``-pk`` tiebreaker is appended, so rows with equal sort keys keep one order and the
      cursor's offset within a key is meaningful.
    - ``ordering_aliases`` maps a public name to an annotation the view's queryset provides.
      Cursor pagination compares the first sort key with ``<``/``>``, which fails on NULLs:
      a nullable model field without an alias is sorted through a ``Coalesce`` annotation
      (``<name>_nonnull``) that places NULL where PostgreSQL would (last ascending).
    - A view without ``ordering_fields`` may only be sorted by ``id``.
    """

    def get_valid_fields(self, queryset, view, context=None):
        fields = getattr(view, "ordering_fields", None) or ("id",)
        return [(name, name) for name in fields]

    def allowed_values(self, view) -> list[str]:
        return [name for name, _label in self.get_valid_fields(None, view)]

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param, "")
        terms = [term.strip() for term in params.split(",") if term.strip()]
        if not terms:
            ordering = self.get_default_ordering(view) or ("-pk",)
        else:
            allowed = self.allowed_values(view)
            unknown = [term for term in terms if term.lstrip("-") not in allowed]
            if unknown:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _("Unknown sort field %(fields)s; use one of %(allowed)s.")
                            % {"fields": ", ".join(unknown), "allowed": ", ".join(allowed)}
                        ]
                    }
                )
            ordering = terms
        aliases = getattr(view, "ordering_aliases", {})
        model = queryset.model if queryset is not None else None
        result = []
        for term in ordering:
            descending = term.startswith("-")
            name = term.lstrip("-")
            name = aliases.get(name) or self._null_safe_name(model, queryset, name)
            result.append(f"-{name}" if descending else name)
        if not any(term.lstrip("-") in ("pk", "id") for term in result):
            result.append("-pk")
        return tuple(result)

    def _nullable_field(self, model, queryset, name: str) -> models.Field | None:
        if model is None or name in queryset.query.annotations or name == "pk":
            return None
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        return field if getattr(field, "null", False) and field.concrete else None

    def _null_safe_name(self, model, queryset, name: str) -> str:
        return name + NULL_SORT_SUFFIX if self._nullable_field(model, queryset, name) else name

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        annotations = {}
        for term in ordering:
            name = term.lstrip("-")
            if name.endswith(NULL_SORT_SUFFIX) and name not in queryset.query.annotations:
                field = self._nullable_field(queryset.model, queryset, name.removesuffix(NULL_SORT_SUFFIX))
                if field is not None:
                    # The same expression as the indexes that serve it (presales.core.ordering).
                    annotations[name] = null_sort_key(field.name, field)
        if annotations:
            queryset = queryset.annotate(**annotations)
        return queryset.order_by(*ordering)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = self.allowed_values(view)
        for parameter in parameters:
            parameter["description"] = (
                f"Sort by {', '.join(fields)}; prefix '-' for descending, comma-separate several. "
                "An unknown field answers 400."
            )
        return parameters
