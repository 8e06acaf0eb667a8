"""R-CUST-8: a contact's erasure scrubs the person's details from the bids app: tenders and
bids, contracts (the customer's signatory, clauses, negotiation minutes and their attendees,
clause changes confirmed by the customer), payments, the handoff (the package frozen at
signing lists the customer's contacts; the contact informed), acceptances and
rectifications, the risk register and credit assessments, the bid documents' texts, with
their history rows. The PDFs of these records are withdrawn with the customer's documents.
Registered from ``BidsConfig.ready()``."""

from __future__ import annotations

from leads.erasure import ErasedPerson, register_erasure_step, scrub_app


def scrub_bids(person: ErasedPerson) -> int:
    return scrub_app("bids", person)


def register() -> None:
    register_erasure_step("bids", scrub_bids)
