"""Web pages of generated documents (issue 12): ask for a document (the panel on a record
page posts here), watch its progress (htmx polls the partial every second), download it, and
record that it was sent. Every page checks, through the document type, that the reader may
see the record; a hidden one is a 404. Writes go through presales/documents/services.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views import View

from presales.core.errors import DomainError, NotFound
from presales.core.uploads import serve_download
from presales.documents import services
from presales.documents.models import DeliveryChannel
from presales.web.views import RoleRequiredMixin


def _refused(request, exc: DomainError) -> None:
    parts = [exc.message, *exc.reasons, *(m for msgs in exc.fields.values() for m in msgs)]
    messages.error(request, " ".join(dict.fromkeys(str(p) for p in parts)))


class DocumentRequestView(RoleRequiredMixin, View):
    """POST type, object_id, variant, language: the stored file or a new rendering."""

    def post(self, request):
        data = request.POST
        try:
            document = services.document_request(
                actor=request.user,
                doc_type=data.get("doc_type", ""),
                object_id=data.get("object_id"),
                variant=data.get("variant") or "standard",
                language=data.get("language") or None,
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            _refused(request, exc)
            return redirect(request.POST.get("next") or "/")
        return redirect("documents:detail", pk=document.pk)


class DocumentDetailView(RoleRequiredMixin, View):
    """One document: progress while it renders, then the download and the sending log."""

    def get(self, request, pk: int):
        try:
            document, obj = services.visible_document(actor=request.user, document_id=pk)
        except NotFound as exc:
            raise Http404 from exc
        context = {
            "document": document,
            "source": obj,
            "current": services.is_current(document, obj),
            "deliveries": document.deliveries.select_related("sent_by")[:50],
            "channels": DeliveryChannel.choices,
        }
        htmx = getattr(request, "htmx", None)
        template = (
            "documents/partials/progress.html" if htmx and not htmx.boosted else "documents/detail.html"
        )
        return render(request, template, context)


class DocumentDownloadView(RoleRequiredMixin, View):
    """The PDF, checked again now (R-SOL-5) and logged (presales/core/uploads.py)."""

    def get(self, request, pk: int):
        try:
            document = services.document_for_download(actor=request.user, document_id=pk)
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            _refused(request, exc)
            return redirect("documents:detail", pk=pk)
        response = serve_download(
            request, obj=document, field_file=document.file, filename=document.download_name
        )
        response["Content-Type"] = "application/pdf"
        return response


class DocumentSentView(RoleRequiredMixin, View):
    """Record that the document left the company (R-DOC): to whom, how, when."""

    def post(self, request, pk: int):
        try:
            services.document_record_sent(
                actor=request.user,
                document_id=pk,
                recipient=request.POST.get("recipient", ""),
                channel=request.POST.get("channel", ""),
                sent_on=parse_date(request.POST.get("sent_on") or "")
                if request.POST.get("sent_on")
                else None,
                note=request.POST.get("note", ""),
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Recorded as sent."))
        return redirect("documents:detail", pk=pk)
