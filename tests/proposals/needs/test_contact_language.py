"""The needs confirmation link in the contact's language (R-NEED-3, the rule of R-POST-1): the
e-mail and the page follow the language recorded on the contact; without one, the e-mail is in
the site's default language and the page in the one the browser asks for (as before)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from proposals.needs import services
from tests.proposals.needs.conftest import RIGID

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_in_simplified_chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def _send(engineer, opportunity, contact, capture) -> str:
    services.requirement_create(actor=engineer, opportunity=opportunity, data=RIGID)
    with capture(execute=True):
        _request, token = services.confirmation_request_create(
            actor=engineer, opportunity=opportunity, contact=contact
        )
    return reverse("proposals:needs_confirm_public", args=[token])


def test_r_need_3_an_english_speaking_contact_gets_the_email_and_the_page_in_english(
    client, engineer, opportunity, contact, django_capture_on_commit_callbacks
):
    contact.language = "en"
    contact.save()
    url = _send(engineer, opportunity, contact, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == f"Please confirm your requirements ({opportunity.customer.name})"
    # whatever the browser asks for
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="en">' in page and "Customer requirements confirmation list" in page
    # and a refused answer speaks English too
    response = client.post(url, {})
    assert response.status_code == 400 and '<html lang="en">' in response.content.decode()


def test_r_need_3_a_contact_without_a_language_keeps_the_defaults(
    client, engineer, opportunity, contact, django_capture_on_commit_callbacks
):
    assert contact.language == ""
    url = _send(engineer, opportunity, contact, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == f"请确认您的需求（{opportunity.customer.name}）"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant").content.decode()
    assert '<html lang="zh-hant">' in page and "客戶需求確認清單" in page
