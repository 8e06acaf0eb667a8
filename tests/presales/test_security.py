"""Security hygiene (issue 8, items 16 and 18): login lockout, API throttles, CSP and
Permissions-Policy headers, password policy, schema and docs behind login."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from presales.core.roles import Role

ROOT = Path(__file__).resolve().parents[2]


# --- item 16: login lockout (django-axes) ------------------------------------------------------


@pytest.fixture
def axes_on(settings):
    """Lockout is off for the suite (tests/settings); these tests switch it on."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return settings


def _login(client, username, password, url="login", ip="10.0.0.1"):
    return client.post(reverse(url), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("url", ["login", "admin:login"])
def test_wrong_passwords_lock_the_login_then_even_the_right_one_is_refused(axes_on, client, make_user, url):
    # given a user (staff, so that the admin login would accept them)
    make_user(Role.SALES_REP, username="rep", is_staff=True)
    # when the password is wrong as many times as the limit allows
    statuses = [_login(client, "rep", "wrong-password", url).status_code for _ in range(3)]
    # then the first failures are ordinary form errors and the last one locks the login
    assert statuses[:2] == [200, 200]
    assert statuses[2] == 429
    # and the right password is refused too, with the translated lockout page (429)
    response = _login(client, "rep", "pw", url)
    assert response.status_code == 429
    assert b'data-testid="lockout"' in response.content
    assert b"Try again in 15 minutes" in response.content
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_ip_and_ends_after_the_cool_off(axes_on, client, make_user):
    from axes.models import AccessAttempt

    make_user(Role.SALES_REP, username="rep")
    make_user(Role.SALES_REP, username="rep2")
    for _ in range(3):
        _login(client, "rep", "wrong-password")
    assert _login(client, "rep", "pw").status_code == 429
    # then another user from the same address, and the same user from another address, sign in
    assert _login(client, "rep2", "pw").status_code == 302
    client.logout()
    assert _login(client, "rep", "pw", ip="10.0.0.2").status_code == 302
    client.logout()
    # and once the cool-off has passed, the locked pair signs in again
    AccessAttempt.objects.update(attempt_time=django_settings.AXES_COOLOFF_TIME and _ago(16))
    assert _login(client, "rep", "pw").status_code == 302


def _ago(minutes):
    from django.utils import timezone

    return timezone.now() - timedelta(minutes=minutes)


def test_a_successful_login_resets_the_failure_count(axes_on, client, make_user):
    make_user(Role.SALES_REP, username="rep")
    _login(client, "rep", "wrong-password")
    _login(client, "rep", "wrong-password")
    assert _login(client, "rep", "pw").status_code == 302
    client.logout()
    # then two more failures do not lock (the count started again)
    _login(client, "rep", "wrong-password")
    _login(client, "rep", "wrong-password")
    assert _login(client, "rep", "pw").status_code == 302


def test_lockout_settings_come_from_the_environment_with_defaults():
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert django_settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


# --- item 16: API throttles --------------------------------------------------------------------


@pytest.fixture
def throttled():
    rates = {"anon": "2/minute", "user": "3/minute", "auth": "1/minute"}
    cache.clear()
    with override_settings(
        REST_FRAMEWORK={**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        yield
    cache.clear()


def test_a_user_over_the_rate_gets_429_in_the_error_contract(throttled, client_for, sales_rep):
    api = client_for(sales_rep)
    statuses = [api.get(reverse("api-me")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    # when one request too many arrives
    response = api.get(reverse("api-me"))
    # then 429 with the error body and when to come back
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert body["fields"] == {}
    assert body["message"]
    assert int(response["Retry-After"]) > 0


def test_wrong_tokens_are_throttled_per_address(throttled, api_client, sales_rep):
    from presales.accounts.services import api_token_create

    # given two wrong tokens from one address (the anon rate is 2 a minute)
    for _ in range(2):
        assert api_client.get(reverse("api-me"), HTTP_AUTHORIZATION="Token psk_guess").status_code == 401
    # then the next attempt from that address is refused before any look-up, even a right one
    _token, secret = api_token_create(user=sales_rep, name="tool")
    response = api_client.get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    # and another address is not affected
    other = api_client.get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {secret}", REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200


def test_creating_tokens_has_a_stricter_rate(throttled, client, sales_rep):
    client.force_login(sales_rep)
    url = reverse("api-me-tokens")
    assert client.post(url, {"name": "one"}, content_type="application/json").status_code == 201
    response = client.post(url, {"name": "two"}, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_the_suite_runs_without_throttles():
    """The test settings switch every rate off; production has a limit for each scope."""
    assert set(django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].values()) == {None}


# --- item 18: CSP, Permissions-Policy, inline scripts ------------------------------------------


def test_pages_send_a_strict_csp_and_a_permissions_policy(client, engineer):
    client.force_login(engineer)
    response = client.get(reverse("dashboard"))
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in policy


def test_only_the_swagger_page_allows_inline_styles(client, engineer):
    client.force_login(engineer)
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    assert "style-src 'self' 'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "script-src 'self';" in docs["Content-Security-Policy"] + ";"
    # and its start-up script is a separate file, not inline
    assert b"<script>" not in docs.content
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|hx-on|\sstyle\s*=|<style", re.I)


def test_no_template_has_inline_script_handlers_or_styles():
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in (ROOT / "templates").rglob("*.html")
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_inline_check_can_fail():
    assert INLINE.search('<button onclick="x()">')
    assert INLINE.search("<script>alert(1)</script>")
    assert INLINE.search('<div hx-on:click="x">')
    assert not INLINE.search('<script src="/static/js/app.js" defer></script>')


# --- item 18: sessions and passwords -----------------------------------------------------------


def test_sessions_last_twelve_hours_by_default():
    assert django_settings.SESSION_COOKIE_AGE == 12 * 3600


@pytest.mark.parametrize(
    "password",
    [
        "demo12345",
        "demo123456",
        "Presales2025!",
        "password1234",
        "rep-rep-2024!!",
        "zhangwei1990!",
        "1234567890ab",
    ],
)
def test_guessable_passwords_are_refused(make_user, password):
    user = make_user(username="rep", first_name="Zhang", last_name="Wei")
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.parametrize("password", ["lychee-harbor-42", "Tr0ub4dor&3x-mango", "墨水-河流-灯笼-海港"])
def test_strong_passwords_are_accepted(make_user, password):
    validate_password(password, make_user(username="rep"))


def test_the_demo_password_meets_the_policy(make_user):
    from demo.people import PASSWORD, USERS

    for username in USERS:
        validate_password(PASSWORD, make_user(username=username))


def test_password_change_page_applies_the_policy(client, engineer):
    client.force_login(engineer)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "demo12345", "new_password2": "demo12345"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]


# --- item 18: the schema and the docs need a signed-in user -----------------------------------


def test_the_schema_needs_a_signed_in_user(api_client, client, engineer):
    assert api_client.get(reverse("api-schema")).status_code == 401
    client.force_login(engineer)
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    assert b"/api/v1/me/tokens/" in response.content


def test_the_docs_send_anonymous_readers_to_sign_in(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("api-docs") + "?script=").status_code == 302


def test_the_browsable_api_is_on_outside_production(client, engineer):
    client.force_login(engineer)
    response = client.get(reverse("api-me"), HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("text/html")
