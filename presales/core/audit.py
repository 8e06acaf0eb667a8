"""Audit trail display: who changed what, when, before and after (django-simple-history).

Every audited model declares ``history = HistoricalRecords()``; services save with the
actor as ``_history_user``. This module turns history rows into readable entries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
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


def _fk_fields(model: Any) -> list[Any]:
    return [f for f in model._meta.concrete_fields if f.is_relation and f.many_to_one]


class _Related:
    """The records history rows point to, fetched once per related model for a window of
    entries (issue 9: a name per changed foreign key, a label per entry, no query per row)."""

    def __init__(self, records: list[Any]) -> None:
        wanted: dict[Any, set[Any]] = defaultdict(set)
        for record in records:
            for f in _fk_fields(record.instance_type):
                value = getattr(record, f.attname, None)
                if value is not None:
                    wanted[f.related_model].add(value)
        self.found: dict[Any, dict[Any, Any]] = {
            model: model._default_manager.in_bulk(sorted(pks)) for model, pks in wanted.items()
        }

    def get(self, model: Any, pk: Any) -> Any:
        return self.found.get(model, {}).get(pk)

    def label(self, record: Any) -> str:
        """``str()`` of the record as it was, its foreign keys read from the fetched rows."""
        obj = record.history_object
        for f in _fk_fields(record.instance_type):
            value = getattr(record, f.attname, None)
            related = self.get(f.related_model, value) if value is not None else None
            if related is not None:
                f.set_cached_value(obj, related)
        return str(obj)


def _display(record: Any, field_name: str, value: Any, related: _Related) -> str:
    if value in (None, ""):
        return "—"
    model_field = record.instance_type._meta.get_field(field_name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation and not model_field.many_to_many:
        found = related.get(model_field.related_model, value)
        return str(found) if found is not None else f"#{value}"
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


def _previous_versions(records: list[Any]) -> dict[int, Any]:
    """The version before each changed record (what ``prev_record`` gives), one query per
    history model however many records: ``{id(record): previous}``."""
    by_model: dict[Any, list[Any]] = defaultdict(list)
    for record in records:
        if record.history_type == "~":
            by_model[type(record)].append(record)
    found: dict[int, Any] = {}
    for model, changed in by_model.items():
        before = (
            model.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
            .order_by("-history_date")
            .values("history_id")[:1]
        )
        previous_ids = (
            model.objects.filter(history_id__in=[r.history_id for r in changed])
            .annotate(previous=Subquery(before))
            .values("previous")
        )
        candidates: dict[Any, list[Any]] = defaultdict(list)
        for row in model.objects.filter(history_id__in=previous_ids):
            candidates[row.id].append(row)
        for record in changed:
            earlier = [c for c in candidates[record.id] if c.history_date < record.history_date]
            if earlier:
                found[id(record)] = max(earlier, key=lambda c: c.history_date)
    return found


@dataclass
class HistoryPage:
    """A window of the audit trail, newest first; ``older`` is the ``before`` value of the
    next window (None when this one reaches the first change)."""

    entries: list[Entry]
    older: datetime | None


def history_page(*histories: QuerySet[Any], limit: int = 20, before: datetime | None = None) -> HistoryPage:
    """Merge several history querysets (a record and its children) newest first, ``limit``
    versions at most from ``before`` (inclusive) down, each entry with the field-level
    changes against the previous version of the same object. A constant number of queries
    (issue 9): per history queryset one for the window and one for the previous versions,
    and one per related model whose names the entries show."""
    # Historical rows are models simple-history generates at run time: no static type.
    records: list[Any] = []
    for qs in histories:
        if before is not None:
            qs = qs.filter(history_date__lte=before)
        records.extend(qs.select_related("history_user").order_by("-history_date")[: limit + 1])
    records.sort(key=lambda r: r.history_date, reverse=True)
    older = None
    if len(records) > limit:
        older = records[limit].history_date
        window = [r for r in records[:limit] if r.history_date > older]
        # A window made of one instant only (never in practice) still moves on.
        records = window or records[:limit]
        if not window:
            older = None
    previous = _previous_versions(records)
    related = _Related(records + list(previous.values()))
    entries = []
    for record in records:
        meta = record.instance_type._meta
        entry = Entry(
            when=record.history_date,
            who=record.history_user,
            action=str(ACTIONS.get(record.history_type, record.history_type)),
            object_label=related.label(record),
            model_label=str(meta.verbose_name),
        )
        prev = previous.get(id(record))
        if record.history_type == "~" and prev is not None:
            delta = _diff(record, prev)
            for change in delta.changes:
                entry.changes.append(
                    Change(
                        field=str(meta.get_field(change.field).verbose_name),
                        old=_display(record, change.field, change.old, related),
                        new=_display(record, change.field, change.new, related),
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
                        Change(
                            str(model_field.verbose_name),
                            "",
                            _display(record, model_field.name, value, related),
                        )
                    )
        entries.append(entry)
    return HistoryPage(entries, older)


def history_entries(*histories: QuerySet[Any], limit: int = 100) -> list[Entry]:
    """The newest ``limit`` versions of :func:`history_page` as entries."""
    return history_page(*histories, limit=limit).entries
