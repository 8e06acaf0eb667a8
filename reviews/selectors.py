"""Reads of the review engine: the inbox, a subject's reviews, the review form (R-REV-6).

Every selector decides its ``select_related`` / ``prefetch_related`` once, so the number of
queries does not grow with the number of reviews shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import translation

from presales.accounts.models import User
from reviews.choices import ReviewStatus, TaskState
from reviews.models import Review, ReviewTask, StepView
from reviews.registry import content_from_json, content_to_json, find_subject_type, kind_label


def inbox_for(user: User, *, kind: str | None = None) -> QuerySet[Review]:
    """In-progress reviews where ``user`` holds a pending task of the current step, oldest
    first (first come, first served), with tasks and people prefetched (two queries)."""
    reviews = Review.objects.waiting_for(user).with_tasks().order_by("started_at", "pk")
    if kind:
        reviews = reviews.filter(kind=kind)
    return reviews


def longest_waiting(user: User, *, limit: int = 5) -> list[Review]:
    """The ``limit`` reviews that have waited longest for ``user``'s decision (since their
    pending task opened), with tasks and people prefetched: two queries whatever the data.

    Bounded: the partial index ``review_task_waiting`` (approver, opened_at, review) WHERE
    pending yields the first ``limit`` review ids; only those reviews are read. For a first
    step the task opened when the review started, so the order is the inbox's; a later
    step's task counts from the moment the review reached the user.
    """
    pending = ReviewTask.objects.filter(approver=user.pk, state=TaskState.PENDING)
    first = pending.order_by("opened_at", "review_id").values("review_id")[:limit]
    reviews = (
        Review.objects.in_progress()
        .filter(pk__in=first)
        .with_tasks()
        .annotate(waiting_since=Subquery(pending.filter(review=OuterRef("pk")).values("opened_at")[:1]))
        .order_by("waiting_since", "pk")
    )
    return list(reviews)


def inbox_counts(user: User) -> list[tuple[str, str, int]]:
    """(kind, label, count) of the reviews waiting for ``user``, for the inbox's tabs."""
    counts = Counter(Review.objects.waiting_for(user).values_list("kind", flat=True))
    return sorted(((k, kind_label(k), n) for k, n in counts.items()), key=lambda row: row[1])


def pending_count(user: User) -> int:
    """How many reviews wait for ``user`` (the navigation badge): one query.

    A user holds at most one pending task per review (only the current step is pending and
    an approver has one task per step), so counting tasks counts reviews.
    """
    if not user.is_authenticated:
        return 0
    return ReviewTask.objects.filter(approver=user, state=TaskState.PENDING).count()


def with_content(reviews: list[Review]) -> list[Review]:
    """Give each review ``content``: what was sent to review (its snapshot, in the reader's
    language), and ``content_changed``: whether the subject reads differently now (R-REV-6).
    A review without a snapshot (started before snapshots were kept) shows the subject as it
    reads now. ``[]`` when the type describes nothing or the subject is gone. One fetch per
    kind (``content_queryset``, with its own prefetches), whatever the number of reviews."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    by_kind: dict[str, list[Review]] = {}
    for review in reviews:
        review.content = []
        review.content_changed = False
        by_kind.setdefault(review.kind, []).append(review)
    for kind, group in by_kind.items():
        subject_type = find_subject_type(kind)
        if subject_type is None or subject_type.describe is None or subject_type.content_queryset is None:
            continue
        subjects = subject_type.content_queryset().in_bulk([r.object_id for r in group])
        for review in group:
            subject = subjects.get(review.object_id)
            now = content_to_json(list(subject_type.describe(subject))) if subject is not None else None
            sent = _snapshot_in(review.content_snapshot, language)
            if sent is None:
                review.content = content_from_json(now or [])
            else:
                review.content = content_from_json(sent)
                review.content_changed = now is not None and now != sent
    return reviews


def _snapshot_in(snapshot: dict[str, Any], language: str) -> list[dict[str, Any]] | None:
    if not snapshot:
        return None
    return snapshot.get(language) or snapshot.get(settings.LANGUAGE_CODE) or next(iter(snapshot.values()))


def reviews_for_subject(subject: Any) -> QuerySet[Review]:
    """Every review of ``subject``, newest first, with tasks prefetched."""
    return Review.objects.for_subject(subject).with_tasks()


def latest_review_for_subject(subject: Any) -> Review | None:
    return reviews_for_subject(subject).first()


def latest_rejection(subject: Any) -> Review | None:
    """The subject's latest rejected review, with its decisions (R-REV-5: the subject
    returns to its author with the comments, shown where the author revises it)."""
    return reviews_for_subject(subject).filter(status=ReviewStatus.REJECTED).first()


def _average(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class CriterionSummary:
    code: str
    label: str
    average: Decimal | None
    count: int


@dataclass
class ReviewForm:
    """The review form of R-REV-6 (方案審核表 and its siblings): the subject, the chain's
    steps with every reviewer, their decisions, scores, comments and times, and the
    average score per criterion."""

    review: Review
    steps: list[StepView]
    decisions: list[ReviewTask]
    criteria: list[CriterionSummary]
    overall_average: Decimal | None
    reviewers: list[User] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return kind_label(self.review.kind)

    @property
    def started_at(self) -> datetime:
        return self.review.started_at

    @property
    def finished_at(self) -> datetime | None:
        return self.review.finished_at


def review_form(review: Review) -> ReviewForm:
    """Everything the review form shows. Pass a review from ``with_tasks()``; otherwise
    the tasks are fetched once here."""
    tasks = list(review.tasks.all())
    criteria = []
    all_scores: list[int] = []
    for code, label in review.criteria:
        values = [t.scores[code] for t in tasks if isinstance(t.scores, dict) and code in t.scores]
        all_scores.extend(values)
        criteria.append(CriterionSummary(code=code, label=label, average=_average(values), count=len(values)))
    reviewers: list[User] = []
    for task in tasks:
        if task.approver is not None and task.approver not in reviewers:
            reviewers.append(task.approver)
    return ReviewForm(
        review=review,
        steps=review.steps,
        decisions=review.decisions,
        criteria=criteria,
        overall_average=_average(all_scores),
        reviewers=reviewers,
    )


def score_averages(reviews: QuerySet[Review]) -> dict[str, Decimal | None]:
    """Average score per criterion code over the decided tasks of ``reviews`` (R-REV-2:
    scores feed the KPI). One query."""
    values: dict[str, list[int]] = {}
    rows = ReviewTask.objects.filter(
        review__in=reviews, state__in=[TaskState.APPROVED, TaskState.REJECTED]
    ).values_list("scores", flat=True)
    for scores in rows:
        for code, value in (scores or {}).items():
            if isinstance(value, int):
                values.setdefault(code, []).append(value)
    return {code: _average(v) for code, v in values.items()}


@dataclass(frozen=True)
class ReviewScores:
    """One finished review's scores (R-REV-2), for the solution-quality KPI: the average
    per criterion code over its reviewers, and the overall average of every score given."""

    review_id: int
    object_id: int
    kind: str
    status: str
    author_id: int
    team_id: int | None
    finished_at: datetime
    averages: dict[str, Decimal | None]
    overall: Decimal | None
    reviewers: int


def review_scores(
    subject_kind: str,
    *,
    finished_from: datetime | None = None,
    finished_until: datetime | None = None,
    author_ids: list[int] | None = None,
    team_ids: list[int] | None = None,
    object_ids: list[int] | None = None,
) -> list[ReviewScores]:
    """The scores of the finished (approved or rejected) reviews of ``subject_kind`` (e.g.
    "solution_version"), oldest first, optionally within ``[finished_from, finished_until)``
    and for some authors, teams or subjects. Withdrawn reviews count for nothing. One query,
    whatever the number of reviews: the KPI reads this (R-REV-2: scores feed the KPI)."""
    tasks = ReviewTask.objects.filter(
        review__kind=subject_kind,
        review__status__in=[ReviewStatus.APPROVED, ReviewStatus.REJECTED],
        state__in=[TaskState.APPROVED, TaskState.REJECTED],
    )
    if finished_from is not None:
        tasks = tasks.filter(review__finished_at__gte=finished_from)
    if finished_until is not None:
        tasks = tasks.filter(review__finished_at__lt=finished_until)
    if author_ids is not None:
        tasks = tasks.filter(review__author_id__in=author_ids)
    if team_ids is not None:
        tasks = tasks.filter(review__team_id__in=team_ids)
    if object_ids is not None:
        tasks = tasks.filter(review__object_id__in=object_ids)
    rows = tasks.order_by("review__finished_at", "review_id", "pk").values_list(
        "review_id",
        "review__object_id",
        "review__status",
        "review__author_id",
        "review__team_id",
        "review__finished_at",
        "review__score_criteria",
        "scores",
    )
    grouped: dict[int, dict[str, Any]] = {}
    for review_id, object_id, status, author_id, team_id, finished_at, criteria, scores in rows:
        entry = grouped.setdefault(
            review_id,
            {
                "object_id": object_id,
                "status": status,
                "author_id": author_id,
                "team_id": team_id,
                "finished_at": finished_at,
                "codes": [c["code"] for c in criteria or [] if isinstance(c, dict) and "code" in c],
                "values": {},
                "reviewers": 0,
            },
        )
        entry["reviewers"] += 1
        for code, value in (scores or {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                entry["values"].setdefault(code, []).append(value)
    result = []
    for review_id, entry in grouped.items():
        values: dict[str, list[int]] = entry["values"]
        codes = entry["codes"] or sorted(values)
        result.append(
            ReviewScores(
                review_id=review_id,
                object_id=entry["object_id"],
                kind=subject_kind,
                status=entry["status"],
                author_id=entry["author_id"],
                team_id=entry["team_id"],
                finished_at=entry["finished_at"],
                averages={code: _average(values.get(code, [])) for code in codes},
                overall=_average([v for code in codes for v in values.get(code, [])]),
                reviewers=entry["reviewers"],
            )
        )
    return result
