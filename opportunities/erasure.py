"""R-CUST-8: a contact's erasure scrubs the person's details from this app's texts
(opportunities' descriptions and close notes, initiation requests, stage-change details,
competitors' intelligence and notes, the competitors in play, with their history rows) and
from the review engine's (``reviews`` sits beside ``leads`` and cannot register itself): the
content as submitted, the subject summaries, the approvers' comments. A scrubbed review's
form (a generated document) is withdrawn with the customer's documents. Registered from
``OpportunitiesConfig.ready()``."""

from __future__ import annotations

from leads.erasure import ErasedPerson, register_erasure_step, scrub_app


def scrub_opportunities(person: ErasedPerson) -> int:
    return scrub_app("opportunities", person)


def scrub_reviews(person: ErasedPerson) -> int:
    return scrub_app("reviews", person)


def register() -> None:
    register_erasure_step("opportunities", scrub_opportunities)
    register_erasure_step("reviews", scrub_reviews)
