"""The public needs confirmation page (R-NEED-3): /proposals/confirm/<token>/, no account.

The token in the link is the only credential: the page reads no session, sets no cookie (no
login, no CSRF cookie: the form is CSRF-exempt because no ambient authority such as a
session cookie is used, so a forged cross-site POST could do nothing the token's holder
cannot), shows exactly the list of the request and nothing else, and is rate limited per
client address and token (429). An unknown or tampered token is 404; an expired, revoked or
spent one 410; neither says which request it was.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from presales.core.dbrouting import skip_primary_pin
from presales.core.errors import Conflict, DomainError
from proposals.needs.services import (
    LinkRefused,
    confirmation_answer,
    confirmation_request_for_token,
    confirmation_rows,
)

RATE_LIMIT = 30  # requests per window, per client address and token
RATE_LIMIT_ADDRESS = 120  # per client address, whatever the token (guessing tokens)
RATE_WINDOW = 600  # seconds


def _client(request: HttpRequest) -> str:
    """The client's address; behind the reverse proxies the login lockout is told of
    (``LOGIN_PROXY_COUNT``), the one they appended to X-Forwarded-For."""
    count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    if count:
        forwarded = [
            p.strip() for p in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if p.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _over_limit(request: HttpRequest, token: str) -> bool:
    address = _client(request)
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]
    over = False
    for key, limit in (
        (f"needs-confirm:{address}:{digest}", RATE_LIMIT),
        (f"needs-confirm:{address}", RATE_LIMIT_ADDRESS),
    ):
        cache.add(key, 0, RATE_WINDOW)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, RATE_WINDOW)
            count = 1
        over = over or count > limit
    return over


def _private(response: HttpResponse) -> HttpResponse:
    skip_primary_pin(response)  # no cookie at all, not even the replica pin after the POST
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@method_decorator(csrf_exempt, name="dispatch")
class ConfirmationPublicView(View):
    template_name = "proposals/needs/confirm_public.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _over_limit(request, kwargs.get("token", "")):
            return _private(
                render(request, "proposals/needs/confirm_refused.html", {"too_many": True}, status=429)
            )
        try:
            return _private(super().dispatch(request, *args, **kwargs))
        except LinkRefused as exc:
            return _private(
                render(
                    request,
                    "proposals/needs/confirm_refused.html",
                    {"gone": exc.gone},
                    status=exc.status_code,
                )
            )

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
        return self._page(request, confirmation_request_for_token(token))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        confirmation = confirmation_request_for_token(token)
        answers: dict[int, dict[str, Any]] = {}
        for pk in confirmation.requirement_ids:
            answers[pk] = {
                "status": request.POST.get(f"status_{pk}", ""),
                "comment": request.POST.get(f"comment_{pk}", "")[:2000],
                "version": request.POST.get(f"version_{pk}") or None,
            }
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
