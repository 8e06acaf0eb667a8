"""The document framework through its first type, the solution document (issue 12, R-SOL-5):
languages, embedded subset CJK fonts, customer copy without cost or margin, the draft
watermark, the safe fetcher, reuse by source fingerprint, the permission matrix."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from presales.core.errors import GateRefused, NotFound
from presales.documents import services
from presales.documents.models import Document, DocumentState
from proposals.models import SolutionVersion
from tests.presales.documents.conftest import CHINESE, pdf_fonts, pdf_text, rendered, squeezed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_customer_copy_renders_in_each_language_with_embedded_subset_cjk_font(
    make_version, engineer, language
):
    version = make_version()
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="solution", object_id=version.pk, variant="customer", language=language
        )
    )
    assert document.state == DocumentState.DONE, document.error
    text = pdf_text(document)
    assert CHINESE in text  # the Chinese text extracts correctly
    assert "能耗监测终端" in text
    fonts = pdf_fonts(document)
    assert fonts and all(row["emb"] == "yes" and row["sub"] == "yes" for row in fonts), fonts
    assert any("Noto-Sans-CJK" in row["name"] for row in fonts), fonts
    assert document.pages and document.pages >= 2  # cover, then contents and sections


def test_r_sol_5_customer_copy_has_no_cost_or_margin_and_the_internal_copy_has_them(make_version, engineer):
    version = make_version()
    customer = rendered(
        services.document_request(
            actor=engineer, doc_type="solution", object_id=version.pk, variant="customer", language="en"
        )
    )
    internal = rendered(
        services.document_request(
            actor=engineer, doc_type="solution", object_id=version.pk, variant="internal", language="en"
        )
    )
    # 10 × 700 cost = 7,000.00; margin 10,000 − 7,000 = 3,000.00
    customer_text, internal_text = pdf_text(customer), pdf_text(internal)
    assert "10,000.00" in customer_text
    assert "7,000.00" not in customer_text and "3,000.00" not in customer_text
    assert "Cost" not in customer_text and "Margin" not in customer_text
    assert "7,000.00" in internal_text and "3,000.00" in internal_text


def test_draft_watermark_on_an_unapproved_version_only(make_version, engineer):
    draft = make_version(status="draft")
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="solution", object_id=draft.pk, variant="internal", language="zh-hans"
        )
    )
    assert squeezed(pdf_text(document)).count("草稿") >= document.pages >= 2  # on every page
    assert document.final is False
    approved = make_version()
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="solution", object_id=approved.pk, variant="internal", language="en"
        )
    )
    assert "DRAFT" not in squeezed(pdf_text(document))
    english = rendered(
        services.document_request(
            actor=engineer, doc_type="solution", object_id=draft.pk, variant="internal", language="en"
        )
    )
    assert squeezed(pdf_text(english)).count("DRAFT") >= english.pages


def test_r_sol_5_no_customer_copy_of_an_unapproved_version_by_service_web_or_api(
    make_version, engineer, client, client_for
):
    draft = make_version(status="draft")
    with pytest.raises(GateRefused):
        services.document_request(actor=engineer, doc_type="solution", object_id=draft.pk, variant="customer")
    assert not Document.objects.exists()
    client.force_login(engineer)
    response = client.post(
        reverse("documents:request"),
        {"doc_type": "solution", "object_id": draft.pk, "variant": "customer", "language": "en"},
    )
    assert response.status_code == 302 and not Document.objects.exists()
    api = client_for(engineer)
    response = api.post(
        "/api/v1/documents/",
        {"doc_type": "solution", "object_id": draft.pk, "variant": "customer"},
        format="json",
    )
    assert response.status_code == 409
    assert not Document.objects.exists()


def test_r_sol_5_a_stored_customer_copy_of_an_unapproved_version_is_never_served(
    make_version, engineer, client
):
    """Whatever put it there (an old bug, a restored backup), a customer-copy file of a version
    that is not approved is refused at download: the check runs again at every download."""
    version = make_version()
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="solution", object_id=version.pk, variant="customer"
        )
    )
    client.force_login(engineer)
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 200
    draft = make_version(status="draft")
    Document.objects.filter(pk=document.pk).update(object_id=draft.pk)  # the stale file now claims a draft
    with pytest.raises(GateRefused):
        services.document_for_download(actor=engineer, document_id=document.pk)
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 302  # back to the page with the reason, no file


def test_the_fetcher_loads_no_external_or_file_url_from_user_content(make_version, engineer, caplog):
    body = (
        f"<p>{CHINESE}</p>"
        '<img src="http://169.254.169.254/latest/meta-data/">'
        '<img src="file:///etc/passwd">'
        '<img src="https://example.com/logo.png">'
    )
    version = make_version(body=body)
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="solution", object_id=version.pk, variant="internal"
        )
    )
    assert document.state == DocumentState.DONE
    refused = " ".join(record.getMessage() for record in caplog.records)
    assert "169.254.169.254" in refused and "file:///etc/passwd" in refused and "example.com" in refused


def test_an_unchanged_source_reuses_the_file_and_a_change_makes_a_new_one(make_version, engineer):
    version = make_version(status="draft")
    ask = {"doc_type": "solution", "object_id": version.pk, "variant": "internal", "language": "zh-hans"}
    first = services.document_request(actor=engineer, **ask)
    again = services.document_request(actor=engineer, **ask)
    assert again.pk == first.pk
    rendered(first)
    section = version.sections.get()
    section.body_html = "<p>改写后的方案 revised</p>"
    section.save()
    changed = services.document_request(actor=engineer, **ask)
    assert changed.pk != first.pk
    other_language = services.document_request(
        actor=engineer, doc_type="solution", object_id=version.pk, variant="internal", language="en"
    )
    assert other_language.pk not in (first.pk, changed.pk)


def test_another_teams_user_gets_404_everywhere(make_version, engineer, other_engineer, client, client_for):
    version = make_version()
    with pytest.raises(NotFound):
        services.document_request(
            actor=other_engineer, doc_type="solution", object_id=version.pk, variant="customer"
        )
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="solution", object_id=version.pk, variant="customer"
        )
    )
    client.force_login(other_engineer)
    for name in ("documents:detail", "documents:download"):
        assert client.get(reverse(name, args=[document.pk])).status_code == 404
    assert (
        client.post(
            reverse("documents:sent", args=[document.pk]), {"recipient": "x", "channel": "email"}
        ).status_code
        == 404
    )
    api = client_for(other_engineer)
    assert api.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404


def test_r_doc_sending_is_logged_with_the_version_and_refused_for_a_draft_customer_document(
    make_version, engineer
):
    version = make_version()
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="solution", object_id=version.pk, variant="customer"
        )
    )
    delivery = services.document_record_sent(
        actor=engineer, document_id=document.pk, recipient="王经理 wang@example.com", channel="email"
    )
    assert delivery.document.fingerprint == document.fingerprint and delivery.sent_by == engineer
    from presales.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        services.document_record_sent(actor=engineer, document_id=document.pk, recipient="", channel="pigeon")
    assert set(exc.value.fields) == {"recipient", "channel"}


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("engineer", True),
        ("manager", True),
        ("sales_rep", True),
        ("general_manager", True),
        ("other_engineer", False),
        ("no_role_user", False),
    ],
)
def test_the_download_permission_matrix_follows_who_sees_the_version(
    make_version, engineer, client, request, who, sees
):
    """Issue 12: a generated document is served to whoever may see its record, by the page and
    the API alike; anyone else gets 404 (or 403 without a role), never the file."""
    version = make_version()
    document = rendered(
        services.document_request(
            actor=engineer, doc_type="solution", object_id=version.pk, variant="customer"
        )
    )
    user = request.getfixturevalue(who)
    assert SolutionVersion.objects.visible_to(user).filter(pk=version.pk).exists() is sees
    client.force_login(user)
    for name in ("documents:detail", "documents:download"):
        response = client.get(reverse(name, args=[document.pk]))
        if sees:
            assert response.status_code == 200, (name, response.status_code)
        else:
            assert response.status_code in (403, 404), (name, response.status_code)
    api = APIClient()
    api.force_authenticate(user)
    answer = api.get(f"/api/v1/documents/{document.pk}/download/")
    assert (answer.status_code == 200) is sees, answer.status_code
