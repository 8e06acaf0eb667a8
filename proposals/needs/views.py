"""Web pages of the needs analysis (R-NEED-1..7): the needs section (also a page of its own
at /proposals/opportunities/<id>/needs/ until the desk shows it as a tab) and its actions.

Every action is a POST handled by one service; an htmx request gets the section re-rendered
(with the form's errors when the service refused), a plain one a redirect back. The
opportunity is read through ``visible_to`` (out of scope is 404); whether the user may write
is the services' decision (403 page otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from knowledge.models import Article
from opportunities.desk import DESK_CHANGED
from opportunities.models import Opportunity
from presales.core.errors import DomainError, NotAllowed
from presales.core.uploads import serve_download
from presales.web.forms import apply_domain_error
from presales.web.views import RoleRequiredMixin
from proposals.choices import (
    ConfirmationMethod,
    ConfirmationStatus,
    Feasibility,
    RequirementCategory,
    RequirementKind,
)
from proposals.models import (
    ConfirmationRequest,
    NeedsReport,
    OpportunityCommunication,
    RDRequest,
    Requirement,
    RequirementConfirmation,
)
from proposals.needs import imports, services
from proposals.needs.forms import (
    CommunicationLinkForm,
    ConfirmationRequestForm,
    ImportForm,
    PasteForm,
    RDAnswerForm,
    RDRequestForm,
    RecordConfirmationForm,
    RequirementForm,
    SpinForm,
)
from proposals.needs.selectors import needs_desk_context, needs_templates_for, requirements_of

SECTION = "proposals/needs/desk.html"


def _opportunity(request: HttpRequest, pk: int) -> Opportunity:
    return get_object_or_404(Opportunity.objects.visible_to(request.user).for_cards(), pk=pk)


def section_context(request: HttpRequest, opportunity: Opportunity, **forms: Any) -> dict[str, Any]:
    context = needs_desk_context(request, opportunity)
    context.update(
        {
            "spin_form": forms.get("spin_form")
            or SpinForm(instance=context["analysis"], initial={"version": context["analysis"].version}),
            "add_form": forms.get("add_form") or RequirementForm(),
            "send_form": forms.get("send_form") or ConfirmationRequestForm(opportunity=opportunity),
            "record_form": forms.get("record_form") or RecordConfirmationForm(opportunity=opportunity),
            "rd_form": forms.get("rd_form") or RDRequestForm(opportunity=opportunity),
            "paste_form": forms.get("paste_form") or PasteForm(),
            "link_form": forms.get("link_form") or CommunicationLinkForm(opportunity=opportunity),
            "import_form": forms.get("import_form") or ImportForm(),
            "edit_id": forms.get("edit_id"),
            "edit_form": forms.get("edit_form"),
            "import_errors": forms.get("import_errors"),
            "needs_templates": needs_templates_for(request.user, opportunity),
            "sent_link": forms.get("sent_link"),
            "now": timezone.now(),
        }
    )
    return context


class NeedsPageView(RoleRequiredMixin, View):
    """The needs section as a page of its own."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        opportunity = _opportunity(request, pk)
        context = section_context(request, opportunity)
        template = SECTION if request.htmx else "proposals/needs/page.html"
        return render(request, template, context)


class NeedsActionView(RoleRequiredMixin, View):
    """POST /proposals/opportunities/<pk>/needs/<action>/[<item>/]: one service per action."""

    def post(self, request: HttpRequest, pk: int, action: str, item: int | None = None) -> HttpResponse:
        opportunity = _opportunity(request, pk)
        handler: Callable[..., dict[str, Any] | HttpResponse | None] | None = getattr(
            self, f"do_{action.replace('-', '_')}", None
        )
        if handler is None:
            raise Http404
        try:
            result = handler(request, opportunity, item)
        except NotAllowed as exc:
            return render(request, "403.html", {"message": exc.message}, status=403)
        if isinstance(result, HttpResponse):
            return result
        if result:  # forms with errors (or something to show): the section again
            context = section_context(request, _opportunity(request, pk), **result)
            if request.htmx:
                return render(request, SECTION, context, status=200)
            return render(request, "proposals/needs/page.html", context, status=400)
        return self.done(request, opportunity)

    def done(self, request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
        if request.htmx:
            response = render(
                request, SECTION, section_context(request, _opportunity(request, opportunity.pk))
            )
            # The desk's "Next moves" card reloads itself on this event: the R-NEED-4 gate's
            # reasons change with the requirements (opportunity_detail.html).
            response["HX-Trigger"] = DESK_CHANGED
            return response
        return HttpResponseRedirect(reverse("proposals:needs", args=[opportunity.pk]))

    # --- SPIN notes ---------------------------------------------------------------------------

    def do_spin(self, request, opportunity, item):
        analysis = services.needs_analysis_of(opportunity)
        form = SpinForm(request.POST, instance=analysis)
        if not form.is_valid():
            return {"spin_form": form}
        try:
            services.spin_notes_save(
                actor=request.user,
                opportunity=opportunity,
                data={k: form.cleaned_data[k] for k in services.SPIN_FIELDS},
                expected_version=form.cleaned_data.get("version"),
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
            return {"spin_form": form}
        return None

    # --- requirements -------------------------------------------------------------------------

    def _requirement(self, opportunity, item) -> Requirement:
        return get_object_or_404(Requirement, opportunity=opportunity, pk=item)

    def do_add(self, request, opportunity, item):
        form = RequirementForm(request.POST)
        if not form.is_valid():
            return {"add_form": form}
        try:
            services.requirement_create(
                actor=request.user,
                opportunity=opportunity,
                data={k: form.cleaned_data[k] for k in services.REQUIREMENT_FIELDS},
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
            return {"add_form": form}
        return None

    def do_edit(self, request, opportunity, item):
        requirement = self._requirement(opportunity, item)
        form = RequirementForm(request.POST, instance=requirement)
        if not form.is_valid():
            return {"edit_id": requirement.pk, "edit_form": form}
        try:
            services.requirement_update(
                actor=request.user,
                requirement=requirement,
                data={k: form.cleaned_data[k] for k in services.REQUIREMENT_FIELDS},
                expected_version=form.cleaned_data.get("version"),
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
            return {"edit_id": requirement.pk, "edit_form": form}
        return None

    def do_delete(self, request, opportunity, item):
        try:
            services.requirement_delete(actor=request.user, requirement=self._requirement(opportunity, item))
        except NotAllowed:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return None

    def do_up(self, request, opportunity, item):
        services.requirement_move(
            actor=request.user, requirement=self._requirement(opportunity, item), offset=-1
        )
        return None

    def do_down(self, request, opportunity, item):
        services.requirement_move(
            actor=request.user, requirement=self._requirement(opportunity, item), offset=1
        )
        return None

    def do_reorder(self, request, opportunity, item):
        try:
            services.requirements_reorder(
                actor=request.user, opportunity=opportunity, ids=request.POST.getlist("ids")
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            messages.error(request, " ".join(m for msgs in exc.fields.values() for m in msgs) or exc.message)
        return None

    def do_paste(self, request, opportunity, item):
        form = PasteForm(request.POST)
        if not form.is_valid():
            return {"paste_form": form}
        return self._import(request, opportunity, lambda: imports.read_paste(form.cleaned_data["text"]), form)

    def do_import(self, request, opportunity, item):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return {"import_form": form}
        upload = form.cleaned_data["file"]
        return self._import(request, opportunity, lambda: imports.read_file(upload.name, upload.read()), form)

    def do_template(self, request, opportunity, item):
        """R-KB-1: pre-fill the list from an industry needs template of the knowledge base."""
        raw = request.POST.get("template", "")
        template = (
            Article.objects.visible_to(request.user).filter(pk=int(raw)).first() if raw.isdigit() else None
        )
        if template is None:
            return {"import_errors": {"message": _("Choose an industry needs template."), "rows": {}}}
        try:
            created = services.requirements_from_template(
                actor=request.user, opportunity=opportunity, template=template
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            return {"import_errors": {"message": exc.message, "rows": exc.fields}}
        messages.success(request, _("%(n)s requirements imported.") % {"n": len(created)})
        return None

    def _import(self, request, opportunity, read, form):
        try:
            created = imports.import_table(actor=request.user, opportunity=opportunity, table=read())
        except NotAllowed:
            raise
        except DomainError as exc:
            return {"import_errors": {"message": exc.message, "rows": exc.fields}}
        messages.success(request, _("%(n)s requirements imported.") % {"n": len(created)})
        return None

    # --- confirmation ---------------------------------------------------------------------------

    def do_send(self, request, opportunity, item):
        form = ConfirmationRequestForm(request.POST, opportunity=opportunity)
        if not form.is_valid():
            return {"send_form": form}
        try:
            services.confirmation_request_create(
                actor=request.user,
                opportunity=opportunity,
                contact=form.cleaned_data["contact"],
                days=form.cleaned_data["days"],
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
            return {"send_form": form}
        messages.success(request, _("The confirmation list was sent."))
        return None

    def do_revoke(self, request, opportunity, item):
        confirmation = get_object_or_404(ConfirmationRequest, opportunity=opportunity, pk=item)
        services.confirmation_request_revoke(actor=request.user, request=confirmation)
        return None

    def do_record(self, request, opportunity, item):
        form = RecordConfirmationForm(request.POST, request.FILES, opportunity=opportunity)
        if not form.is_valid():
            return {"record_form": form}
        data = form.cleaned_data
        try:
            services.requirement_confirmation_record(
                actor=request.user,
                requirement=data["requirement"],
                method=data["method"],
                status=data["status"],
                confirmer_name=data["confirmer_name"],
                contact=data["contact"],
                confirmed_at=data["confirmed_at"],
                comment=data["comment"],
                evidence=data["evidence"],
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
            return {"record_form": form}
        return None

    # --- meetings, site visits, surveys (R-NEED-1) -------------------------------------------

    def do_link(self, request, opportunity, item):
        form = CommunicationLinkForm(request.POST, opportunity=opportunity)
        if not form.is_valid():
            return {"link_form": form}
        try:
            services.communication_link(
                actor=request.user,
                opportunity=opportunity,
                communication=form.cleaned_data["communication"],
                purpose=form.cleaned_data["purpose"],
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
            return {"link_form": form}
        return None

    def do_unlink(self, request, opportunity, item):
        link = get_object_or_404(OpportunityCommunication, opportunity=opportunity, pk=item)
        services.communication_unlink(actor=request.user, link=link)
        return None

    # --- R&D and reports --------------------------------------------------------------------------

    def do_rd(self, request, opportunity, item):
        form = RDRequestForm(request.POST, opportunity=opportunity)
        if not form.is_valid():
            return {"rd_form": form}
        try:
            services.rd_request_create(
                actor=request.user,
                requirement=form.cleaned_data["requirement"],
                question=form.cleaned_data["question"],
                assignee=form.cleaned_data["assignee"],
            )
        except NotAllowed:
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
            return {"rd_form": form}
        return None

    def do_report(self, request, opportunity, item):
        services.needs_report_create(actor=request.user, opportunity=opportunity)
        return None


class RequirementEditRowView(RoleRequiredMixin, View):
    """GET: the edit form of one row (htmx swaps it in place of the row)."""

    def get(self, request: HttpRequest, pk: int, item: int) -> HttpResponse:
        opportunity = _opportunity(request, pk)
        requirement = get_object_or_404(Requirement, opportunity=opportunity, pk=item)
        form = RequirementForm(instance=requirement, initial={"version": requirement.version})
        return render(
            request,
            "proposals/needs/partials/requirement_edit.html",
            {"opportunity": opportunity, "r": requirement, "form": form},
        )


class RDAnswerView(RoleRequiredMixin, View):
    """The R&D assignee answers (from the notification's link to the needs page)."""

    def post(self, request: HttpRequest, pk: int, item: int) -> HttpResponse:
        opportunity = _opportunity(request, pk)
        rd = get_object_or_404(RDRequest, requirement__opportunity=opportunity, pk=item)
        form = RDAnswerForm(request.POST)
        if form.is_valid():
            try:
                services.rd_request_answer(
                    actor=request.user, rd_request=rd, answer=form.cleaned_data["answer"]
                )
            except NotAllowed as exc:
                return render(request, "403.html", {"message": exc.message}, status=403)
            except DomainError as exc:
                messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("proposals:needs", args=[opportunity.pk]))


class NeedsExportView(RoleRequiredMixin, View):
    """The requirements as CSV or Excel; ``template`` is the empty import template."""

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        opportunity = _opportunity(request, pk)
        if fmt == "template":
            return _download(imports.to_xlsx(None), "requirements-template.xlsx")
        rows = list(requirements_of(opportunity))
        name = f"requirements-{opportunity.pk}"
        if fmt == "csv":
            response = HttpResponse(imports.to_csv(rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        if fmt == "xlsx":
            return _download(imports.to_xlsx(rows), f"{name}.xlsx")
        raise Http404


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class EvidenceView(RoleRequiredMixin, View):
    """The evidence of a confirmation (the customer's e-mail, the signed scan), for whoever
    sees the opportunity; always as a download (never rendered inline by the browser)."""

    def get(self, request: HttpRequest, pk: int, item: int) -> HttpResponse:
        opportunity = _opportunity(request, pk)
        row = get_object_or_404(RequirementConfirmation, requirement__opportunity=opportunity, pk=item)
        if not row.evidence:
            raise Http404
        name = f"{row.requirement.code}-{row.at:%Y%m%d}.{row.evidence.name.rsplit('.', 1)[-1]}"
        return serve_download(request, obj=row, field_file=row.evidence, filename=name)


class NeedsReportView(RoleRequiredMixin, View):
    """A version of the needs report, printable (R-NEED-7)."""

    def get(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        opportunity = _opportunity(request, pk)
        report = get_object_or_404(
            NeedsReport.objects.select_related("created_by"), opportunity=opportunity, number=number
        )
        content = dict(report.content)
        labels = {
            "kind": dict(RequirementKind.choices),
            "category": dict(RequirementCategory.choices),
            "feasibility": dict(Feasibility.choices),
            "confirmation_status": dict(ConfirmationStatus.choices),
            "confirmation_method": dict(ConfirmationMethod.choices),
        }
        content["requirements"] = [
            {**row, **{k: labels[k].get(row.get(k), row.get(k)) for k in labels}}
            for row in content.get("requirements", [])
        ]
        return render(
            request,
            "proposals/needs/report.html",
            {"opportunity": opportunity, "report": report, "content": content},
        )
