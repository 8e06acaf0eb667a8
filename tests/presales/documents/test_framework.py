"""The document framework's own parts (issue 12): the fetcher, the memory ceiling, branding
in the page margins, the sweeps that keep background renderings honest."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from presales.documents import services
from presales.documents.fetcher import BASE, SafeFetcher, media_url
from presales.documents.models import Branding, Document, DocumentState
from presales.documents.render import memory_ceiling
from tests.presales.documents.conftest import pdf_text, rendered

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/logo.png",
        "file:///etc/passwd",
        "ftp://internal/secret",
        f"{BASE}media/contracts/2026/12/secret.pdf",  # a stored file the document did not name
        f"{BASE}static/../../../etc/passwd",
        "data:text/html;base64,PHNjcmlwdD4=",
    ],
)
def test_the_fetcher_refuses_anything_but_own_static_allowed_media_and_inline_images(url):
    fetcher = SafeFetcher(allowed_media=["branding/logo.png"])
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused


def test_the_fetcher_serves_static_files_allowed_media_and_inline_images(settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("branding/logo.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 20))
    fetcher = SafeFetcher(allowed_media=[name])
    assert b"@page" in fetcher.fetch(f"{BASE}{settings.STATIC_URL.lstrip('/')}documents/document.css").read()
    assert fetcher.fetch(media_url(name)).read().startswith(b"\x89PNG")
    pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    assert fetcher.fetch(pixel).read().startswith(b"\x89PNG")
    assert fetcher.refused == []


def test_the_memory_ceiling_stops_a_runaway_rendering_and_is_lifted_afterwards():
    with pytest.raises(MemoryError), memory_ceiling(64):
        bytearray(512 * 1024 * 1024)
    assert len(bytearray(128 * 1024 * 1024)) == 128 * 1024 * 1024  # the limit is gone


def test_a_rendering_over_the_memory_limit_fails_with_a_clear_message(make_version, engineer):
    version = make_version()
    document = services.document_request(
        actor=engineer, doc_type="solution", object_id=version.pk, variant="internal"
    )
    with mock.patch("presales.documents.services.render_document", side_effect=MemoryError):
        result = services.document_run(document_id=document.pk)
    assert result.state == DocumentState.FAILED and "too large" in result.error
    # A failed rendering does not block asking again.
    again = services.document_request(
        actor=engineer, doc_type="solution", object_id=version.pk, variant="internal"
    )
    assert again.pk != document.pk and again.state == DocumentState.QUEUED


def test_branding_reaches_the_page_margins_literally_and_a_change_makes_a_new_file(make_version, engineer):
    version = make_version()
    ask = {"doc_type": "solution", "object_id": version.pk, "variant": "customer", "language": "en"}
    before = rendered(services.document_request(actor=engineer, **ask))
    branding = Branding.current()
    branding.company_name_en = 'A&B "Smart" Systems </style>'
    branding.footer_en = "Confidential · www.example.com"
    branding.save()
    after = rendered(services.document_request(actor=engineer, **ask))
    assert after.pk != before.pk
    text = pdf_text(after)
    assert 'A&B "Smart" Systems </style>' in text
    assert "Confidential · www.example.com" in text
    assert "Page 2 of" in text


def test_the_sweeps_fail_dead_renderings_and_resend_lost_ones(make_version, engineer):
    version = make_version()
    dead = services.document_request(
        actor=engineer, doc_type="solution", object_id=version.pk, variant="internal"
    )
    Document.objects.filter(pk=dead.pk).update(
        state=DocumentState.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=30)
    )
    lost = services.document_request(
        actor=engineer, doc_type="solution", object_id=version.pk, variant="customer"
    )
    Document.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    with (
        mock.patch("presales.documents.services.enqueue_on_commit"),
        mock.patch("presales.core.jobs.enqueue_on_commit") as enqueue,
    ):
        assert services.documents_fail_stale() == 1
        assert services.documents_recover_queued() == 1
    dead.refresh_from_db()
    assert dead.state == DocumentState.FAILED and dead.error
    enqueue.assert_called_once_with(services.RUN_TASK, lost.pk)
