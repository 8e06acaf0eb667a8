"""Keyset pagination for every API list, with bad paging input answered as a 400."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

# Called with (request, view, rows served) after each page of a list: a concern above the
# API layer (logging bulk reads as exports, R-CUST-6) registers here from ``ready()``.
_PAGE_HOOKS: list[Callable] = []


def register_page_hook(hook: Callable) -> None:
    if hook not in _PAGE_HOOKS:
        _PAGE_HOOKS.append(hook)


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination: constant cost per page however large the table (no OFFSET/COUNT).

    Follows the ``ordering`` query parameter through the view's ``StableOrderingFilter``
    (which appends a ``-pk`` tiebreaker and sorts nullable keys through non-null
    annotations), so rows with equal sort keys are disambiguated by the cursor's offset and
    every row is returned exactly once. A ``page_size`` that is not an integer from 1 to
    ``max_page_size``, and a cursor that was not issued by this API, answer 400 naming the
    parameter.
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-pk"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Use a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view):
        """The schema says what ``get_page_size`` accepts (1 to ``max_page_size``), so that a
        generated client never sends a page size the API refuses (schemathesis ST202)."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1, "maximum": self.max_page_size}
        return parameters

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise self._invalid_cursor() from None

    def paginate_queryset(self, queryset, request, view=None):
        # The cursor's position is compared with the first sort key: check that it is a
        # value of that key before the database sees it (a tampered cursor is a 400).
        self._check_position(queryset, request, view)
        try:
            page = super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            if request.query_params.get(self.cursor_query_param) is None:
                raise
            raise self._invalid_cursor() from None
        self.record_read(request, view, page)
        return page

    def record_read(self, request, view, page) -> None:
        """Tell the registered hooks how many rows this page served (R-CUST-6: bulk reads
        are logged as exports, presales/exports/paging.py)."""
        if page:
            for hook in _PAGE_HOOKS:
                hook(request, view, len(page))

    def _invalid_cursor(self) -> ValidationError:
        return ValidationError(
            {self.cursor_query_param: [_("Invalid cursor: follow the next/previous links.")]}
        )

    def _check_position(self, queryset, request, view) -> None:
        cursor = self.decode_cursor(request)
        if cursor is None or cursor.position is None:
            return
        key = self.get_ordering(request, queryset, view)[0].lstrip("-")
        field = queryset.query.annotations.get(key)
        field = getattr(field, "output_field", None)
        if field is None:
            try:
                meta = queryset.model._meta
                field = meta.pk if key == "pk" else meta.get_field(key)
            except FieldDoesNotExist:
                return
        try:
            field.get_prep_value(field.to_python(cursor.position))
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise self._invalid_cursor() from None
