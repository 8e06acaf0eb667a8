"""R-SOL-6 with issue 11's upload rules: the acceptance evidence is checked by content,
stored under a random name and downloaded (logged) only by who sees the opportunity."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from presales.core.errors import DomainError
from presales.core.models import DownloadLog
from proposals.models import Acceptance
from proposals.solutions import services
from reviews.services import review_decide
from tests.proposals.solutions.conftest import review_of

PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def presented(settings, tmp_path, opportunity, engineer, rigid, chain, reviewer, write_version):
    settings.MEDIA_ROOT = tmp_path
    version = write_version(opportunity)
    services.version_submit(actor=engineer, version=version)
    review_decide(actor=reviewer, review=review_of(version), decision="approve", comment="Good.")
    version.refresh_from_db()
    services.version_mark_presented(actor=engineer, version=version)
    version.refresh_from_db()
    return version


def _data(evidence):
    return {"contact_name": "王總", "method": "email", "accepted_at": timezone.now(), "evidence": evidence}


def test_acceptance_evidence_checked_by_content_R_SOL_6(presented, engineer):
    for bad in (
        SimpleUploadedFile("accept.pdf", b"MZ\x90\x00" + b"\x00" * 60),
        SimpleUploadedFile("accept.exe", PDF),
    ):
        with pytest.raises(DomainError) as exc:
            services.acceptance_record(actor=engineer, version=presented, data=_data(bad))
        assert "evidence" in exc.value.fields
    assert not Acceptance.objects.exists()


def test_acceptance_evidence_stored_randomly_and_downloaded_logged_R_SOL_6(
    client, presented, engineer, other_engineer
):
    acceptance = services.acceptance_record(
        actor=engineer, version=presented, data=_data(SimpleUploadedFile("王總 accepted.pdf", PDF))
    )
    stored = acceptance.evidence.name.rsplit("/", 1)[-1]
    assert "accepted" not in stored and stored.endswith(".pdf") and len(stored) == 36
    url = reverse("proposals:solutions:acceptance_evidence", args=[acceptance.pk])
    client.force_login(other_engineer)
    assert client.get(url).status_code == 404
    client.force_login(engineer)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    log = DownloadLog.objects.get()
    assert (log.user, log.object_type, log.object_id) == (engineer, "proposals.acceptance", acceptance.pk)


def test_the_web_form_refuses_a_renamed_program_R_SOL_6(client, presented, engineer, tmp_path):
    client.force_login(engineer)
    response = client.post(
        reverse("proposals:solutions:accept", args=[presented.pk]),
        {
            "contact_name": "王總",
            "method": "email",
            "accepted_at": timezone.now().strftime("%Y-%m-%dT%H:%M"),
            "evidence": SimpleUploadedFile("accept.pdf", b"MZ\x90\x00" + b"\x00" * 60),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not Acceptance.objects.exists()
    assert not any(tmp_path.rglob("*.*"))
    assert "does not match" in response.content.decode()
