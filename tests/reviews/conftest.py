"""A stand-in subject for the review engine: leads.Lead registered as kind "test_lead".

The engine knows nothing of its subjects; these tests plug a lead in through the registry
exactly as the opportunity app plugs in project initiation, and record every callback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import connection

from leads.models import Lead
from presales.core.roles import Role
from reviews import services
from reviews.registry import SubjectType, find_subject_type, register_subject_type, unregister_subject_type
from tests.factories import LeadFactory, ReviewChainFactory, ReviewChainStepFactory

KIND = "test_lead"


@dataclass
class Calls:
    """What the subject's callbacks saw: (subject pk, review pk, actor pk, review status
    as stored in the database at that moment, inside a transaction?)."""

    approved: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    cancelled: list = field(default_factory=list)
    fail_on_approve: bool = False

    def record(self, bucket: list, *, subject, review, actor) -> None:
        from reviews.models import Review

        stored = Review.objects.filter(pk=review.pk).values_list("status", flat=True).first()
        bucket.append((subject.pk, review.pk, actor.pk, stored, connection.in_atomic_block))


@pytest.fixture
def calls():
    return Calls()


@pytest.fixture
def lead_subject_type(calls):
    """Register leads as reviewable subjects for the duration of a test."""

    def on_approved(*, subject, review, actor):
        calls.record(calls.approved, subject=subject, review=review, actor=actor)
        if calls.fail_on_approve:
            raise RuntimeError("the subject refused to move")

    subject_type = SubjectType(
        kind=KIND,
        model="leads.Lead",
        label="Test lead",
        team_of=lambda lead: lead.team,
        author_of=lambda lead: lead.owner,
        summary_of=lambda lead: f"{lead.company_name} (budget {lead.budget})",
        url_of=lambda lead: f"/leads/{lead.pk}/",
        on_approved=on_approved,
        on_rejected=lambda **kw: calls.record(calls.rejected, **kw),
        on_cancelled=lambda **kw: calls.record(calls.cancelled, **kw),
        lock=lambda lead: Lead.objects.select_for_update().get(pk=lead.pk),
        amount_of=lambda lead: lead.budget,
        visible_to=lambda user: Lead.objects.visible_to(user),
    )
    previous = find_subject_type(KIND)
    register_subject_type(subject_type)
    yield subject_type
    unregister_subject_type(KIND)
    if previous is not None:
        register_subject_type(previous)


@pytest.fixture
def followups(monkeypatch):
    """Each TaskChanges the engine hands explicitly to the approvers' timers
    (``reviews.timers.review_tasks_changed``), as (review id, opened, decided, closed
    approver ids, closed_because); the timers still run."""
    seen: list[tuple] = []
    real = services.review_tasks_changed

    def record(changes):
        seen.append(
            (
                changes.review.pk,
                sorted(t.approver_id for t in changes.opened),
                sorted(t.approver_id for t in changes.decided),
                sorted(t.approver_id for t in changes.closed),
                changes.closed_because,
            )
        )
        real(changes)

    monkeypatch.setattr(services, "review_tasks_changed", record)
    return seen


@pytest.fixture
def author(make_user, team):
    """The sales rep who owns the lead under review."""
    return make_user(Role.SALES_REP, team=team, username="author")


@pytest.fixture
def lead(author, team):
    return LeadFactory(team=team, owner=author, budget=50000, company_name="Acme Robotics")


@pytest.fixture
def make_chain(db, lead_subject_type):
    """``make_chain([{"approver_role": ..., "mode": ...}, ...], criteria=[...])``: an active
    chain of kind test_lead with those steps, in order."""

    def make(steps, *, criteria=None, kind=KIND, **kwargs):
        chain = ReviewChainFactory(kind=kind, score_criteria=criteria or [], **kwargs)
        for order, spec in enumerate(steps, start=1):
            spec = {"order": order, **spec}
            if "approver_user" in spec:
                spec.setdefault("approver_role", "")
            ReviewChainStepFactory(chain=chain, **spec)
        return chain

    return make


CRITERIA = [
    {"code": "rationality", "label": "Rationality"},
    {"code": "innovation", "label": "Innovation"},
    {"code": "completeness", "label": "Completeness"},
]
FULL_SCORES = {"rationality": 4, "innovation": 3, "completeness": 5}
