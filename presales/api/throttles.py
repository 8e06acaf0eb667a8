"""API throttles whose rates are read from the settings at request time.

DRF's own classes copy ``DEFAULT_THROTTLE_RATES`` when they are imported, so a test could not
switch them on; these read ``api_settings`` (reloaded by ``override_settings``) on every
request. A rate of ``None`` means no limit. A refusal is the API's 429
``{"code": "throttled", ...}`` with ``Retry-After`` (presales/api/exceptions.py).
"""

from __future__ import annotations

from rest_framework import throttling
from rest_framework.settings import api_settings


class _RateFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    """Requests without credentials, per IP address."""


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    """Requests of a signed-in user or token, per user."""


class ScopedRateThrottle(_RateFromSettings, throttling.ScopedRateThrottle):
    """A view's own, stricter limit: ``throttle_scope = "auth"`` on the endpoints that create
    credentials (API tokens). Views without a scope are not limited by it."""
