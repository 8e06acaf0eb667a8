"""R-CUST-8: a contact's erasure scrubs the person's details from knowledge articles (a
case or a piece of intelligence that names the customer's person), their attachments' names
and needs templates, with their history rows; a scrubbed article's search keys are written
again from its new text, so the name cannot be found by searching either. Registered from
``knowledge.registry``."""

from __future__ import annotations

from knowledge.models import Article
from leads.erasure import ErasedPerson, register_erasure_step, scrub_app


def scrub_knowledge(person: ErasedPerson) -> int:
    count = scrub_app("knowledge", person)
    label = Article._meta.label
    for article in Article.objects.filter(pk__in=[pk for model, pk in person.touched if model == label]):
        article.refresh_search()
    return count


def register() -> None:
    register_erasure_step("knowledge", scrub_knowledge)
