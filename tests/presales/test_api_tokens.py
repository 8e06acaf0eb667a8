"""API tokens (issue 8, item 17): created and named by their user, stored hashed, shown once,
last use recorded at most once a minute, optional expiry, revoked by their user, and invalid
as soon as the user's password changes, whichever way it changes."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from presales.accounts.models import ApiToken
from presales.accounts.services import api_token_create


def api_get(secret: str, url_name: str = "api-me"):
    return APIClient().get(reverse(url_name), HTTP_AUTHORIZATION=f"Token {secret}")


# --- pages -------------------------------------------------------------------------------------


def test_a_user_creates_a_token_and_sees_its_secret_once(client, sales_rep):
    client.force_login(sales_rep)
    # when the user creates a named token that expires in 30 days
    response = client.post(reverse("api-token-create"), {"name": "CRM sync", "expires_in": "30"})
    # then the answer shows the secret, not to be cached
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("psk_") and secret.encode() in response.content
    assert response["Cache-Control"] == "no-store"
    # and only its hash and prefix are stored
    token = ApiToken.objects.get(user=sales_rep)
    assert token.name == "CRM sync"
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.secret_hash, token.prefix} and secret.startswith(token.prefix)
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    # and the list shows it, without the secret
    listing = client.get(reverse("api-tokens"))
    assert b"CRM sync" in listing.content and secret.encode() not in listing.content
    # and it works
    assert api_get(secret).json()["username"] == sales_rep.username


def test_a_token_needs_a_name(client, sales_rep):
    client.force_login(sales_rep)
    response = client.post(reverse("api-token-create"), {"name": "  ", "expires_in": ""})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_revoking_needs_a_post_with_csrf_and_only_touches_own_tokens(sales_rep, engineer):
    token, secret = api_token_create(user=sales_rep, name="tool")
    other, other_secret = api_token_create(user=engineer, name="theirs")
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_rep)
    url = reverse("api-token-revoke", args=[token.pk])
    # a GET does nothing; a POST without the CSRF token is refused
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert api_get(secret).status_code == 200
    # with the CSRF token (from the list page) the token is revoked
    csrf = client.get(reverse("api-tokens")).cookies["csrftoken"].value
    assert client.post(url, HTTP_X_CSRFTOKEN=csrf).status_code == 302
    assert api_get(secret).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    # and another user's token is a 404 and keeps working
    assert client.post(reverse("api-token-revoke", args=[other.pk]), HTTP_X_CSRFTOKEN=csrf).status_code == 404
    assert api_get(other_secret).status_code == 200


def test_the_pages_need_a_signed_in_user(client):
    for url in (reverse("api-tokens"), reverse("api-token-create")):
        assert client.get(url).status_code == 302


# --- authentication ----------------------------------------------------------------------------


def test_wrong_expired_and_inactive_tokens_are_401_in_the_error_contract(sales_rep):
    token, secret = api_token_create(user=sales_rep, name="tool")
    for header in ("Token psk_nope", f"Token {secret}x", f"Token {secret[:-1]}", "Token a b"):
        response = APIClient().get(reverse("api-me"), HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert set(response.json()) == {"code", "message", "fields"}
    # an expired token
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_get(secret).status_code == 401
    # a token of a deactivated user
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert api_get(secret).status_code == 200
    sales_rep.is_active = False
    sales_rep.save()
    assert api_get(secret).status_code == 401


def test_bearer_keyword_is_accepted(sales_rep):
    _token, secret = api_token_create(user=sales_rep, name="tool")
    response = APIClient().get(reverse("api-me"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


def test_last_use_is_written_at_most_once_a_minute(sales_rep):
    token, secret = api_token_create(user=sales_rep, name="tool")
    assert token.last_used_at is None
    # when the token is used
    api_get(secret)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    # then a second use within the minute does not write
    api_get(secret)
    token.refresh_from_db()
    assert token.last_used_at == first
    # and a use more than a minute later does
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api_get(secret)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


# --- the password changes: every token of the user stops working -------------------------------


def test_changing_the_password_on_the_page_invalidates_the_tokens(client, sales_rep):
    _token, secret = api_token_create(user=sales_rep, name="tool")
    client.force_login(sales_rep)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "lychee-harbor-77", "new_password2": "lychee-harbor-77"},
    )
    assert response.status_code == 302
    assert api_get(secret).status_code == 401
    listing = client.get(reverse("api-tokens"))
    assert b"password changed" in listing.content


def test_an_admin_setting_the_password_invalidates_the_tokens(client, make_user, sales_rep):
    _token, secret = api_token_create(user=sales_rep, name="tool")
    admin = make_user(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[sales_rep.pk]),
        {"password1": "lychee-harbor-77", "password2": "lychee-harbor-77", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    assert api_get(secret).status_code == 401


def test_set_password_anywhere_invalidates_the_tokens(sales_rep):
    """The check compares a fingerprint of the password hash at each request, so a shell,
    ``changepassword`` or a reset needs no hook of its own."""
    _token, secret = api_token_create(user=sales_rep, name="tool")
    sales_rep.set_password("lychee-harbor-77")
    sales_rep.save()
    assert api_get(secret).status_code == 401
    # and a token issued after the change works
    _new, new_secret = api_token_create(user=sales_rep, name="tool 2")
    assert api_get(new_secret).status_code == 200


def test_a_password_hash_upgrade_at_login_keeps_the_tokens(settings, sales_rep):
    """Django re-hashes a right password when the hasher changes (an upgrade): same
    password, so the tokens stay valid."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    sales_rep.password = make_password("pw", hasher="md5")
    sales_rep.save()
    _token, secret = api_token_create(user=sales_rep, name="tool")
    # when the user signs in and Django upgrades the hash
    old_hash = sales_rep.password
    assert Client().login(username=sales_rep.username, password="pw")
    sales_rep.refresh_from_db()
    assert sales_rep.password != old_hash and sales_rep.password.startswith("pbkdf2_")
    # then the token still works
    assert api_get(secret).status_code == 200


# --- API and manage.py -------------------------------------------------------------------------


def test_api_lists_creates_and_revokes_own_tokens(client, sales_rep):
    client.force_login(sales_rep)
    created = client.post(reverse("api-me-tokens"), {"name": "script"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith(body["prefix"]) and body["status"] == "active"
    listed = client.get(reverse("api-me-tokens")).json()
    assert [t["name"] for t in listed] == ["script"] and "token" not in listed[0]
    revoked = client.post(reverse("api-me-token-revoke", args=[body["id"]]))
    assert revoked.json()["status"] == "revoked"
    assert api_get(body["token"]).status_code == 401


def test_a_token_cannot_create_tokens(sales_rep):
    _token, secret = api_token_create(user=sales_rep, name="tool")
    response = APIClient().post(
        reverse("api-me-tokens"), {"name": "more"}, format="json", HTTP_AUTHORIZATION=f"Token {secret}"
    )
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_manage_py_issues_a_working_token(sales_rep):
    out = StringIO()
    call_command(
        "create_api_token",
        sales_rep.username,
        "--name",
        "sync",
        "--expires-days",
        "7",
        stdout=out,
        stderr=StringIO(),
    )
    secret = out.getvalue().strip()
    assert api_get(secret).status_code == 200
    token = ApiToken.objects.get()
    assert token.name == "sync" and token.expires_at is not None


def test_manage_py_refuses_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=StringIO(), stderr=StringIO())
