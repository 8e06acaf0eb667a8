"""The review's allowed moves (R-REV-1, R-REV-5).

in_progress ──last needed approval──▶ approved
     │──────any rejection──────────▶ rejected
     └──────cancel (author/admin)──▶ cancelled

Decisions that do not end the review (an approval with steps still to go) keep it in
progress; reviews/services.py decides which move a decision makes.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from presales.core.roles import Role
from presales.core.statemachine import Machine, Move
from reviews.choices import ReviewStatus

OPEN = frozenset({ReviewStatus.IN_PROGRESS})


def can_cancel_review(actor, review) -> bool:
    """R-REV-5: the author withdraws their subject (e.g. it changed); admins clean up."""
    return actor.is_superuser or actor.has_role(Role.ADMIN) or actor.pk == review.author_id


REVIEW_MACHINE = Machine(
    [
        Move("approve", OPEN, ReviewStatus.APPROVED, _("Approve"), style="success"),
        Move("reject", OPEN, ReviewStatus.REJECTED, _("Reject"), style="danger"),
        Move(
            "cancel",
            OPEN,
            ReviewStatus.CANCELLED,
            _("Withdraw"),
            permission=can_cancel_review,
            style="outline-secondary",
        ),
    ]
)
