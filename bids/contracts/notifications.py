"""Who hears of a contract's signing and archiving (R-CON-3, R-CON-4): the opportunity's sales
and presales owners and the legal reviewers of its approval (the approvers with the legal
role on its contract reviews) are told, each in their language (bell, e-mail by preference,
team robot: ``presales.sla.notifications``). Called inside the service's transaction;
deliveries are enqueued after it commits. Keys name the contract, the event and the
recipient, so a retried call sends nothing twice; the actor is not told of their own act."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from presales.accounts.models import User
from presales.core.roles import Role
from presales.sla.notifications import Message, NotificationKind, notify_many, register_notification_kind

CONTRACT_PROGRESS = register_notification_kind(
    NotificationKind("contract_progress", gettext_lazy("Contracts signed and archived"))
).kind


def recipients(contract: Any) -> list[User]:
    """The sales owner, the presales owner and the legal reviewers of ``contract``."""
    from reviews.models import ReviewTask

    opportunity = contract.opportunity
    people: dict[int, User] = {
        u.pk: u for u in (opportunity.sales_owner, opportunity.presales_owner) if u is not None
    }
    legal = (
        User.objects.filter(
            pk__in=ReviewTask.objects.filter(
                review__content_type=ContentType.objects.get_for_model(contract),
                review__object_id=contract.pk,
                approver__isnull=False,
            ).values("approver_id"),
            is_active=True,
        )
        .filter(groups__name=Role.LEGAL)
        .distinct()
    )
    for person in legal:
        people.setdefault(person.pk, person)
    return list(people.values())


def _notify(contract: Any, *, actor: User, event: str, title_text: str, body_text: str) -> None:
    messages = []
    for person in recipients(contract):
        if person.pk == actor.pk or not person.is_active:
            continue
        with translation.override(person.language or settings.LANGUAGE_CODE):
            params = {
                "contract": str(contract),
                "customer": contract.party_customer,
                "date": str(contract.signed_on or ""),
                "place": contract.archive_location,
            }
            title, body = _(title_text) % params, _(body_text) % params
        messages.append(
            Message(
                recipient=person,
                kind=CONTRACT_PROGRESS,
                key=f"contract:{contract.pk}:{event}:to:{person.pk}",
                title=title,
                body=body,
                url=contract.get_absolute_url(),
                event=f"contract:{contract.pk}:{event}",
            )
        )
    notify_many(messages)


def contract_signed(contract: Any, *, actor: User) -> None:
    _notify(
        contract,
        actor=actor,
        event="signed",
        title_text=gettext_noop("Contract signed: %(contract)s"),
        body_text=gettext_noop("The contract %(contract)s with %(customer)s was signed on %(date)s."),
    )


def contract_archived(contract: Any, *, actor: User) -> None:
    _notify(
        contract,
        actor=actor,
        event="archived",
        title_text=gettext_noop("Contract archived: %(contract)s"),
        body_text=gettext_noop(
            "The signed scan of %(contract)s is archived; the paper original is kept at %(place)s."
        ),
    )
