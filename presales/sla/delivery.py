"""Sending one delivery once (email, team chat robot).

Two short transactions around the network call, so no row lock is held while a mail server
or a robot answers:

1. claim: lock the row (``SKIP LOCKED``: another worker holding it is on it); skip it if it
   is sent or failed, or if another worker's lease (``sending`` until ``next_attempt_at``)
   is still running; else mark it ``sending`` with a lease and count the attempt.
2. send, with a timeout well inside the lease.
3. record: ``sent``; or, for a transient error (connection refused or dropped, timeout,
   SMTP 4xx, HTTP 429/5xx), back to ``pending`` with an exponential back-off, ``failed``
   after ``MAX_ATTEMPTS``; a permanent error (SMTP 5xx, HTTP 4xx, a robot's error code) is
   ``failed`` at once.

A worker killed between 1 and 3 leaves the row ``sending``; when its lease expires the
sweep's recovery puts it back to ``pending`` and enqueues it again, and it is sent once.
Retries are rows with a time, not countdown tasks held by the broker.
"""

from __future__ import annotations

import json
import smtplib
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from presales.sla.models import Delivery, DeliveryChannel, DeliveryState

LEASE = timedelta(minutes=5)
SEND_TIMEOUT = 20  # seconds; far inside the lease
MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
# Robot error codes that mean "slow down", not "wrong message" (WeCom 45009, DingTalk 130101).
THROTTLE_CODES = {45009, 130101}


class TransientError(Exception):
    """Worth retrying later: the network or the server is having a moment."""


class PermanentError(Exception):
    """Retrying will not help: the address, the URL or the message is refused."""


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the n-th failed attempt, at most an hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def absolute_url(path: str) -> str:
    base = settings.PRESALES.get("SITE_URL") or ""
    return urljoin(base.rstrip("/") + "/", path.lstrip("/")) if base and path else path


# --- e-mail attachments -----------------------------------------------------------------------
# A kind whose e-mails carry files (a demo's calendar invitation) registers, from its app's
# ``ready()``, a provider: notification -> [(filename, content, mimetype)], built when the
# e-mail is sent. The core imports no app; the bell and the robot carry no files.

Attachment = tuple[str, bytes, str]
_ATTACHMENTS: dict[str, Callable[..., list[Attachment]]] = {}


def register_email_attachments(kind: str, provider: Callable[..., list[Attachment]]) -> None:
    _ATTACHMENTS[kind] = provider


def email_attachments(notification) -> list[Attachment]:
    provider = _ATTACHMENTS.get(notification.kind)
    return list(provider(notification)) if provider is not None else []


# --- channels ------------------------------------------------------------------------------


def send_email(delivery: Delivery) -> None:
    notification = delivery.notification
    recipient = notification.recipient
    if not recipient.email:
        raise PermanentError("The recipient has no email address.")
    # The link opens the notification: it marks it read, then goes to the record.
    link = absolute_url(reverse("sla:notification_open", args=[notification.pk])) if notification.url else ""
    message = "\n\n".join(part for part in (notification.body, link) if part)
    attachments = email_attachments(notification)
    try:
        if attachments:
            EmailMessage(
                subject=notification.title,
                body=message,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[recipient.email],
                attachments=attachments,
                connection=get_connection(timeout=SEND_TIMEOUT),
            ).send()
        else:
            send_mail(
                subject=notification.title,
                message=message,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[recipient.email],
                connection=get_connection(timeout=SEND_TIMEOUT),
            )
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            raise TransientError(str(exc)) from exc
        raise PermanentError(str(exc)) from exc
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise PermanentError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
        raise TransientError(str(exc) or exc.__class__.__name__) from exc
    except smtplib.SMTPException as exc:
        raise PermanentError(str(exc) or exc.__class__.__name__) from exc
    except (TimeoutError, ConnectionError, socket.gaierror, OSError) as exc:
        raise TransientError(str(exc) or exc.__class__.__name__) from exc


def webhook_payload(flavor: str, *, title: str, body: str, url: str, kind: str, key: str) -> dict:
    """The JSON each group robot accepts (plain text messages)."""
    text = "\n".join(part for part in (title, body, url) if part)
    if flavor == "wecom":
        return {"msgtype": "text", "text": {"content": text}}
    if flavor == "dingtalk":
        return {"msgtype": "text", "text": {"content": text}}
    if flavor == "feishu":
        return {"msg_type": "text", "content": {"text": text}}
    return {"title": title, "body": body, "url": url, "kind": kind, "key": key}


def send_webhook(delivery: Delivery) -> None:
    hook = delivery.webhook
    if hook is None or not hook.enabled:
        raise PermanentError("The team's robot was removed or disabled.")
    notification = delivery.notification
    payload = webhook_payload(
        hook.flavor,
        title=notification.title,
        body=notification.body,
        url=absolute_url(notification.url),
        kind=notification.kind,
        key=notification.key,
    )
    request = urllib.request.Request(
        hook.url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as response:  # an admin-set URL
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        if exc.code == 429 or exc.code >= 500:
            raise TransientError(f"HTTP {exc.code}") from exc
        raise PermanentError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise TransientError(str(getattr(exc, "reason", exc)) or exc.__class__.__name__) from exc
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    code = (
        answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
        if isinstance(answer, dict)
        else 0
    )
    if code not in (0, None):
        message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
        if code in THROTTLE_CODES:
            raise TransientError(f"robot {code} {message}")
        raise PermanentError(f"robot {code} {message}")


SENDERS: dict[str, Callable[[Delivery], None]] = {
    DeliveryChannel.EMAIL: send_email,
    DeliveryChannel.WEBHOOK: send_webhook,
}


# --- the delivery use case -----------------------------------------------------------------


def _claim(delivery_id: int, now: datetime) -> tuple[Delivery | None, str]:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification__recipient", "webhook")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            exists = Delivery.objects.filter(pk=delivery_id).exists()
            return None, "busy" if exists else "missing"
        if delivery.state in (DeliveryState.SENT, DeliveryState.FAILED):
            return None, "done"
        if (
            delivery.state == DeliveryState.SENDING
            and delivery.next_attempt_at
            and delivery.next_attempt_at > now
        ):
            return None, "busy"
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED
            delivery.next_attempt_at = None
            delivery.last_error = f"Gave up after {delivery.attempts} attempts. {delivery.last_error}"[:2000]
            delivery.save(update_fields=["state", "next_attempt_at", "last_error", "updated_at"])
            return None, "failed"
        delivery.state = DeliveryState.SENDING
        delivery.attempts += 1
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["state", "attempts", "next_attempt_at", "updated_at"])
        return delivery, "claimed"


def deliver(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send delivery ``delivery_id`` unless it is sent, failed, or another worker holds it.
    Returns what happened: sent, retry, failed, done, busy or missing."""
    clock = now
    now = clock or timezone.now()
    delivery, outcome = _claim(delivery_id, now)
    if delivery is None:
        return outcome
    error, permanent = "", False
    try:
        SENDERS[delivery.channel](delivery)
    except TransientError as exc:
        error = str(exc)
    except PermanentError as exc:
        error, permanent = str(exc), True
    # Any other exception propagates: the row stays "sending" until its lease expires, then
    # the sweep's recovery retries it (the attempt counted, so a bug ends in "failed").
    now = clock or timezone.now()
    with transaction.atomic():
        row = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if row.state == DeliveryState.SENT:
            return "done"
        if not error:
            # Mark sent even if our lease ran out meanwhile: we did send it, and a recovery
            # that put it back to pending must not send it a second time.
            row.state, row.sent_at, row.next_attempt_at, row.last_error = DeliveryState.SENT, now, None, ""
            outcome = "sent"
        elif permanent or row.attempts >= MAX_ATTEMPTS:
            row.state, row.next_attempt_at = DeliveryState.FAILED, None
            outcome = "failed"
        else:
            row.state, row.next_attempt_at = DeliveryState.PENDING, now + backoff(row.attempts)
            outcome = "retry"
        if error:
            row.last_error = error[:2000]
        row.save(update_fields=["state", "sent_at", "next_attempt_at", "last_error", "updated_at"])
    return outcome
