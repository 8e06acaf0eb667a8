"""Writes on accounts: API tokens (issued, used, revoked)."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from presales.accounts.models import ApiToken, ApiTokenStatus, User, hash_token, password_fingerprint
from presales.core.errors import DomainError, NotFound

TOKEN_MARK = "psk_"  # recognisable in logs and by secret scanners


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the row and the secret, which is never stored and
    cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise DomainError(fields={"name": [_("Give the token a name, e.g. the tool that uses it.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(fields={"expires_at": [_("The expiry must be in the future.")]})
    raw = TOKEN_MARK + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name[:100],
        prefix=raw[: ApiToken.PREFIX_LENGTH],
        secret_hash=hash_token(raw),
        password_fingerprint=password_fingerprint(user.password),
        expires_at=expires_at,
    )
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, token_id: int, actor: User) -> ApiToken:
    """Revoke one of the actor's own tokens (others' are 404). Revoking twice is harmless."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The active token whose secret is ``raw``, with its user; None if unknown, revoked,
    expired, its user inactive, or the user's password changed since it was issued.
    Records the last use, at most once per ``ApiToken.TOUCH_INTERVAL``."""
    if len(raw) < ApiToken.PREFIX_LENGTH:
        return None
    digest = hash_token(raw)
    candidates = ApiToken.objects.select_related("user").filter(
        prefix=raw[: ApiToken.PREFIX_LENGTH], revoked_at__isnull=True
    )
    token = next((t for t in candidates if hmac.compare_digest(t.secret_hash, digest)), None)
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.status(now) != ApiTokenStatus.ACTIVE:
        return None
    stale = now - ApiToken.TOUCH_INTERVAL
    if token.last_used_at is None or token.last_used_at < stale:
        # Conditional, so concurrent requests write once; no lock, no transaction needed.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
