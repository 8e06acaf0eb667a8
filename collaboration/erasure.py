"""R-CUST-8: a contact's erasure scrubs the person's details from collaboration requests
(description, expected result, result, comments), meeting minutes (external attendees,
decisions, place), action items and attachment names, with their history rows. Registered
from ``collaboration.registry``."""

from __future__ import annotations

from leads.erasure import ErasedPerson, register_erasure_step, scrub_app


def scrub_collaboration(person: ErasedPerson) -> int:
    return scrub_app("collaboration", person)


def register() -> None:
    register_erasure_step("collaboration", scrub_collaboration)
