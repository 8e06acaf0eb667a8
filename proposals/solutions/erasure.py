"""R-CUST-8: a contact erased on request leaves no copy of its name in the solutions'
customer feedback ("from") and acceptances ("accepted by"): an erasure step registered
with ``leads.erasure.register_erasure_step`` from ``ProposalsConfig.ready()``."""

from __future__ import annotations

from django.db.models import Q

from leads.erasure import ErasedPerson, register_erasure_step
from proposals.models import Acceptance, Feedback


def scrub_solution_copies(person: ErasedPerson) -> int:
    customer_id = person.contact.customer_id
    accepted = (
        Acceptance.objects.filter(opportunity__customer_id=customer_id)
        .filter(Q(contact_id=person.contact.pk) | Q(contact_name=person.name))
        .update(contact_name=person.placeholder)
    )
    feedback = Feedback.objects.filter(
        solution_version__solution__opportunity__customer_id=customer_id, contact_name=person.name
    ).update(contact_name=person.placeholder)
    return accepted + feedback


def register() -> None:
    register_erasure_step("proposals_solutions", scrub_solution_copies)
