"""Web views of the review engine: the inbox (decide inline with htmx), the review form
(R-REV-6), the list of reviews. Decisions call reviews/services.py, as the API does."""

from __future__ import annotations

from dataclasses import dataclass

import django_tables2 as tables
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, TemplateView, View
from django.views.generic.detail import SingleObjectMixin

from presales.core.errors import DomainError
from presales.core.roles import scope_of
from presales.web.views import RoleRequiredMixin, ScopedListView, ScopedQuerysetMixin
from reviews.choices import Decision, ReviewStatus
from reviews.filtersets import ReviewFilterSet
from reviews.forms import CancelForm, DecisionForm
from reviews.models import Review
from reviews.selectors import (
    inbox_counts,
    inbox_for,
    longest_waiting,
    pending_count,
    review_form,
    with_content,
)
from reviews.services import review_cancel, review_decide
from reviews.transitions import REVIEW_MACHINE


def _add_errors(form, exc: DomainError) -> None:
    """A service refusal becomes form errors: field messages on their fields, the rest on top."""
    for name, msgs in exc.fields.items():
        for msg in msgs:
            form.add_error(name if name in form.fields else None, msg)
    if not exc.fields:
        form.add_error(None, exc.message)
    for reason in exc.reasons:
        form.add_error(None, reason)


def inbox_panel(user) -> dict | None:
    """Dashboard card: the reviews waiting longest for the user and how many wait (three
    queries, each bounded by an index on the user's pending tasks, whatever the data)."""
    if scope_of(user) is None:
        return None
    return {
        "key": "reviews",
        "title": _("Reviews waiting for you"),
        "icon": "check2-square",
        "template": "reviews/partials/dashboard_panel.html",
        "reviews": longest_waiting(user, limit=5),
        "count": pending_count(user),
    }


@dataclass
class InboxItem:
    review: Review
    form: DecisionForm


class InboxView(RoleRequiredMixin, TemplateView):
    """Reviews waiting for the signed-in user, by kind, each with its decision form."""

    template_name = "reviews/review_inbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        kind = self.request.GET.get("kind") or None
        counts = inbox_counts(user)
        context.update(
            kind=kind,
            counts=counts,
            total=sum(n for _code, _label, n in counts),
            items=[
                InboxItem(review, DecisionForm(review=review, task=review.pending_task_for(user)))
                for review in with_content(list(inbox_for(user, kind=kind)))
            ],
        )
        return context


class ReviewObjectMixin(RoleRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin):
    """A review the user may see (else 404), with everything the form shows prefetched."""

    model = Review

    def get_queryset(self):
        return Review.objects.with_tasks().visible_to(self.request.user)

    def sheet_context(self, review: Review, *, decision_form=None, cancel_form=None) -> dict:
        user = self.request.user
        pending = review.pending_task_for(user) if review.is_in_progress else None
        can_cancel = any(
            option.move.name == "cancel" and option.allowed for option in REVIEW_MACHINE.options(review, user)
        )
        with_content([review])
        return {
            "review": review,
            "object": review,
            "sheet": review_form(review),
            "decision_form": decision_form
            or (
                DecisionForm(review=review, task=pending) if pending and review.author_id != user.pk else None
            ),
            "cancel_form": cancel_form or (CancelForm() if can_cancel else None),
        }


class ReviewDetailView(ReviewObjectMixin, DetailView):
    """The review form (R-REV-6): reviewers, decisions, scores and averages, comments, times."""

    template_name = "reviews/review_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.sheet_context(self.object))
        return context


class ReviewDecideView(ReviewObjectMixin, View):
    """POST a decision. From the inbox (htmx) the review's card is swapped in place; from
    the review form the page reloads. A refusal shows on the form; nothing is lost."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        review = self.get_object()
        task = review.pending_task_for(request.user) if review.is_in_progress else None
        form = DecisionForm(request.POST, review=review, task=task)
        from_inbox = bool(request.htmx) and request.POST.get("context") == "inbox"
        if form.is_valid():
            try:
                decided = review_decide(
                    actor=request.user,
                    review=review,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    scores=form.scores(),
                    checks=form.checks(),
                )
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                message = self._message(decided, form.cleaned_data["decision"])
                if from_inbox:
                    decided = self.get_queryset().get(pk=decided.pk)
                    return render(
                        request,
                        "reviews/partials/inbox_item_done.html",
                        {"review": decided, "message": message, "badge": pending_count(request.user)},
                    )
                messages.success(request, message)
                return HttpResponseRedirect(decided.get_absolute_url())
        if from_inbox:
            with_content([review])
            return render(request, "reviews/partials/inbox_item.html", {"review": review, "form": form})
        return render(request, "reviews/review_detail.html", self.sheet_context(review, decision_form=form))

    @staticmethod
    def _message(review: Review, decision: str) -> str:
        if decision == Decision.REJECT:
            return _("You rejected it; it goes back to its author with your comment.")
        if review.status == ReviewStatus.APPROVED:
            return _("You approved it; the review is complete.")
        return _("You approved it.")


class ReviewCancelView(ReviewObjectMixin, View):
    """POST: withdraw a review in progress with a reason (author or admin, R-REV-5)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        review = self.get_object()
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                cancelled = review_cancel(
                    actor=request.user, review=review, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The review was withdrawn."))
                return HttpResponseRedirect(cancelled.get_absolute_url())
        return render(request, "reviews/review_detail.html", self.sheet_context(review, cancel_form=form))


class ReviewTable(tables.Table):
    subject_summary = tables.Column(
        verbose_name=gettext_lazy("Subject"), linkify=lambda record: record.get_absolute_url()
    )
    kind = tables.Column(verbose_name=gettext_lazy("Kind"), accessor="kind_label", order_by=("kind",))
    chain = tables.Column(verbose_name=gettext_lazy("Chain"))
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    progress = tables.Column(verbose_name=gettext_lazy("Steps"), empty_values=(), orderable=False)
    author = tables.Column(verbose_name=gettext_lazy("Author"))
    team = tables.Column(verbose_name=gettext_lazy("Team"))
    started_at = tables.DateTimeColumn(verbose_name=gettext_lazy("Started"), format="Y-m-d H:i")
    finished_at = tables.DateTimeColumn(verbose_name=gettext_lazy("Finished"), format="Y-m-d H:i")

    class Meta:
        model = Review
        fields = [
            "subject_summary",
            "kind",
            "chain",
            "status",
            "progress",
            "author",
            "team",
            "started_at",
            "finished_at",
        ]
        template_name = "django_tables2/bootstrap5.html"
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "review-table"}
        order_by = ("-started_at",)

    def render_progress(self, record: Review) -> str:
        return format_html("{} / {}", record.steps_done, record.steps_total)


class ReviewListView(ScopedListView):
    """Every review the user may see, filtered by status, kind, team."""

    queryset = Review.objects.with_tasks()
    filterset_class = ReviewFilterSet
    table_class = ReviewTable
    template_name = "reviews/review_list.html"
    partial_template_name = "reviews/partials/review_table.html"
