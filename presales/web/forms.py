"""Form helpers shared by every app's web pages: Bootstrap styling and the one way a
service's DomainError becomes form errors."""

from __future__ import annotations

from django import forms

from presales.core.errors import DomainError


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


class BootstrapMixin:
    """A form whose widgets carry their Bootstrap 5 classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


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
