"""The desk's actions on the bid document's parts and the defence (R-BID-1, R-BID-3), the
attachment download (permission-checked, logged) and the answer library page. Thin: each
posted form is checked, then its service is called; refusals are messages on the bids tab."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from bids.biddocs import forms, services
from bids.models import BidAttachment, BidPart, DefenceAnswer, DefenceQuestion
from presales.core.errors import DomainError
from presales.core.search import search
from presales.core.uploads import serve_download
from presales.web.paging import CappedPaginator
from presales.web.views import RoleRequiredMixin, WriterRequiredMixin


def _messages(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
    for text in [*exc.reasons, *[m for msgs in exc.fields.values() for m in msgs]]:
        messages.error(request, text)


class PartActionView(WriterRequiredMixin, View):
    """POST /bids/parts/<pk>/<action>/: revise (a new version), draft (from the approved
    solution version or its quote), attach (a file)."""

    http_method_names = ["post"]
    ACTIONS = ("revise", "draft", "attach")

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS:
            raise Http404
        part = get_object_or_404(
            BidPart.objects.visible_to(request.user).select_related("bid__opportunity"), pk=pk
        )
        back = HttpResponseRedirect(part.bid.get_absolute_url())
        try:
            if action == "draft":
                services.part_draft(actor=request.user, part=part)
            elif action == "revise":
                form = forms.PartForm(request.POST)
                if not form.is_valid():
                    _messages(request, form)
                    return back
                services.part_revise(actor=request.user, part=part, **form.cleaned_data)
            else:
                upload = forms.AttachmentForm(request.POST, request.FILES)
                if not upload.is_valid():
                    _messages(request, upload)
                    return back
                services.attachment_add(actor=request.user, part=part, file=upload.cleaned_data["file"])
        except DomainError as exc:
            _refused(request, exc)
            return back
        messages.success(request, _("Saved."))
        return back


class AttachmentDownloadView(RoleRequiredMixin, View):
    """GET: the attachment, for whoever sees the opportunity; another team's is 404. Always a
    download, logged (presales/core/uploads.py)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        attachment = get_object_or_404(BidAttachment.objects.visible_to(request.user), pk=pk)
        extension = attachment.file.name.rsplit(".", 1)[-1]
        stem = attachment.name.rsplit(".", 1)[0] or "attachment"
        return serve_download(
            request, obj=attachment, field_file=attachment.file, filename=f"{stem}.{extension}"
        )


class AttachmentRemoveView(WriterRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        attachment = get_object_or_404(
            BidAttachment.objects.visible_to(request.user).select_related("part__bid"), pk=pk
        )
        back = HttpResponseRedirect(attachment.part.bid.get_absolute_url())
        try:
            services.attachment_remove(actor=request.user, attachment=attachment)
        except DomainError as exc:
            _refused(request, exc)
        return back


class QuestionActionView(WriterRequiredMixin, View):
    """POST /bids/defence/<pk>/<action>/: edit, use-answer (copy a library answer in),
    to-library (save the prepared answer to the library)."""

    http_method_names = ["post"]
    ACTIONS = ("edit", "use-answer", "to-library")

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS:
            raise Http404
        question = get_object_or_404(
            DefenceQuestion.objects.visible_to(request.user).select_related("bid"), pk=pk
        )
        back = HttpResponseRedirect(question.bid.get_absolute_url())
        form_class = {
            "edit": forms.QuestionForm,
            "use-answer": forms.UseAnswerForm,
            "to-library": forms.ToLibraryForm,
        }[action]
        form = form_class(request.POST)
        if not form.is_valid():
            _messages(request, form)
            return back
        data = form.cleaned_data
        try:
            if action == "edit":
                services.question_save(actor=request.user, bid=question.bid, question=question, data=data)
            elif action == "use-answer":
                answer = DefenceAnswer.objects.filter(pk=data["answer"]).first()
                if answer is None:
                    messages.error(request, _("No library answer has this number."))
                    return back
                services.question_use_answer(actor=request.user, question=question, answer=answer)
            else:
                services.question_save_to_library(actor=request.user, question=question, **data)
        except DomainError as exc:
            _refused(request, exc)
            return back
        messages.success(request, _("Saved."))
        return back


class QuestionAddView(WriterRequiredMixin, View):
    """POST /bids/bid/<pk>/defence/: a new anticipated question."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from bids.models import Bid

        bid = get_object_or_404(Bid.objects.visible_to(request.user), pk=pk)
        back = HttpResponseRedirect(bid.get_absolute_url())
        form = forms.QuestionForm(request.POST)
        if not form.is_valid():
            _messages(request, form)
            return back
        try:
            services.question_save(actor=request.user, bid=bid, data=form.cleaned_data)
        except DomainError as exc:
            _refused(request, exc)
            return back
        messages.success(request, _("Saved."))
        return back


class LibraryView(RoleRequiredMixin, ListView):
    """The defence answer library (R-BID-3): searched by question, product and industry
    (index-backed), 25 a page; presales staff add and change answers here."""

    template_name = "bids/biddocs/library.html"
    paginate_by = 25
    paginator_class = CappedPaginator
    context_object_name = "answers"

    def get_queryset(self):
        self.search_form = forms.LibrarySearchForm(self.request.GET or None)
        queryset = DefenceAnswer.objects.select_related("owner").order_by("-id")
        if self.search_form.is_valid():
            data = self.search_form.cleaned_data
            if data.get("industry"):
                queryset = queryset.filter(industry=data["industry"])
            if data.get("product"):
                queryset = search(queryset, data["product"], ("product",))
            if data.get("q"):
                queryset = search(queryset, data["q"], ("question",))
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_form"] = self.search_form
        context["answer_form"] = forms.LibraryAnswerForm()
        context["can_edit"] = self.request.user.has_role(*services.LIBRARY_ROLES)
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        back = HttpResponseRedirect(request.path)
        form = forms.LibraryAnswerForm(request.POST)
        if not form.is_valid():
            _messages(request, form)
            return back
        answer = None
        raw_id = request.POST.get("id", "")
        if raw_id:
            answer = DefenceAnswer.objects.filter(pk=int(raw_id)).first() if raw_id.isdigit() else None
            if answer is None:
                raise Http404
        try:
            services.library_answer_save(actor=request.user, data=form.cleaned_data, answer=answer)
        except DomainError as exc:
            _refused(request, exc)
            return back
        messages.success(request, _("Saved."))
        return back
