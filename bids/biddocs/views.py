"""The desk's actions on the bid document's parts and the defence (R-BID-1, R-BID-3), the
attachment download (permission-checked, logged) and a question's answer picker over the
knowledge base's reusable bid answers (R-KB-1). Thin: each posted form is checked, then its
service is called; refusals are messages on the bids tab. The former library page now opens
the knowledge base filtered to the bid answers."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import RedirectView

from bids.biddocs import forms, selectors, services
from bids.models import BidAttachment, BidPart, DefenceQuestion
from bids.tenders.choices import BidStatus
from knowledge.choices import ArticleKind
from knowledge.models import Article
from opportunities.permissions import can_work_opportunity
from presales.core.errors import DomainError
from presales.core.uploads import serve_download
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
    """POST /bids/defence/<pk>/<action>/: edit, use-answer (copy a reusable bid answer of the
    knowledge base in), to-library (save the prepared answer to the knowledge base)."""

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
                answer = Article.objects.visible_to(request.user).filter(pk=data["answer"]).first()
                if answer is None:
                    messages.error(request, _("No library answer you may read has this number."))
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


class AnswerPickerView(RoleRequiredMixin, View):
    """GET /bids/defence/<pk>/library/?q=: the library answers offered for a defence question
    (R-BID-3): the published reusable bid answers of the knowledge base the reader may see,
    searched with its search, those of the opportunity's products and industry first
    (bids/biddocs/selectors.py). The desk loads it into the question with htmx; without
    JavaScript it is a page of its own. Each answer posts to use-answer."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        question = get_object_or_404(
            DefenceQuestion.objects.visible_to(request.user).select_related("bid__opportunity__customer"),
            pk=pk,
        )
        form = forms.PickForm(request.GET or None)
        q = form.cleaned_data["q"].strip() if form.is_valid() else ""
        bid = question.bid
        opportunity = bid.opportunity
        context = {
            "question": question,
            "bid": bid,
            "opportunity": opportunity,
            "form": form if form.is_bound else forms.PickForm(),
            "q": q,
            "picks": selectors.library_picks(request.user, question, q=q),
            "can_use": can_work_opportunity(request.user, opportunity)
            and opportunity.is_open
            and bid.status not in (BidStatus.WON, BidStatus.LOST),
            "library_url": f"{reverse('knowledge:search')}?{urlencode({'kind': ArticleKind.BID_ANSWER})}",
        }
        template = (
            "bids/biddocs/partials/answer_picker.html" if request.htmx else "bids/biddocs/answer_picker.html"
        )
        return render(request, template, context)


class LibraryView(RoleRequiredMixin, RedirectView):
    """The former defence answer library page: the library is the knowledge base's reusable bid
    answers, so its search (``q``, ``product``, ``industry``) opens the knowledge base's."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs) -> str:
        params = self.request.GET
        words = [str(params.get(key, "")).strip()[:100] for key in ("q", "product")]
        query = {"kind": ArticleKind.BID_ANSWER}
        if any(words):
            query["q"] = " ".join(word for word in words if word)
        if params.get("industry"):
            query["industry"] = str(params["industry"])[:20]
        return f"{reverse('knowledge:search')}?{urlencode(query)}"
