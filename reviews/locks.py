"""The lock order of the review aggregate: every row lock the review engine takes is taken
here (R-REV-1, R-REV-5), as Saleor's ``lock_objects.py``.

THE order, in every transaction that writes a review:

1. **the review's subject**, through its subject type's ``lock`` hook (reviews/registry.py),
   which takes the subject aggregate's own locks in that aggregate's order (for a project
   initiation: opportunity → initiation, opportunities/locks.py);
2. **the review** row (:func:`lock_review`, :func:`lock_review_in_progress`);
3. **its tasks**: never locked on their own. They are written only under their review's
   lock, so the UPDATEs that change them take their row locks after the review's;
4. then leaves that lock nothing after them: the approvers' and the subject's SLA timers
   (presales.sla), the audit rows.

Why the subject comes first: the subject's services lock the subject and then cancel its
review (an initiation withdrawn, an opportunity closed), while a decision on the review calls
back into the subject (``on_approved`` forms the project team). If the engine locked the
review first, a withdrawal and an approval arriving together would each hold the row the
other waits for: PostgreSQL would detect a deadlock and kill one of them.

A caller that has only the review reads it without a lock to find its subject (a review never
changes subject), locks the subject, then locks the review and re-checks it: its state may
have changed while the subject's lock was awaited (:func:`lock_subject_then_review`).

Review chains are configuration, an aggregate of their own (chain → its steps,
:func:`lock_chain`); a review reads its chain without a lock and copies the steps it needs
when it starts, so no transaction holds a chain and a review together.
"""

from __future__ import annotations

from typing import Any

from reviews.models import Review, ReviewChain
from reviews.registry import SubjectType


def lock_subject(subject_type: SubjectType, subject: Any) -> Any:
    """Step 1: the subject, locked in its aggregate's order and re-read."""
    return subject_type.lock(subject)


def lock_review(review: Review) -> Review:
    """Step 2: the review row, re-read under its lock. Only after its subject's lock."""
    return Review.objects.select_for_update().get(pk=review.pk)


def lock_review_in_progress(subject: Any) -> Review | None:
    """Step 2 from the subject's side: its review in progress, if any, locked. Only under the
    subject's lock, which every writer of its reviews takes first: the answer cannot change
    before this transaction ends."""
    return Review.objects.for_subject(subject).in_progress().select_for_update().first()


def lock_subject_then_review(subject_type: SubjectType, review: Review) -> tuple[Any, Review]:
    """Steps 1 and 2 for a caller that starts from the review: its subject (found without a
    lock), then the review itself. The caller re-checks the returned review's state."""
    subject = lock_subject(subject_type, review.subject)
    return subject, lock_review(review)


def lock_chain(chain: ReviewChain) -> ReviewChain:
    """A review chain (its own aggregate: chain → steps), re-read under its lock."""
    return ReviewChain.objects.select_for_update().get(pk=chain.pk)
