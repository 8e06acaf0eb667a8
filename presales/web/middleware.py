"""Web middleware of the core.

- :class:`ConcurrentChangeMiddleware` is the one place the web UI answers a database refusal
that only means another transaction raced this request for the same rows (deadlock,
serialization failure, lock not available): a friendly 409 page saying to reload and try
again, instead of a 500. Every view is covered, form views and transition buttons alike;
other database errors still fail as a 500. The API answers the same case with its error
contract (presales/api/exceptions.py).

- :class:`PermissionsPolicyMiddleware` sends the ``Permissions-Policy`` header.

- :class:`AppNotFoundPageMiddleware` (local settings only) shows the app's own 404 page with
DEBUG on, instead of Django's technical page listing every route.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.defaults import page_not_found

from presales.core.errors import concurrent_change_from, sqlstate_of

logger = logging.getLogger(__name__)


class ConcurrentChangeMiddleware:
    """Turn a concurrent-change refusal from the database into a 409 page (or, for an htmx
    request, a message and a page refresh: htmx swaps no 4xx response, so the user would
    see nothing)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        conflict = concurrent_change_from(exception)
        if conflict is None:
            return None
        # Expected now and then under load; a steady stream means a lock-order bug.
        logger.warning(
            "Concurrent change refused by the database (SQLSTATE %s) on %s",
            sqlstate_of(exception),
            request.path,
            exc_info=exception,
        )
        if getattr(request, "htmx", False):
            messages.warning(request, conflict.message)
            return HttpResponse(conflict.message, status=409, headers={"HX-Refresh": "true"})
        back = request.headers.get("referer", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = ""
        return render(request, "409.html", {"message": conflict.message, "back_url": back}, status=409)


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` ({feature: [origins]};
    an empty list switches the feature off, e.g. ``camera=()``). Django has no setting for it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class AppNotFoundPageMiddleware:
    """With DEBUG on, Django never calls the 404 handler: an unknown URL or a raised Http404
    gets its technical page (every route of the site, the view that raised). The local
    settings of ``make run`` add this middleware so that a developer sees what users see,
    the translated templates/404.html, while keeping the debug page of a 500.

    It replaces only Django's technical page (a bare ``HttpResponseNotFound`` in HTML); a
    view's own 404 answer (the API's JSON or browsable error) is left alone. Listed after the
    user-language middleware, so the page is in the reader's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and type(response) is HttpResponseNotFound
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return page_not_found(request, Http404())
        return response
