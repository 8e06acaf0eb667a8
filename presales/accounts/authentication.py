"""DRF authentication with the hashed, revocable API tokens of presales.accounts.ApiToken."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from presales.accounts.services import api_token_authenticate
from presales.api import throttles


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <secret>`` (``Bearer`` is accepted too). ``request.auth`` is the
    ApiToken. A wrong, expired or revoked token is a 401, never an anonymous request; too
    many wrong tokens from one address are a 429 (``FailedTokenThrottle``)."""

    keywords = (b"token", b"bearer")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: give one token after the keyword.")
            )
        throttle = FailedTokenThrottle()
        throttle.check(request)
        try:
            token = api_token_authenticate(parts[1].decode("ascii"))
        except UnicodeError:
            token = None
        if token is None:
            throttle.record_failure(request)
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"


class FailedTokenThrottle(throttles.AnonRateThrottle):
    """Wrong tokens per IP address, at the ``anon`` rate. DRF checks its throttles after
    authentication and permissions, so a wrong token would otherwise be a 401 forever;
    this counts only failures, before the lookup."""

    cache_format = "throttle_bad_token_%(ident)s"

    def _key(self, request) -> str:
        # Not get_cache_key(): it reads request.user, which is being authenticated here.
        return self.cache_format % {"ident": self.get_ident(request)}

    def check(self, request) -> None:
        if self.rate is None:
            return
        self.key = self._key(request)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        if len(self.history) >= self.num_requests:
            raise exceptions.Throttled(self.wait())

    def record_failure(self, request) -> None:
        if self.rate is None:
            return
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token scheme in the OpenAPI document (Swagger UI's "Authorize" button)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
