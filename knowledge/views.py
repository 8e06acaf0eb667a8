"""Web pages of the knowledge base (R-KB-1): search (ranked, highlighted, with customers and
leads by company name), an article with its files and versions, create and edit, publish and
archive, attachments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from knowledge import selectors, services
from knowledge.choices import ArticleKind
from knowledge.forms import ArticleForm, AttachmentForm, NeedsItemsForm, SearchForm
from knowledge.models import Article, ArticleAttachment
from knowledge.tokens import highlight
from presales.core.errors import DomainError, NotAllowed
from presales.core.roles import Role
from presales.core.uploads import serve_download
from presales.web.forms import apply_domain_error, bootstrap
from presales.web.views import RoleRequiredMixin, ServiceFormMixin, VersionedFormMixin, WriterRequiredMixin

STAFF = frozenset(Role.values)


class KnowledgeMixin(RoleRequiredMixin):
    required_roles = STAFF

    def article(self, pk: int) -> Article:
        return get_object_or_404(
            Article.objects.visible_to(self.request.user).select_related("owner", "team"), pk=pk
        )


class SearchView(KnowledgeMixin, View):
    def get(self, request):
        form = SearchForm(request.GET)
        bootstrap(form)
        data = form.cleaned_data if form.is_valid() else {}
        q = (data.get("q") or "").strip()
        filters = {k: data.get(k) or "" for k in ("kind", "industry", "tag")}
        page = selectors.search_page(request.user, q=q, page=data.get("page") or 1, **filters)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "knowledge/search.html",
            {
                "form": form,
                "q": q,
                **page,
                "base_query": query.urlencode(),
                "can_write": services.can_write(request.user),
            },
        )


class ArticleDetailView(KnowledgeMixin, View):
    def get(self, request, pk: int):
        article = self.article(pk)
        q = request.GET.get("q", "")[:200]
        needs_items = list(article.needs_items.all())
        can_edit = services.can_edit(request.user, article)
        needs_form = None
        if can_edit and article.kind == ArticleKind.NEEDS_TEMPLATE:
            needs_form = bootstrap(NeedsItemsForm(initial={"items": NeedsItemsForm.text_of(needs_items)}))
        return render(
            request,
            "knowledge/article_detail.html",
            {
                "article": article,
                "q": q,
                "title_html": highlight(article.title, q),
                "summary_html": highlight(article.summary, q),
                "body_html": highlight(article.body, q),
                "tags": list(article.tags.all()),
                "attachments": list(article.attachments.all()),
                "needs_items": needs_items,
                "needs_form": needs_form,
                "versions": selectors.article_versions(article),
                "can_edit": can_edit,
                "attachment_form": bootstrap(AttachmentForm()),
            },
        )


class ArticleCreateView(WriterRequiredMixin, ServiceFormMixin, FormView):
    template_name = "knowledge/article_form.html"
    form_class = ArticleForm
    success_message = gettext_lazy("Article saved as a draft.")

    def get_initial(self):
        """``?kind=`` (e.g. from the knowledge base filtered to reusable bid answers) preselects it."""
        kind = self.request.GET.get("kind", "")
        return {"kind": kind} if kind in ArticleKind.values else {}

    def run_service(self, form):
        return services.article_create(
            actor=self.request.user, data=form.service_data(), tags=form.cleaned_data.get("tags", "")
        )

    def get_success_url_for(self, result) -> str:
        return reverse("knowledge:article", args=[result.pk])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": _("New article")}


class ArticleEditView(VersionedFormMixin, KnowledgeMixin, ServiceFormMixin, FormView):
    template_name = "knowledge/article_form.html"
    form_class = ArticleForm
    success_message = gettext_lazy("Article saved.")

    def load_object(self) -> Article:
        article = self.article(self.kwargs["pk"])
        if not services.can_edit(self.request.user, article):
            raise PermissionDenied
        return article

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.object = self.load_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def run_service(self, form):
        return services.article_update(
            actor=self.request.user,
            article=self.object,
            data=form.service_data(),
            tags=form.cleaned_data.get("tags", ""),
            expected_version=self.expected_version(form),
        )

    def get_success_url_for(self, result) -> str:
        return reverse("knowledge:article", args=[result.pk])

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": _("Edit article"), "article": self.object}


class ArticleMoveView(KnowledgeMixin, View):
    def post(self, request, pk: int, move: str):
        article = self.article(pk)
        try:
            services.article_move(actor=request.user, article=article, move=move)
        except DomainError as exc:
            messages.error(
                request, " ".join([exc.message, *[m for ms in exc.fields.values() for m in ms]]).strip()
            )
        else:
            messages.success(request, _("Done."))
        return HttpResponseRedirect(reverse("knowledge:article", args=[pk]))


class AttachmentAddView(KnowledgeMixin, View):
    def post(self, request, pk: int):
        article = self.article(pk)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.attachment_add(actor=request.user, article=article, file=form.cleaned_data["file"])
            except DomainError as exc:
                apply_domain_error(form, exc)
        if form.errors:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        else:
            messages.success(request, _("File added."))
        return HttpResponseRedirect(reverse("knowledge:article", args=[pk]))


class NeedsItemsView(KnowledgeMixin, View):
    """POST /knowledge/<pk>/items/: replace the requirement items of an industry needs
    template (R-KB-1), what it pre-fills a requirement list with."""

    def post(self, request, pk: int):
        article = self.article(pk)
        form = NeedsItemsForm(request.POST)
        if form.is_valid():
            try:
                services.needs_items_set(
                    actor=request.user, article=article, items=form.cleaned_data["items"]
                )
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                apply_domain_error(form, exc)
        if form.errors:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        else:
            messages.success(request, _("Requirement items saved."))
        return HttpResponseRedirect(reverse("knowledge:article", args=[pk]))


class AttachmentDownloadView(KnowledgeMixin, View):
    def get(self, request, pk: int):
        attachment = get_object_or_404(
            ArticleAttachment.objects.filter(article__in=Article.objects.visible_to(request.user)), pk=pk
        )
        return serve_download(request, obj=attachment, field_file=attachment.file, filename=attachment.name)
