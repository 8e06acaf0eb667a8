"""The demo's and the trial request's allowed moves, as tables, with their gates (R-DEMO-1..3, R-SOL-5).

Demo::

    draft ─schedule─▶ scheduled ─start─▶ started ─finish─▶ done
      └───────────────────┴─────────────────┴──cancel (reason)──▶ cancelled

Trial request (R-DEMO-3)::

    draft | rejected ─submit─▶ in_review ─approve─▶ approved ─mark_returned─▶ returned
                                  ├─reject──▶ rejected
                                  └─withdraw─▶ draft
    draft | rejected ─cancel─▶ cancelled

``approve``, ``reject`` and ``withdraw`` are decided by the review engine (kind ``trial``):
who may decide is the chain's business, so they carry no permission here.
Guards read the record and what was fetched with it; ``checklist_complete`` and
``has_attendees`` read the demo's own rows (one query each, on one demo's page only).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opportunities.choices import OPEN_STAGES
from opportunities.permissions import can_work_opportunity
from presales.core.statemachine import Machine, Move
from proposals.demos.choices import DemoStatus, TrialStatus
from proposals.solutions.services import approval_reasons

# --- demo gates ---------------------------------------------------------------------------


def version_approved_reasons(version) -> list[str]:
    """R-SOL-5: a demo shows only a solution version whose review is approved. The rule is
    the solutions area's (``proposals.solutions.services.approval_reasons``), said here in a
    demo's words."""
    if version is None:
        return [_("Choose the solution version the demo shows.")]
    if approval_reasons(version):
        return [
            _(
                "The solution version %(version)s is not approved (it is %(status)s): a demo shows only an approved version."
            )
            % {"version": version, "status": version.get_status_display()}
        ]
    return []


def version_approved(demo, actor, **context) -> list[str]:
    return version_approved_reasons(demo.solution_version)


def opportunity_open(obj, actor, **context) -> list[str]:
    if obj.opportunity.stage not in OPEN_STAGES:
        return [_("The opportunity is closed.")]
    return []


def starts_in_future(demo, actor, **context) -> list[str]:
    if demo.starts_at <= timezone.now():
        return [_("The demo's start time has passed: choose a new time first.")]
    return []


def has_attendees(demo, actor, **context) -> list[str]:
    reasons = []
    if not demo.our_attendees.exists():
        reasons.append(_("Invite at least one of our people."))
    if not demo.customer_attendees.exists():
        reasons.append(_("Invite at least one of the customer's contacts."))
    return reasons


def checklist_complete(demo, actor, **context) -> list[str]:
    """R-DEMO-1: the environment checklist is complete before the demo starts."""
    open_items = [item.display_label for item in demo.checklist.all() if not item.done]
    if open_items:
        return [_("The environment checklist is not complete: %(items)s.") % {"items": ", ".join(open_items)}]
    return []


def reason_given(obj, actor, *, reason: str = "", **context) -> list[str]:
    if not (reason or "").strip():
        return [_("Give the reason.")]
    return []


def can_work_demo(actor, demo) -> bool:
    return can_work_opportunity(actor, demo.opportunity)


S = DemoStatus
DEMO_MACHINE = Machine(
    [
        Move(
            "schedule",
            frozenset({S.DRAFT}),
            S.SCHEDULED,
            gettext_lazy("Schedule and invite"),
            guards=(opportunity_open, version_approved, starts_in_future, has_attendees),
            permission=can_work_demo,
        ),
        Move(
            "start",
            frozenset({S.SCHEDULED}),
            S.STARTED,
            gettext_lazy("Start the demo"),
            guards=(opportunity_open, version_approved, checklist_complete),
            permission=can_work_demo,
        ),
        Move(
            "finish",
            frozenset({S.STARTED}),
            S.DONE,
            gettext_lazy("Mark done"),
            permission=can_work_demo,
        ),
        Move(
            "cancel",
            frozenset({S.DRAFT, S.SCHEDULED, S.STARTED}),
            S.CANCELLED,
            gettext_lazy("Cancel the demo"),
            input_guards=(reason_given,),
            input_fields=("reason",),
            permission=can_work_demo,
            style="outline-danger",
        ),
    ]
)


# --- trial gates --------------------------------------------------------------------------


def return_date_not_past(trial, actor, **context) -> list[str]:
    if trial.return_date < timezone.localdate():
        return [_("The return date has passed: change it before sending the request.")]
    return []


def can_work_trial(actor, trial) -> bool:
    return can_work_opportunity(actor, trial.opportunity)


T = TrialStatus
TRIAL_MACHINE = Machine(
    [
        Move(
            "submit",
            frozenset({T.DRAFT, T.REJECTED}),
            T.IN_REVIEW,
            gettext_lazy("Send for approval"),
            guards=(opportunity_open, return_date_not_past),
            permission=can_work_trial,
        ),
        Move("approve", frozenset({T.IN_REVIEW}), T.APPROVED, gettext_lazy("Approve")),
        Move("reject", frozenset({T.IN_REVIEW}), T.REJECTED, gettext_lazy("Reject")),
        Move("withdraw", frozenset({T.IN_REVIEW}), T.DRAFT, gettext_lazy("Withdraw")),
        Move(
            "mark_returned",
            frozenset({T.APPROVED}),
            T.RETURNED,
            gettext_lazy("Mark returned"),
            permission=can_work_trial,
        ),
        Move(
            "cancel",
            frozenset({T.DRAFT, T.REJECTED}),
            T.CANCELLED,
            gettext_lazy("Cancel the request"),
            input_guards=(reason_given,),
            input_fields=("reason",),
            permission=can_work_trial,
            style="outline-danger",
        ),
    ]
)
