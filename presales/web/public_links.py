"""The pages a customer opens through a link without an account (the needs confirmation of
R-NEED-3, the satisfaction survey of R-POST-1 / R-POST-4).

The token in the link is the only credential. Such a page reads no session and sets no cookie
(no login, no CSRF cookie, no replica pin: CSRF-exempt because no ambient authority is used, so
a forged cross-site POST could do nothing the token's holder cannot), is never cached, indexed
or sent on as a referrer, and is rate limited per client address and token and per client
address alone (guessing tokens): 429. A link that opens nothing is
:class:`presales.core.errors.LinkRefused`: 404 when unknown or tampered, 410 (``gone``) when it
existed, without saying which record it was.

An app's public page subclasses :class:`PublicLinkView`, names its refusal template and its
rate-limit key, and raises its own :class:`LinkRefused` subclass from the service that reads
the token.
"""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from presales.core.dbrouting import skip_primary_pin
from presales.core.errors import LinkRefused


def client_address(request: HttpRequest) -> str:
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


def over_rate_limit(
    request: HttpRequest, token: str, *, scope: str, per_token: int, per_address: int, window: int
) -> bool:
    """Count this request against ``per_token`` requests per ``window`` seconds for the client
    address and token, and ``per_address`` for the address whatever the token; True when
    either is exceeded. Counters live in the cache under ``scope``."""
    address = client_address(request)
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]
    over = False
    for key, limit in ((f"{scope}:{address}:{digest}", per_token), (f"{scope}:{address}", per_address)):
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        over = over or count > limit
    return over


def private(response: HttpResponse) -> HttpResponse:
    """No cookie at all (not even the replica pin after a POST), no caching, no referrer, no
    indexing."""
    skip_primary_pin(response)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@method_decorator(csrf_exempt, name="dispatch")
class PublicLinkView(View):
    """Base of a page opened by ``<token>`` in its URL: rate limit, refusal page, private
    headers on every answer. Subclasses set ``refused_template`` (rendered with ``too_many``
    or ``gone``) and ``rate_scope``; the limits may be tuned per page."""

    refused_template: str
    rate_scope: str
    rate_limit = 30  # requests per window, per client address and token
    rate_limit_address = 120  # per client address, whatever the token (guessing tokens)
    rate_window = 600  # seconds

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if over_rate_limit(
            request,
            kwargs.get("token", ""),
            scope=self.rate_scope,
            per_token=self.rate_limit,
            per_address=self.rate_limit_address,
            window=self.rate_window,
        ):
            return private(render(request, self.refused_template, {"too_many": True}, status=429))
        try:
            return private(cast(HttpResponse, super().dispatch(request, *args, **kwargs)))
        except LinkRefused as exc:
            return private(render(request, self.refused_template, {"gone": exc.gone}, status=exc.status_code))
