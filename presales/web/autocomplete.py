"""Search-as-you-type pickers (issue 9): no form or filter renders an unbounded ``<select>``.

Two halves, both generic (the core imports no app):

- ``AutocompleteView``: a JSON endpoint ``?q=…`` answering ``{"results": [{"id", "text"}],
  "more": bool}`` with at most ``limit`` rows of ``get_queryset()``. Each app subclasses it
  once per kind of record and mounts it in its own urls; ``get_queryset`` is scoped exactly
  like the app's list (the model's ``visible_to(user)``) and the view is role-checked like
  the list (signed in and holding a role, else 403).
- ``AutocompleteSelect``: the ``<select>`` widget of such a field. It renders only the
  selected option (read through the field's own queryset, so an id outside the user's scope
  renders nothing); static/js/autocomplete.js turns it into a Tom Select that asks the
  endpoint as the user types. The form field keeps its scoped queryset: a posted id is
  validated against it exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View

from presales.web.views import RoleRequiredMixin

AUTOCOMPLETE_LIMIT = 20
MAX_TERM = 100


class AutocompleteView(RoleRequiredMixin, View):
    """Base of every autocomplete endpoint: subclasses define ``get_queryset`` (scoped and
    ordered) and ``search``; ``label`` is the text shown for a row."""

    # A JSON endpoint: 403 for the anonymous too, never a redirect to the login page.
    raise_exception = True
    limit = AUTOCOMPLETE_LIMIT

    def get_queryset(self) -> QuerySet[Any]:
        raise NotImplementedError("Autocomplete views declare their scoped queryset.")

    def search(self, queryset: QuerySet[Any], term: str) -> QuerySet[Any]:
        raise NotImplementedError("Autocomplete views declare how a term matches.")

    def label(self, obj: Any) -> str:
        return str(obj)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        term = request.GET.get("q", "").strip()[:MAX_TERM]
        queryset = self.get_queryset()
        if term:
            queryset = self.search(queryset, term)
        rows = list(queryset[: self.limit + 1])
        return JsonResponse(
            {
                "results": [{"id": obj.pk, "text": self.label(obj)} for obj in rows[: self.limit]],
                "more": len(rows) > self.limit,
            }
        )


class AutocompleteSelect(forms.Select):
    """A ``<select>`` carrying only its selected option and the endpoint to search
    (``data-autocomplete-url``); ``params`` are added to the endpoint's query string (e.g.
    the customer whose contacts are offered, or the roles a picked person must hold)."""

    def __init__(
        self,
        url_name: str,
        params: Mapping[str, Any] | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.url_name = url_name
        self.params = dict(params or {})

    @property
    def url(self) -> str:
        url = reverse(self.url_name)
        return f"{url}?{urlencode(self.params)}" if self.params else url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {
            **(attrs or {}),
            "data-autocomplete-url": self.url,
            "data-placeholder": str(_("Type to search…")),
            "data-no-results": str(_("Nothing found.")),
            "data-more": str(_("More match: type more of the name to narrow the list.")),
        }
        return super().get_context(name, value, attrs)

    def use_required_attribute(self, initial: Any) -> bool:
        # The first option is always the empty one (``selected_choices``): no need to read the
        # field's choices (which would query the whole queryset) to decide.
        return forms.Widget.use_required_attribute(self, initial)

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        everything = self.choices
        self.choices = self.selected_choices(value)
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = everything

    def selected_choices(self, value: Iterable[Any]) -> list[tuple[Any, Any]]:
        """The empty choice and the selected ones only: one query on the field's own (scoped)
        queryset, none when nothing is selected."""
        wanted = [str(v) for v in value if v not in (None, "")]
        choices: list[tuple[Any, Any]] = [("", "")]
        queryset = getattr(self.choices, "queryset", None)
        if not wanted:
            return choices
        if queryset is None:
            return choices + [(k, v) for k, v in self.choices if str(k) in wanted]
        try:
            objects: list[Model] = list(queryset.filter(pk__in=wanted))
        except (ValueError, TypeError, ValidationError):
            return choices  # a tampered value: the form reports it, the widget shows nothing
        return choices + [self.choices.choice(obj) for obj in objects]  # type: ignore[attr-defined]


def autocomplete(field: forms.Field, url_name: str, **params: Any) -> None:
    """Make ``field`` (a model choice field whose queryset is already scoped) a search-as-you-type
    picker on ``url_name``; call it after the field's ``required`` is settled."""
    widget = AutocompleteSelect(url_name, params, attrs=dict(field.widget.attrs))
    widget.choices = field.choices  # type: ignore[attr-defined]
    widget.is_required = field.required
    field.widget = widget


class AutocompleteSelectMultiple(AutocompleteSelect):
    """``AutocompleteSelect`` for a many-to-many field (``<select multiple>``): the selected
    options only, Tom Select adds more as the user types (R-COMM-2's participants)."""

    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return forms.SelectMultiple().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # an empty multiple select posts nothing: that is "none chosen"


def autocomplete_multiple(field: forms.Field, url_name: str, **params: Any) -> None:
    """:func:`autocomplete` for a ``ModelMultipleChoiceField``."""
    widget = AutocompleteSelectMultiple(url_name, params, attrs=dict(field.widget.attrs))
    widget.choices = field.choices  # type: ignore[attr-defined]
    widget.is_required = field.required
    field.widget = widget
