"""R-CUST-8: a contact's erasure scrubs the person's details from every text of the
proposals app (needs and SPIN notes, R&D requests, change requests, solution sections and
versions, quotes, feedback and acceptances, demos and their agendas, trials and loans), with
their history rows; the solutions' named copies are handled by
``proposals.solutions.erasure`` first. Registered from ``ProposalsConfig.ready()``."""

from __future__ import annotations

from leads.erasure import ErasedPerson, register_erasure_step, scrub_app


def scrub_proposals(person: ErasedPerson) -> int:
    return scrub_app("proposals", person)


def register() -> None:
    register_erasure_step("proposals", scrub_proposals)
