"""The timer kinds of PROCESS.md with their default policies (R-SLA-1).

Registered once from ``PresalesConfig.ready()``. Admins change the limits as SlaPolicy rows
(R-SLA-4); these are only the values a fresh installation starts with. docs/timers.md lists
the same table for readers.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from presales.core.roles import Role
from presales.sla.choices import EscalationTarget, LimitUnit
from presales.sla.policies import PolicyValues, TimerKind, register_timer_kind

LEAD_FIRST_CONTACT = "lead_first_contact"
COMMUNICATION_FOLLOW_UP = "communication_follow_up"
INITIATION_REVIEW = "initiation_review"
REVIEW_STEP = "review_step"
DEMO_FEEDBACK = "demo_feedback"
SOLUTION_REVISION = "solution_revision"
CONTRACT_ARCHIVE = "contract_archive"
HANDOFF_ACK = "handoff_ack"
TENDER_DEADLINE = "tender_deadline"
SURVEY_DUE = "survey_due"


def register_defaults() -> None:
    hours, workdays, fixed = LimitUnit.HOURS, LimitUnit.WORKING_DAYS, LimitUnit.FIXED
    manager = EscalationTarget.OWNER_MANAGER
    kinds = [
        TimerKind(
            LEAD_FIRST_CONTACT,
            _("First contact with a new lead"),
            "R-LEAD-3",
            PolicyValues(settings.PRESALES["FIRST_CONTACT_HOURS"], hours, (4,), manager),
            _("Started when a lead is received; satisfied by the first contact record."),
        ),
        TimerKind(
            COMMUNICATION_FOLLOW_UP,
            _("Promised follow-up"),
            "R-COMM-1",
            PolicyValues(None, fixed, (24,), manager),
            _(
                "Started by a communication record with a next-step date; satisfied by the next "
                "interaction recorded with the same customer or lead."
            ),
        ),
        TimerKind(
            INITIATION_REVIEW,
            _("Project initiation review pending"),
            "R-OPP-2",
            PolicyValues(2, workdays, (4,), manager),
            _(
                "Started for the author when an initiation request is submitted; satisfied by the "
                "decision, cancelled when the request is withdrawn."
            ),
        ),
        TimerKind(
            REVIEW_STEP,
            _("Review step pending"),
            "R-REV-1",
            PolicyValues(2, workdays, (4,), manager),
            _(
                "Started for each approver when a review step opens; satisfied by that approver's "
                "decision, cancelled when the step no longer needs it."
            ),
        ),
        TimerKind(
            DEMO_FEEDBACK,
            _("Demo feedback"),
            "R-DEMO-2",
            PolicyValues(24, hours, (4,), manager),
            _("Started when a demo is held; satisfied when its feedback is recorded."),
        ),
        TimerKind(
            SOLUTION_REVISION,
            _("Revised solution after customer feedback"),
            "R-SOL-3",
            PolicyValues(48, hours, (12,), manager),
            _("Started by customer feedback on a presented version; satisfied by the revision."),
        ),
        TimerKind(
            CONTRACT_ARCHIVE,
            _("Archive the signed contract"),
            "R-CON-4",
            PolicyValues(3, workdays, (24,), manager),
            _("Started when the contract is signed; satisfied when the scan is uploaded."),
        ),
        TimerKind(
            HANDOFF_ACK,
            _("Handoff acknowledgment"),
            "R-HAND-2",
            PolicyValues(2, workdays, (4,), manager, repeat_every_hours=24, max_escalations=3),
            _(
                "Started when the handoff package is sent; satisfied when the receiving department "
                "acknowledges it. Escalates again every day, three times at most."
            ),
        ),
        TimerKind(
            TENDER_DEADLINE,
            _("Tender deadline"),
            "R-BID-2",
            PolicyValues(None, fixed, (168, 72, 24), EscalationTarget.ROLE, Role.PRESALES_MANAGER),
            _("Started with the tender's deadline; satisfied when the bid is submitted."),
        ),
        TimerKind(
            SURVEY_DUE,
            _("Satisfaction survey"),
            "R-POST-1",
            PolicyValues(None, fixed, (72,), manager),
            _(
                "Started for each survey date (1, 3, 6 months after acceptance); satisfied when "
                "the survey is sent."
            ),
        ),
    ]
    for kind in kinds:
        register_timer_kind(kind)
