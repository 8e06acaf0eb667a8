"""Form helpers shared by every app's web pages: Bootstrap styling and the one way a
service's DomainError becomes form errors."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.validators import MaxLengthValidator
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from presales.core.errors import DomainError
from presales.core.i18n import join_list


def bootstrap(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget its Bootstrap 5 class (also used on FilterSet forms)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.RadioSelect):
            # Hidden inputs need no class; radio and checkbox lists are laid out by the template.
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        if isinstance(widget, forms.DateInput) and not isinstance(widget, forms.DateTimeInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
        if isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("rows", 3)
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])
    return form


# Messages people read instead of Django's developer wording ("Ensure this value has at
# most 200 characters"), issue 8. English source strings, translated with the rest.
TOO_LONG = gettext_lazy("Please shorten this to %(limit_value)d characters or fewer (it has %(show_value)d).")
NOT_OFFERED = gettext_lazy("Please choose one of the options offered.")


def humanize_errors(form: forms.BaseForm) -> forms.BaseForm:
    """Give every field of ``form`` the plain messages for too long a text and a choice
    that is not offered; a field's own custom message is kept."""
    for field in form.fields.values():
        field.validators = [
            MaxLengthValidator(v.limit_value, message=TOO_LONG)
            if type(v) is MaxLengthValidator and v.message == MaxLengthValidator.message
            else v
            for v in field.validators
        ]
        defaults = {
            forms.ChoiceField: forms.ChoiceField.default_error_messages.get("invalid_choice"),
            forms.ModelChoiceField: forms.ModelChoiceField.default_error_messages.get("invalid_choice"),
            forms.ModelMultipleChoiceField: forms.ModelMultipleChoiceField.default_error_messages.get(
                "invalid_choice"
            ),
        }
        current = field.error_messages.get("invalid_choice")
        if current is not None and current in defaults.values():
            field.error_messages["invalid_choice"] = NOT_OFFERED
    return form


class BootstrapMixin:
    """A form whose widgets carry their Bootstrap 5 classes and whose messages are worded
    for people (``humanize_errors``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
        humanize_errors(self)


def apply_domain_error(form: forms.BaseForm, exc: DomainError, *, unplaced: list[str] | None = None) -> None:
    """Put a service's refusal on ``form``: field messages on their fields, the rest (the
    message when no field is named, gate reasons, messages for fields the form lacks) as
    non-field errors. With ``unplaced``, messages for fields the form lacks go there instead
    (a page that shows them elsewhere, e.g. beside a formset)."""
    for name, msgs in exc.fields.items():
        for msg in msgs:
            if name in form.fields:
                form.add_error(name, msg)
            elif unplaced is not None:
                unplaced.append(msg)
            else:
                form.add_error(None, msg)
    if not exc.fields:
        form.add_error(None, exc.message)
    for reason in exc.reasons:
        form.add_error(None, reason)


def add_version_field(form: forms.BaseForm, obj) -> forms.BaseForm:
    """Give the edit form of a versioned record (issue 8) its hidden ``version``: the
    version of ``obj`` the form shows, sent back with the edit (``check_version``)."""
    form.fields["version"] = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, initial=obj.version
    )
    return form


def add_form_message(form: forms.BaseForm, message: str) -> None:
    """A non-field error on ``form`` even when it is unbound (the current values shown
    again), where ``add_error`` needs cleaned data the form never had."""
    form.errors.setdefault(NON_FIELD_ERRORS, form.error_class(error_class="nonfield")).append(message)


def without_version(cleaned_data: dict) -> dict:
    """A form's cleaned data without its hidden ``version`` (which is no field to write)."""
    return {name: value for name, value in cleaned_data.items() if name != "version"}


def stale_message(exc: DomainError, form: forms.BaseForm, model) -> str:
    """The non-field error of an edit refused as stale (``check_version``): who changed the
    record, when, and which fields (labels as the form shows them), when history says so."""
    who, at = exc.extra.get("changed_by"), parse_datetime(exc.extra.get("changed_at") or "")
    if not who or at is None:
        return _(
            "This record was changed by someone else while you were editing. "
            "Review the current values and save again."
        )
    labels = []
    for name in exc.extra.get("changed_fields") or []:
        if name in form.fields and form.fields[name].label:
            labels.append(form.fields[name].label)
            continue
        try:
            labels.append(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            labels.append(name)
    when = formats.date_format(timezone.localtime(at), "DATETIME_FORMAT")
    if not labels:
        return _(
            "This record was changed by %(who)s at %(when)s while you were editing. "
            "Review the current values and save again."
        ) % {"who": who, "when": when}
    return _(
        "This record was changed by %(who)s at %(when)s while you were editing: %(fields)s. "
        "Review the current values and save again."
    ) % {"who": who, "when": when, "fields": join_list(labels)}
