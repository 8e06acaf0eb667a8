"""The public needs confirmation page (R-NEED-3): /proposals/confirm/<token>/, no account.

The token in the link is the only credential (``presales.web.public_links``: no session, no
cookie, CSRF-exempt because no ambient authority is used, rate limited per client address and
token: 429). The page shows exactly the list of the request and nothing else, in the contact's
language when it is recorded, else the browser's. An unknown or tampered token is 404; an
expired, revoked or spent one 410; neither says which request it was.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from presales.core.errors import Conflict, DomainError
from presales.web.public_links import PublicLinkView
from proposals.needs.services import (
    LinkRefused,
    confirmation_answer,
    confirmation_request_for_token,
    confirmation_rows,
)


class ConfirmationPublicView(PublicLinkView):
    template_name = "proposals/needs/confirm_public.html"
    refused_template = "proposals/needs/confirm_refused.html"
    rate_scope = "needs-confirm"

    def _page(self, request: HttpRequest, confirmation, *, answers=None, errors=None, message="", status=200):
        rows = confirmation_rows(confirmation)
        answers = answers or {}
        context = {
            "customer_name": confirmation.opportunity.customer.name,
            "contact_name": confirmation.contact.name,
            "expires_at": confirmation.expires_at,
            "rows": [
                {
                    "requirement": r,
                    "answer": answers.get(r.pk, {}),
                    "errors": (errors or {}).get(f"row_{r.pk}", []),
                }
                for r in rows
            ],
            "message": message,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        confirmation = confirmation_request_for_token(token)
        with translation.override(_language(confirmation)):
            return self._page(request, confirmation)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        confirmation = confirmation_request_for_token(token)
        answers: dict[int, dict[str, Any]] = {}
        for pk in confirmation.requirement_ids:
            answers[pk] = {
                "status": request.POST.get(f"status_{pk}", ""),
                "comment": request.POST.get(f"comment_{pk}", "")[:2000],
                "version": request.POST.get(f"version_{pk}") or None,
            }
        with translation.override(_language(confirmation)):
            try:
                confirmation_answer(token=token, answers=answers)
            except Conflict as exc:
                return self._page(request, confirmation, message=exc.message, status=409)
            except LinkRefused:
                raise
            except DomainError as exc:
                return self._page(request, confirmation, answers=answers, errors=exc.fields, status=400)
            return render(
                request, "proposals/needs/confirm_done.html", {"contact_name": confirmation.contact.name}
            )


def _language(confirmation) -> str:
    """The contact's language when recorded, else the one the page was asked in (as the
    confirmation e-mail: ``Contact.preferred_language``)."""
    return confirmation.contact.preferred_language(default=translation.get_language())
