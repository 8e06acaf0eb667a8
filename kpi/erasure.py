"""R-CUST-8: a contact's erasure scrubs the person's details from the appraisal's texts:
surveys (the customer contact asked may be the person: comments and answers), improvement
actions, retrospectives (attendees, reasons, lessons, the success case), team reports,
scorecards and training, with their history rows. Registered from ``KpiConfig.ready()``."""

from __future__ import annotations

from leads.erasure import ErasedPerson, register_erasure_step, scrub_app


def scrub_kpi(person: ErasedPerson) -> int:
    return scrub_app("kpi", person)


def register() -> None:
    register_erasure_step("kpi", scrub_kpi)
