"""Use cases of generated documents (issue 12).

:func:`document_request` finds or queues the PDF of a record (one live file per source
fingerprint, variant and language); the Celery task on the ``documents`` queue calls
:func:`document_run`, which claims the row, renders it under a time limit (the task's) and a
memory ceiling, and stores the file. :func:`document_for_download` checks again, at every
download, that the reader may see the record and have this variant now (R-SOL-5 holds for a
stale stored file too). :func:`document_record_sent` logs what left the company (R-DOC). :func:`documents_of` and
:func:`documents_withdraw` serve a contact's erasure (R-CUST-8): the files of a customer's
documents are deleted and the rows marked failed, so the next request renders them anew.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from presales.core import jobs
from presales.core.errors import DomainError, GateRefused, NotFound
from presales.core.relations import path_to
from presales.core.tasks import enqueue_on_commit
from presales.documents.models import (
    LIVE_STATES,
    Branding,
    DeliveryChannel,
    Document,
    DocumentDelivery,
    DocumentState,
)
from presales.documents.registry import DocumentType, document_type, document_types
from presales.documents.render import memory_ceiling, render_document

RUN_TASK = "presales.documents.tasks.render_document_task"
# Bump when the common layout changes what every document looks like: all files are remade.
LAYOUT_REVISION = "2026-12-05"
STALE_AFTER = timedelta(minutes=10)
QUEUED_RECOVERY_AFTER = timedelta(minutes=5)

logger = logging.getLogger(__name__)


def memory_limit_mb() -> int:
    return int(settings.PRESALES.get("DOCUMENT_MEMORY_MB", 600))


def _type(key: str) -> DocumentType:
    doc_type = document_type(str(key or ""))
    if doc_type is None:
        raise DomainError(fields={"doc_type": [_("Choose a document type.")]})
    return doc_type


def source_of(doc_type: DocumentType, actor: Any, object_id: Any) -> Any:
    """The record ``object_id`` as ``actor`` may see it; a hidden or missing one is a 404."""
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise DomainError(fields={"object_id": [_("Give the record's number.")]}) from None
    obj = doc_type.visible(actor).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def _check_variant(doc_type: DocumentType, actor: Any, obj: Any, variant: str) -> None:
    if doc_type.variant(variant) is None:
        raise DomainError(fields={"variant": [_("This document has no such version.")]})
    reasons = doc_type.refusals(actor, obj, variant)
    if reasons:
        raise GateRefused(reasons=reasons)


def fingerprint_of(doc_type: DocumentType, obj: Any) -> str:
    """Changes whenever the file would: the source (the type says how), the branding, the
    common layout."""
    branding = Branding.current()
    raw = f"{LAYOUT_REVISION}|{doc_type.key}|{doc_type.fingerprint(obj)}|{branding.updated_at.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _language(language: str | None, actor: Any) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    chosen = language or getattr(actor, "language", "") or settings.LANGUAGE_CODE
    if chosen not in codes:
        raise DomainError(fields={"language": [_("Choose one of the document languages.")]})
    return chosen


def document_request(
    *, actor: Any, doc_type: str, object_id: Any, variant: str = "standard", language: str | None = None
) -> Document:
    """The document of a record: the stored one when its source has not changed since, else
    a new one queued for rendering (two requests at once share one row)."""
    kind = _type(doc_type)
    obj = source_of(kind, actor, object_id)
    _check_variant(kind, actor, obj, variant)
    language = _language(language, actor)
    key = {
        "doc_type": kind.key,
        "content_type": ContentType.objects.get_for_model(obj),
        "object_id": obj.pk,
        "variant": variant,
        "language": language,
        "fingerprint": fingerprint_of(kind, obj),
    }
    existing = Document.objects.filter(state__in=LIVE_STATES, **key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            document = Document.objects.create(
                **key,
                requested_by=actor,
                number=str(kind.number(obj))[:80],
                title=str(kind.title(obj))[:200],
                final=bool(kind.final(obj)),
            )
            enqueue_on_commit(RUN_TASK, document.pk)
    except IntegrityError:  # the same request a moment earlier
        return Document.objects.get(state__in=LIVE_STATES, **key)
    return document


@transaction.atomic
def _claim(document_id: int) -> Document | None:
    document = Document.objects.select_for_update().filter(pk=document_id).first()
    if document is None or document.state != DocumentState.QUEUED:
        return None
    document.state = DocumentState.RUNNING
    document.started_at = document.heartbeat_at = timezone.now()
    document.progress = 5
    document.save(update_fields=["state", "started_at", "heartbeat_at", "progress"])
    return document


def _progress(document_id: int, percent: int) -> None:
    Document.objects.filter(pk=document_id, state=DocumentState.RUNNING).update(
        progress=min(percent, 99), heartbeat_at=timezone.now()
    )


def document_run(*, document_id: int) -> Document | None:
    """Render a queued document (the Celery task calls this; idempotent: only a queued row
    is claimed). A failure marks it failed with a message for the reader; the details go to
    the log."""
    document = _claim(document_id)
    if document is None:
        return Document.objects.filter(pk=document_id).first()
    kind = document_type(document.doc_type)
    try:
        if kind is None:
            raise DomainError(_("This document type is no longer available."))
        obj = kind.visible(document.requested_by).filter(pk=document.object_id).first()
        if obj is None:
            raise DomainError(_("The record is no longer available to the requester."))
        with memory_ceiling(memory_limit_mb()):
            rendered = render_document(
                kind,
                obj,
                variant=document.variant,
                language=document.language,
                user=document.requested_by,
                progress=lambda percent: _progress(document_id, percent),
            )
        _progress(document_id, 90)
        if rendered.refused:
            logger.warning("Document %s: refused to load %s", document_id, rendered.refused)
        name = document.file.field.generate_filename(document, "document.pdf")
        stored = document.file.storage.save(name, ContentFile(rendered.pdf))
    except MemoryError:
        return _finish_failed(document_id, _("The document is too large to render."))
    except DomainError as exc:
        return _finish_failed(document_id, exc.message)
    except Exception:
        logger.exception("Document %s failed", document_id)
        return _finish_failed(
            document_id, _("The document could not be rendered; try again or tell an admin.")
        )
    return _finish_done(document_id, stored, size=len(rendered.pdf), pages=rendered.pages)


@transaction.atomic
def _finish_done(document_id: int, stored: str, *, size: int, pages: int) -> Document:
    document = Document.objects.select_for_update().get(pk=document_id)
    if document.state != DocumentState.RUNNING:  # failed as stale meanwhile: keep that
        document.file.storage.delete(stored)
        return document
    document.file.name = stored
    document.state = DocumentState.DONE
    document.progress = 100
    document.size = size
    document.pages = pages
    document.finished_at = timezone.now()
    document.save(update_fields=["file", "state", "progress", "size", "pages", "finished_at"])
    return document


@transaction.atomic
def _finish_failed(document_id: int, message: str) -> Document:
    document = Document.objects.select_for_update().get(pk=document_id)
    if document.state == DocumentState.RUNNING:
        document.state = DocumentState.FAILED
        document.error = str(message)[:2000]
        document.finished_at = timezone.now()
        document.save(update_fields=["state", "error", "finished_at"])
    return document


def visible_document(*, actor: Any, document_id: Any) -> tuple[Document, Any]:
    """The document and its record, if ``actor`` may see the record (else 404)."""
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    document = Document.objects.filter(pk=pk).first()
    kind = document_type(document.doc_type) if document else None
    if document is None or kind is None:
        raise NotFound()
    obj = kind.visible(actor).filter(pk=document.object_id).first()
    if obj is None:
        raise NotFound()
    return document, obj


def document_for_download(*, actor: Any, document_id: Any) -> Document:
    """A ready document's file, checked again now: the reader sees the record and may have
    this variant (R-SOL-5: a stored customer copy of a version that is no longer approved is
    refused like a new one)."""
    document, obj = visible_document(actor=actor, document_id=document_id)
    kind = _type(document.doc_type)
    _check_variant(kind, actor, obj, document.variant)
    if document.state != DocumentState.DONE or not document.file:
        raise GateRefused(reasons=[_("The document is not ready yet.")])
    return document


def is_current(document: Document, obj: Any) -> bool:
    """Whether the record still reads as when the document was made."""
    kind = document_type(document.doc_type)
    return kind is not None and document.fingerprint == fingerprint_of(kind, obj)


@transaction.atomic
def document_record_sent(
    *, actor: Any, document_id: Any, recipient: str, channel: str, sent_on: date | None = None, note: str = ""
) -> DocumentDelivery:
    """Log that a document left the company (R-DOC): which file, to whom, when. Only a
    ready file of the record's current source, and for a customer variant only an approved
    one (R-SOL-5)."""
    document = document_for_download(actor=actor, document_id=document_id)
    errors: dict[str, list[str]] = {}
    recipient = " ".join(str(recipient or "").split())
    if not recipient:
        errors["recipient"] = [_("Say who received it.")]
    elif len(recipient) > 200:
        errors["recipient"] = [_("Keep it under 200 characters.")]
    if channel not in DeliveryChannel.values:
        errors["channel"] = [_("Choose how it was sent.")]
    sent_on = sent_on or timezone.localdate()
    if not isinstance(sent_on, date) or sent_on > timezone.localdate():
        errors["sent_on"] = [_("The date cannot be in the future.")]
    if len(note or "") > 500:
        errors["note"] = [_("Keep it under 500 characters.")]
    if errors:
        raise DomainError(fields=errors)
    kind = _type(document.doc_type)
    variant = kind.variant(document.variant)
    if variant is not None and variant.for_customer and not document.final:
        raise GateRefused(reasons=[_("Only an approved document is sent to a customer (R-SOL-5).")])
    return DocumentDelivery.objects.create(
        document=document,
        recipient=recipient,
        channel=channel,
        sent_on=sent_on,
        note=note or "",
        sent_by=actor,
    )


def documents_fail_stale(*, now: datetime | None = None) -> int:
    return jobs.fail_stale(
        Document,
        after=STALE_AFTER,
        error=_("The rendering was interrupted (its worker stopped); ask for the document again."),
        now=now,
    )


def documents_recover_queued(*, now: datetime | None = None) -> int:
    return jobs.recover_queued(Document, task=RUN_TASK, after=QUEUED_RECOVERY_AFTER, now=now)


def documents_of(target: Any, *, records: Iterable[tuple[str, int]] = ()) -> QuerySet[Document]:
    """Every document made from ``target`` or from a record that reaches it through foreign
    keys (a customer: its opportunities, their solution versions, bids, contracts, handoffs
    …) or through a generic relation to such a record (a review form: the review's subject,
    e.g. a solution version of the customer), found from the registered types' models
    without naming any app; plus the documents of ``records`` (``(model label, pk)`` pairs,
    e.g. the reviews whose text was scrubbed)."""
    target_label = target._meta.label
    wanted = Q(pk__in=[])
    for kind in document_types():
        model = django_apps.get_model(kind.model)
        content_type = ContentType.objects.get_for_model(model)
        route = path_to(model, target_label)
        if route is not None:
            ids = model._default_manager.filter(**{route[0] or "pk": target.pk}).values("pk")
        elif _generic_keys(model):
            made = Document.objects.filter(doc_type=kind.key, content_type=content_type).values("object_id")
            ids = _subject_reaches(model._default_manager.filter(pk__in=made), target).values("pk")
        else:
            continue
        wanted |= Q(doc_type=kind.key, content_type=content_type, object_id__in=ids)
    by_label: dict[str, set[int]] = {}
    for label, pk in records:
        by_label.setdefault(label.lower(), set()).add(pk)
    for label, pks in by_label.items():
        model = django_apps.get_model(label)
        wanted |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=sorted(pks))
    return Document.objects.filter(wanted)


def _generic_keys(model: type[Any]) -> list[GenericForeignKey]:
    return [field for field in model._meta.private_fields if isinstance(field, GenericForeignKey)]


def _subject_reaches(rows: QuerySet[Any], target: Any) -> QuerySet[Any]:
    """Those of ``rows`` whose generic subject (a ``GenericForeignKey``: content type +
    object id) is ``target`` or reaches it through foreign keys. The subjects' content types
    are read from the rows (one query: the caller passes only the rows that have documents),
    then each subject model's path to the target gives its ids: the rows' ``(content type,
    object id IN subjects)``, per content type."""
    target_label = target._meta.label
    wanted = Q(pk__in=[])
    for key in _generic_keys(rows.model):
        type_ids = rows.order_by().values_list(key.ct_field, flat=True).distinct()
        for type_id in sorted(t for t in type_ids if t is not None):
            subject_model = ContentType.objects.get_for_id(type_id).model_class()
            route = None if subject_model is None else path_to(subject_model, target_label)
            if subject_model is None or route is None:
                continue
            subjects = subject_model._default_manager.filter(**{route[0] or "pk": target.pk}).values("pk")
            wanted |= Q(**{key.ct_field: type_id, f"{key.fk_field}__in": subjects})
    return rows.filter(wanted)


def documents_withdraw(*, documents: QuerySet[Document], reason: str) -> int:
    """R-CUST-8: documents that may print what is no longer kept (a contact's erased details)
    are withdrawn: their stored files are deleted (once the caller's transaction commits) and
    they are marked failed with ``reason``, so a download is refused and the next request
    renders a new file from the data as it is now. A rendering in progress is stopped too
    (it may have read the old data); its file is discarded when it finishes."""
    rows = list(documents.select_for_update().filter(state__in=LIVE_STATES).order_by("pk"))
    if not rows:
        return 0
    names = [row.file.name for row in rows if row.file.name]
    storage = rows[0].file.storage
    Document.objects.filter(pk__in=[row.pk for row in rows]).update(
        state=DocumentState.FAILED,
        file="",
        size=None,
        pages=None,
        error=reason[:2000],
        finished_at=timezone.now(),
    )

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return len(rows)
