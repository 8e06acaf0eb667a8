"""Web pages of exports (R-CUST-6): the export buttons, "My exports", a job's progress page
(polled by htmx every second) and its download.

A job and its file are visible to their owner only (``ExportJob.objects.visible_to``);
anyone else gets 404. Writes go through presales/exports.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView
from django.views.generic.detail import SingleObjectMixin

from presales.core.errors import DomainError
from presales.exports.models import ExportJob, ExportState
from presales.exports.services import export_or_start
from presales.web.views import HtmxTemplateMixin, RoleRequiredMixin, ScopedQuerysetMixin


def csv_response(content: str, resource: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = f"{resource}-{timezone.localtime():%Y%m%d-%H%M}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ExportView(RoleRequiredMixin, View):
    """The export button of a list page, with the list's filter in the query string: a small
    export downloads at once, a larger one becomes a job and opens its progress page. A bad
    filter returns to the list with the reason."""

    resource = ""
    list_url_name = ""

    def get(self, request, *args, **kwargs):
        try:
            result = export_or_start(actor=request.user, resource=self.resource, params=request.GET)
        except DomainError as exc:
            messages.error(request, " ".join([exc.message, *_field_messages(exc)]))
            query = request.GET.urlencode()
            return redirect(reverse(self.list_url_name) + (f"?{query}" if query else ""))
        if result.job is not None:
            return redirect("exports:detail", pk=result.job.pk)
        return csv_response(result.content, self.resource)


def _field_messages(exc: DomainError) -> list[str]:
    return [f"{name}: {message}" for name, msgs in exc.fields.items() for message in msgs]


class ExportJobMixin(RoleRequiredMixin, ScopedQuerysetMixin):
    model = ExportJob


class ExportJobListView(ExportJobMixin, HtmxTemplateMixin, ListView):
    """My exports, newest first; the table refreshes itself while a job is unfinished."""

    template_name = "presales/export_list.html"
    partial_template_name = "presales/partials/export_table.html"
    context_object_name = "jobs"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["polling"] = any(not job.is_finished for job in context["jobs"])
        return context


class ExportJobDetailView(ExportJobMixin, HtmxTemplateMixin, DetailView):
    """One job: a progress bar while it runs (htmx polls the partial), then the download."""

    template_name = "presales/export_detail.html"
    partial_template_name = "presales/partials/export_progress.html"
    context_object_name = "job"


class ExportJobDownloadView(ExportJobMixin, SingleObjectMixin, View):
    """The finished file, to its owner only (others: 404)."""

    def get(self, request, *args, **kwargs):
        job = self.get_object()
        if job.state != ExportState.DONE or not job.file:
            messages.warning(request, _("This export is not ready to download."))
            return redirect("exports:detail", pk=job.pk)
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.download_name,
            content_type="text/csv; charset=utf-8",
        )
