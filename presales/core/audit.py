"""Audit trail display: who changed what, when, before and after (django-simple-history).

Every audited model declares ``history = HistoricalRecords()``; services save with the
actor as ``_history_user``. This module turns history rows into readable entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from presales.core.i18n import join_list

ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: object
    action: str
    object_label: str
    model_label: str
    changes: list[Change] = field(default_factory=list)


def _display(record: Any, field_name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    model_field = record.instance_type._meta.get_field(field_name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation and not model_field.many_to_many:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else f"#{value}"
    if model_field.many_to_many:
        ids = [row[model_field.m2m_reverse_field_name()] for row in value] if value else []
        names = model_field.related_model._default_manager.filter(pk__in=ids)
        return join_list(sorted(str(n) for n in names)) or "—"
    # A list (competitors, reminder hours) reads as a phrase, not as a Python repr.
    if isinstance(value, list | tuple):
        return join_list(value) or "—"
    # str() would show "True" and an ISO timestamp in UTC whatever the reader's language.
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    return str(value)


@dataclass
class _FieldChange:
    field: str
    old: object
    new: object


@dataclass
class _Delta:
    changes: list[_FieldChange]


def _diff(record: Any, previous: Any) -> _Delta:
    """Field changes between two versions, including fields that are ``editable=False``
    (stage, status, deadlines): simple-history's ``diff_against`` leaves those out."""
    changes = [
        _FieldChange(f.name, getattr(previous, f.attname), getattr(record, f.attname))
        for f in record.tracked_fields
        if getattr(previous, f.attname) != getattr(record, f.attname)
    ]
    m2m = [f.name for f in previous._history_m2m_fields]
    if m2m:
        changes += record.diff_against(previous, included_fields=m2m).changes
    return _Delta(sorted(changes, key=lambda c: c.field))


def history_entries(*histories: QuerySet[Any], limit: int = 100) -> list[Entry]:
    """Merge several history querysets (a record and its children) newest first, each
    entry with the field-level changes against the previous version of the same object."""
    # Historical rows are models simple-history generates at run time: no static type.
    records: list[Any] = []
    for qs in histories:
        records.extend(qs.select_related("history_user").order_by("-history_date")[:limit])
    records.sort(key=lambda r: r.history_date, reverse=True)
    entries = []
    for record in records[:limit]:
        meta = record.instance_type._meta
        entry = Entry(
            when=record.history_date,
            who=record.history_user,
            action=str(ACTIONS.get(record.history_type, record.history_type)),
            object_label=str(record.instance)
            if record.history_type != "-"
            else record.history_object.__str__(),
            model_label=str(meta.verbose_name),
        )
        previous = record.prev_record
        if record.history_type == "~" and previous is not None:
            delta = _diff(record, previous)
            for change in delta.changes:
                entry.changes.append(
                    Change(
                        field=str(meta.get_field(change.field).verbose_name),
                        old=_display(record, change.field, change.old),
                        new=_display(record, change.field, change.new),
                    )
                )
            if not entry.changes:
                continue
        elif record.history_type == "+":
            for model_field in meta.concrete_fields:
                if model_field.name in ("id", "created_at", "updated_at") or not model_field.editable:
                    continue
                value = getattr(record, model_field.attname, None)
                if value not in (None, ""):
                    entry.changes.append(
                        Change(str(model_field.verbose_name), "", _display(record, model_field.name, value))
                    )
        entries.append(entry)
    return entries
