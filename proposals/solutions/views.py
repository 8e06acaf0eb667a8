"""Pages of solutions (R-SOL-1..6): the solution and its versions, the version editor
(sections, quote lines with live totals, requirement mapping, submit with its blocking
reasons), the diff of two versions and the customer copy. Every write posts to a view that
calls the same service as the API; refusals come back as messages (or the htmx partial with
its errors)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from opportunities.models import Opportunity
from opportunities.permissions import can_work_opportunity
from presales.core.errors import DomainError
from presales.core.uploads import serve_download
from presales.web.views import RoleRequiredMixin, WriterRequiredMixin
from proposals.models import (
    Acceptance,
    QuoteLine,
    Requirement,
    Solution,
    SolutionAnswer,
    SolutionSection,
    SolutionVersion,
)
from proposals.solutions import selectors, services
from proposals.solutions.choices import LineKind, SectionKind
from proposals.solutions.forms import (
    AcceptanceForm,
    AnswerForm,
    FeedbackForm,
    QuoteLineForm,
    ReasonForm,
    SectionForm,
    SolutionCreateForm,
)
from proposals.solutions.html import sanitize
from proposals.solutions.money import line_amounts
from proposals.solutions.transitions import MACHINE

# The htmx event a change of the quote sends: the version page's submit reasons and
# requirement mapping reload on it (templates/proposals/solutions/version_detail.html).
VERSION_CHANGED = "version-changed"


def _refused(request, exc: DomainError) -> None:
    parts = [exc.message, *exc.reasons]
    parts += [f"{name}: {' '.join(msgs)}" for name, msgs in exc.fields.items()]
    messages.error(request, " ".join(parts))


def _form_errors(request, form) -> None:
    messages.error(
        request,
        " ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        or _("Invalid input."),
    )


def visible_version(request, pk: int) -> SolutionVersion:
    versions = SolutionVersion.objects.visible_to(request.user).filter(pk=pk)
    if not versions.exists():
        raise Http404
    return selectors.version_with_content(pk)


def _version_url(version: SolutionVersion) -> str:
    return reverse("proposals:solutions:version", args=[version.pk])


# --- solution ----------------------------------------------------------------------------


class SolutionCreateView(WriterRequiredMixin, View):
    def post(self, request, opportunity_pk: int):
        opportunity = get_object_or_404(Opportunity.objects.visible_to(request.user), pk=opportunity_pk)
        form = SolutionCreateForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect(opportunity.get_absolute_url())
        try:
            solution = services.solution_create(
                actor=request.user,
                opportunity=opportunity,
                title=form.cleaned_data["title"],
                template=form.cleaned_data["template"],
            )
        except DomainError as exc:
            _refused(request, exc)
            return redirect(opportunity.get_absolute_url())
        return redirect(_version_url(solution.versions.get()))


class SolutionDetailView(RoleRequiredMixin, View):
    """The solution's versions; the author starts the next version here and sees the latest
    rejection's comments (R-REV-5)."""

    def get(self, request, pk: int):
        solution = get_object_or_404(
            Solution.objects.visible_to(request.user).select_related("opportunity__customer"), pk=pk
        )
        versions = list(
            selectors.with_requirement_changes(solution.versions.select_related("author")).order_by("-number")
        )
        rejected = next((v for v in versions if v.status == "rejected"), None)
        return render(
            request,
            "proposals/solutions/solution_detail.html",
            {
                "solution": solution,
                "opportunity": solution.opportunity,
                "versions": versions,
                "rejected_version": rejected,
                "has_draft": any(v.status == "draft" for v in versions),
                "can_work": can_work_opportunity(request.user, solution.opportunity),
            },
        )

    def post(self, request, pk: int):
        """Start the next version (a copy of the latest one)."""
        solution = get_object_or_404(Solution.objects.visible_to(request.user), pk=pk)
        try:
            version = services.version_create_next(actor=request.user, solution=solution)
        except DomainError as exc:
            _refused(request, exc)
            return redirect("proposals:solutions:solution", pk=pk)
        return redirect(_version_url(version))


# --- the version editor ------------------------------------------------------------------


def _quote_context(version: SolutionVersion) -> dict[str, Any]:
    lines = [(line, line_amounts(line)) for line in version.quote_lines.all()]
    return {
        "lines": lines,
        "totals": selectors.totals(line for line, _a in lines),
        "line_kinds": LineKind.choices,
    }


class VersionDetailView(RoleRequiredMixin, View):
    template_name = "proposals/solutions/version_detail.html"

    def get(self, request, pk: int):
        version = visible_version(request, pk)
        return render(request, self.template_name, self.context(request, version))

    def context(self, request, version: SolutionVersion) -> dict[str, Any]:
        opportunity = version.solution.opportunity
        can_work = can_work_opportunity(request.user, opportunity)
        sections = list(version.sections.all())
        present_kinds = {s.kind for s in sections}
        answers = list(version.answers.all())
        requirements = list(
            Requirement.objects.filter(opportunity=opportunity).order_by("position", "number")
        )
        answered: dict[int, list[SolutionAnswer]] = {}
        for answer in answers:
            answered.setdefault(answer.requirement_id, []).append(answer)
        options = {o.move.name: o for o in MACHINE.options(version, request.user)} if can_work else {}
        return {
            "version": version,
            "solution": version.solution,
            "opportunity": opportunity,
            "can_edit": can_work and not version.is_frozen,
            "can_work": can_work,
            "sections": [
                (s, SectionForm(instance=s, prefix=f"s{s.pk}", initial={"kind": s.kind})) for s in sections
            ],
            "new_section_form": SectionForm(prefix="new"),
            "missing_kinds": [(k, label) for k, label in SectionKind.choices if k not in present_kinds],
            "line_form": QuoteLineForm(prefix="line"),
            "requirements": [(r, answered.get(r.pk, [])) for r in requirements],
            "unanswered": [r for r in requirements if r.kind == "rigid" and r.pk not in answered],
            "submit_option": options.get("submit"),
            "withdraw_option": options.get("withdraw"),
            "present_option": options.get("present"),
            "acceptance_form": AcceptanceForm(customer=opportunity.customer_id),
            "feedback_form": FeedbackForm(),
            "previous": version.copied_from_id,
            # R-REV-5: the next version is where the author answers the rejection's comments.
            "rejected_source": (
                version.copied_from
                if version.copied_from_id
                and version.copied_from.status == "rejected"
                and not version.is_frozen
                else None
            ),
            **_quote_context(version),
        }


class SectionSaveView(RoleRequiredMixin, View):
    """Create a section (``kind``) or save one (``section``); the writer may save their own."""

    def post(self, request, pk: int, section_pk: int | None = None):
        version = visible_version(request, pk)
        section = (
            get_object_or_404(SolutionSection, pk=section_pk, solution_version=version)
            if section_pk
            else None
        )
        prefix = f"s{section_pk}" if section_pk else "new"
        form = SectionForm(request.POST, instance=section, prefix=prefix)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect(_version_url(version))
        data = {name: form.cleaned_data[name] for name in ("body_html", "writer", "due_date")}
        if (
            section is not None
            and section.writer_id == request.user.pk
            and not can_work_opportunity(request.user, version.solution.opportunity)
        ):
            data = {"body_html": data["body_html"]}
        try:
            if section is None:
                services.section_create(
                    actor=request.user, version=version, kind=form.cleaned_data["kind"], data=data
                )
            else:
                services.section_update(actor=request.user, section=section, data=data)
            messages.success(request, _("Section saved."))
        except DomainError as exc:
            _refused(request, exc)
        return redirect(_version_url(version) + (f"#section-{section_pk}" if section_pk else ""))


class SectionPreviewView(RoleRequiredMixin, View):
    """The section's text as it will be stored (sanitised by the same rule as the save),
    for the editor's live preview (htmx)."""

    def post(self, request, pk: int):
        visible_version(request, pk)
        body = next((v for k, v in request.POST.items() if k.endswith("body_html")), "")
        return HttpResponse(sanitize(body[:200_000]))


class SectionDoneView(RoleRequiredMixin, View):
    def post(self, request, pk: int, section_pk: int):
        version = visible_version(request, pk)
        section = get_object_or_404(SolutionSection, pk=section_pk, solution_version=version)
        try:
            services.section_mark_done(actor=request.user, section=section)
        except DomainError as exc:
            _refused(request, exc)
        return redirect(_version_url(version))


class QuoteLineView(WriterRequiredMixin, View):
    """Add (no ``line_pk``), change or delete (``delete`` posted) a quote line. With htmx the
    quote table comes back with the totals recomputed on the server."""

    def post(self, request, pk: int, line_pk: int | None = None):
        version = visible_version(request, pk)
        errors: list[str] = []
        try:
            if line_pk is not None:
                line = get_object_or_404(QuoteLine, pk=line_pk, solution_version=version)
                if "delete" in request.POST:
                    services.line_delete(actor=request.user, line=line)
                else:
                    form = QuoteLineForm(request.POST, instance=line, prefix=f"l{line_pk}")
                    if form.is_valid():
                        services.line_update(actor=request.user, line=line, data=dict(form.cleaned_data))
                    else:
                        errors = [f"{n}: {' '.join(e)}" for n, e in form.errors.items()]
            else:
                form = QuoteLineForm(request.POST, prefix="line")
                if form.is_valid():
                    services.line_create(actor=request.user, version=version, data=dict(form.cleaned_data))
                else:
                    errors = [f"{n}: {' '.join(e)}" for n, e in form.errors.items()]
        except DomainError as exc:
            errors = [exc.message, *exc.reasons] + [f"{n}: {' '.join(m)}" for n, m in exc.fields.items()]
        if getattr(request, "htmx", False):
            version = selectors.version_with_content(version.pk)
            context = {
                "version": version,
                "can_edit": not version.is_frozen,
                "line_form": QuoteLineForm(prefix="line"),
                "quote_errors": errors,
                **_quote_context(version),
            }
            response = render(request, "proposals/solutions/partials/quote.html", context)
            # the version page's actions and mapping reload on it (version_detail.html)
            response["HX-Trigger"] = VERSION_CHANGED
            return response
        for error in errors:
            messages.error(request, error)
        return redirect(_version_url(version) + "#quote")


class AnswerView(WriterRequiredMixin, View):
    def post(self, request, pk: int, answer_pk: int | None = None):
        version = visible_version(request, pk)
        try:
            if answer_pk is not None:
                answer = get_object_or_404(SolutionAnswer, pk=answer_pk, solution_version=version)
                services.answer_delete(actor=request.user, answer=answer)
            else:
                form = AnswerForm(request.POST)
                if not form.is_valid():
                    _form_errors(request, form)
                    return redirect(_version_url(version) + "#mapping")
                kind, _sep, target_id = form.cleaned_data["target"].partition(":")
                data: dict[str, Any] = {
                    "requirement": Requirement.objects.filter(
                        pk=form.cleaned_data["requirement"], opportunity_id=version.solution.opportunity_id
                    ).first(),
                    "note": form.cleaned_data["note"],
                }
                if kind == "section":
                    data["section"] = SolutionSection.objects.filter(
                        pk=target_id or 0, solution_version=version
                    ).first()
                elif kind == "line":
                    data["quote_line"] = QuoteLine.objects.filter(
                        pk=target_id or 0, solution_version=version
                    ).first()
                services.answer_create(actor=request.user, version=version, data=data)
        except (DomainError, ValueError) as exc:
            if isinstance(exc, DomainError):
                _refused(request, exc)
            else:
                messages.error(request, _("Choose a section or a quote line."))
        return redirect(_version_url(version) + "#mapping")


class VersionActionView(WriterRequiredMixin, View):
    """The version's moves and customer-facing records: submit, withdraw, present, accept,
    feedback (R-SOL-3, R-SOL-5, R-SOL-6)."""

    action = ""

    def post(self, request, pk: int):
        version = visible_version(request, pk)
        user = request.user
        try:
            if self.action == "submit":
                services.version_submit(actor=user, version=version)
                messages.success(request, _("The version was sent to review."))
            elif self.action == "withdraw":
                form = ReasonForm(request.POST)
                form.is_valid()
                services.version_withdraw(
                    actor=user, version=version, reason=form.cleaned_data.get("reason", "")
                )
                messages.success(request, _("The version was withdrawn from review."))
            elif self.action == "present":
                services.version_mark_presented(actor=user, version=version)
                messages.success(request, _("The version is marked as presented."))
            elif self.action == "accept":
                form = AcceptanceForm(
                    request.POST, request.FILES, customer=version.solution.opportunity.customer_id
                )
                if not form.is_valid():
                    _form_errors(request, form)
                    return redirect(_version_url(version))
                services.acceptance_record(actor=user, version=version, data=dict(form.cleaned_data))
                messages.success(request, _("The customer's acceptance is recorded."))
            elif self.action == "feedback":
                form = FeedbackForm(request.POST)
                if not form.is_valid():
                    _form_errors(request, form)
                    return redirect(_version_url(version))
                data = {
                    k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k != "received_at"
                }
                services.feedback_record(actor=user, version=version, data=data)
                messages.success(
                    request, _("The feedback is recorded: the revised version is due within 48 hours.")
                )
            else:
                raise Http404
        except DomainError as exc:
            _refused(request, exc)
        return redirect(_version_url(version))


class VersionDiffView(RoleRequiredMixin, View):
    """Two versions side by side (``?against=<other version id>``, default: the one it was
    copied from)."""

    def get(self, request, pk: int):
        new = visible_version(request, pk)
        against = request.GET.get("against") or new.copied_from_id
        siblings = (
            SolutionVersion.objects.filter(solution=new.solution).exclude(pk=new.pk).order_by("-number")
        )
        if not against or not str(against).isdigit() or not siblings.filter(pk=against).exists():
            old = None
            diff = None
        else:
            old = selectors.version_with_content(int(against))
            diff = selectors.version_diff(old, new)
        return render(
            request,
            "proposals/solutions/version_diff.html",
            {"version": new, "old": old, "diff": diff, "siblings": siblings, "solution": new.solution},
        )


class CustomerCopyView(RoleRequiredMixin, View):
    """R-SOL-5: the customer's copy, only of an approved version; never cost or margin."""

    def get(self, request, pk: int):
        version = visible_version(request, pk)
        try:
            services.require_approved(version, _("The customer copy"))
        except DomainError as exc:
            return render(
                request, "409.html", {"message": exc.message, "back_url": _version_url(version)}, status=409
            )
        return render(
            request,
            "proposals/solutions/customer_copy.html",
            {"copy": selectors.customer_copy(version), "version": version},
        )


class AcceptanceEvidenceView(RoleRequiredMixin, View):
    """The evidence of the customer's acceptance (R-SOL-6), for whoever sees the opportunity;
    always a download, logged (presales/core/uploads.py)."""

    def get(self, request, pk: int):
        acceptance = get_object_or_404(Acceptance.objects.visible_to(request.user), pk=pk)
        if not acceptance.evidence:
            raise Http404
        extension = acceptance.evidence.name.rsplit(".", 1)[-1]
        name = f"acceptance-{acceptance.solution_version_id}-{acceptance.accepted_at:%Y%m%d}.{extension}"
        return serve_download(request, obj=acceptance, field_file=acceptance.evidence, filename=name)
