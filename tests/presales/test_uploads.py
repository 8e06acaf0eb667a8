"""Uploads everywhere (issue 11): size limit, type checked by content and agreeing with the
name, zip bombs refused, random stored names, downloads only to who sees the record, as an
attachment without sniffing, and logged (presales/core/uploads.py)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from presales.core.errors import DomainError
from presales.core.models import DownloadLog
from presales.core.uploads import detect, stored_name, validate_upload
from proposals.needs import services as needs
from tests.factories import OpportunityFactory

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + b"\x00" * 64
    + b"This program cannot be run in DOS mode"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 16
EML = b"From: wang@customer.example\r\nTo: engineer@example.com\r\nSubject: OK\r\n\r\nConfirmed.\r\n"

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx() -> bytes:
    return _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>"})


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _refused(file, **kwargs) -> list[str]:
    with pytest.raises(DomainError) as exc:
        validate_upload(file, field="evidence", **kwargs)
    assert exc.value.code == "upload_refused"
    return exc.value.fields["evidence"]


# --- the check ---------------------------------------------------------------------------


def test_each_accepted_kind_is_recognised_by_its_content():
    assert validate_upload(upload("scan.pdf", PDF)).kind == "pdf"
    assert validate_upload(upload("scan.PNG", PNG)).kind == "png"
    assert validate_upload(upload("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20)).extension == "jpeg"
    assert validate_upload(upload("mail.eml", EML)).kind == "eml"
    assert validate_upload(upload("notes.txt", "會議紀要：確認".encode())).kind == "txt"
    assert (
        validate_upload(upload("mail.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40)).kind == "msg"
    )
    assert validate_upload(upload("offer.docx", _docx())).kind == "docx"


def test_a_pdf_renamed_exe_is_refused():
    assert _refused(upload("contract.exe", PDF))  # .exe is no accepted type, whatever it holds


def test_an_exe_renamed_pdf_is_refused():
    messages = _refused(upload("contract.pdf", EXE))
    assert "does not match" in messages[0]
    assert detect(io.BytesIO(EXE)) == ""


def test_the_name_must_agree_with_the_content():
    _refused(upload("scan.png", PDF))  # a PDF is not a PNG
    _refused(upload("scan.pdf", PNG))
    _refused(upload("mail.eml", b"just some words, no headers"))
    _refused(upload("noextension", PDF))
    _refused(upload("offer.docx", PDF))


def test_the_allowed_list_narrows_the_types():
    _refused(upload("offer.docx", _docx()), allowed=frozenset({"pdf"}))


def test_an_oversized_file_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    assert validate_upload(upload("ok.pdf", PDF + b"\x00" * 100)).kind == "pdf"
    messages = _refused(upload("big.pdf", PDF + b"\x00" * 1024))
    assert "larger than" in messages[0]
    # a caller's own, lower limit applies too
    settings.UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    _refused(upload("big.pdf", PDF + b"\x00" * 200), limit=100)


def test_an_empty_or_missing_file_is_refused():
    _refused(upload("empty.pdf", b""))
    _refused(None)


def test_a_zip_bomb_is_refused_without_extracting(settings, tmp_path):
    settings.UPLOAD_ZIP_MAX_BYTES = 5 * 1024 * 1024
    bomb = _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "word/document.xml": b"<w:document/>",
            "word/media/zeros.bin": b"\x00" * (6 * 1024 * 1024),
        }
    )
    assert len(bomb) < 64 * 1024  # small on the wire, 6 MB once expanded
    assert "too much data" in _refused(upload("offer.docx", bomb))[0]
    # the ratio alone: 2 MB of zeros is under the size cap but compresses > 100 times
    settings.UPLOAD_ZIP_MAX_BYTES = 100 * 1024 * 1024
    dense = _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"\x00" * (2 * 1024 * 1024)})
    assert "too much data" in _refused(upload("offer.docx", dense))[0]
    assert list(tmp_path.iterdir()) == []


def test_a_zip_with_too_many_entries_is_refused(settings):
    settings.UPLOAD_ZIP_MAX_ENTRIES = 10
    many = {f"word/part{i}.xml": b"<x/>" for i in range(12)}
    archive = _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>", **many})
    assert "too much data" in _refused(upload("offer.docx", archive))[0]


def test_a_zip_lying_about_its_sizes_is_refused(settings):
    """The central directory's sizes are rewritten to look tiny: the decompression (in memory)
    stops at the declared size, the checksum fails, the file is refused as damaged."""
    settings.UPLOAD_ZIP_MAX_BYTES = 1024 * 1024
    data = bytearray(
        _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<a/>" * (400 * 1024)})
    )
    # patch the declared uncompressed size of every central directory entry to 10 bytes
    offset = data.find(b"PK\x01\x02")
    while offset != -1:
        data[offset + 24 : offset + 28] = (10).to_bytes(4, "little")
        offset = data.find(b"PK\x01\x02", offset + 4)
    assert "does not match" in _refused(upload("offer.docx", bytes(data)))[0]


def test_a_docx_that_is_a_zip_of_junk_is_refused():
    _refused(upload("offer.docx", _zip({"readme.txt": b"junk", "payload.exe": EXE})))
    # the right parts named, but the content types do not declare the main part
    _refused(upload("offer.docx", _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"x"})))
    # a docx posing as a spreadsheet
    _refused(upload("sheet.xlsx", _docx()))
    # a damaged zip
    _refused(upload("offer.docx", b"PK\x03\x04" + b"\x00" * 60))


def test_stored_name_is_random_and_not_the_clients():
    checked = validate_upload(upload("王總 contract.pdf", PDF))
    first, second = stored_name(checked), stored_name(checked)
    assert first != second
    assert first.endswith(".pdf") and "contract" not in first and len(first) == 32 + 4


# --- applied to the needs' evidence (R-NEED-3) ---------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def confirmation(media, team, engineer):
    opportunity = OpportunityFactory(team=team, presales_owner=engineer, stage="needs_analysis")
    requirement = needs.requirement_create(
        actor=engineer,
        opportunity=opportunity,
        data={"kind": "rigid", "category": "performance", "description": "降低能耗30%", "key_metric": "-30%"},
    )
    return needs.requirement_confirmation_record(
        actor=engineer,
        requirement=requirement,
        method="scan",
        confirmer_name="王經理",
        evidence=upload("王經理 signed.pdf", PDF),
    )


def test_evidence_is_stored_under_a_random_name_outside_the_static_root(confirmation, media, settings):
    stored = confirmation.evidence.name.rsplit("/", 1)[-1]
    assert "signed" not in stored and stored.endswith(".pdf") and len(stored) == 36
    path = confirmation.evidence.path
    assert path.startswith(str(media)) and not path.startswith(str(settings.STATIC_ROOT))


def test_evidence_checks_hold_on_the_service_route(team, engineer, media):
    opportunity = OpportunityFactory(team=team, presales_owner=engineer, stage="needs_analysis")
    requirement = needs.requirement_create(
        actor=engineer,
        opportunity=opportunity,
        data={"kind": "flexible", "category": "service", "description": "x"},
    )
    for bad in (upload("scan.pdf", EXE), upload("scan.exe", PDF), upload("offer.docx", _docx())):
        with pytest.raises(DomainError) as exc:
            needs.requirement_confirmation_record(
                actor=engineer, requirement=requirement, method="scan", confirmer_name="王", evidence=bad
            )
        assert "evidence" in exc.value.fields
    assert not any(media.rglob("*.*"))


def test_evidence_download_is_an_attachment_without_sniffing_and_logged(client, engineer, confirmation):
    url = reverse("proposals:needs_evidence", args=[confirmation.requirement.opportunity_id, confirmation.pk])
    client.force_login(engineer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    log = DownloadLog.objects.get()
    assert (log.user, log.object_type, log.object_id) == (
        engineer,
        "proposals.requirementconfirmation",
        confirmation.pk,
    )
    assert (
        log.file_name.startswith(confirmation.requirement.code)
        and log.stored_name == confirmation.evidence.name
    )


def test_evidence_download_refused_to_another_teams_user(client, other_engineer, confirmation):
    url = reverse("proposals:needs_evidence", args=[confirmation.requirement.opportunity_id, confirmation.pk])
    client.force_login(other_engineer)
    assert client.get(url).status_code == 404
    assert not DownloadLog.objects.exists()


def test_media_is_not_served_by_url_when_debug_is_off(client, engineer, confirmation, settings):
    """Production (DEBUG off): the static() route is empty, whitenoise serves STATIC_ROOT only."""
    from django.conf.urls.static import static

    assert settings.DEBUG is False
    assert static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) == []
    client.force_login(engineer)
    assert client.get("/" + settings.MEDIA_URL + confirmation.evidence.name).status_code == 404


def test_a_content_file_from_code_goes_through_the_same_check():
    """The demo seeds ContentFile objects (not uploads): same rules."""
    assert validate_upload(ContentFile(EML, name="confirmation.eml")).kind == "eml"
    with pytest.raises(DomainError):
        validate_upload(ContentFile(EXE, name="confirmation.eml"))


def test_an_xlsx_import_is_checked_before_openpyxl_reads_it(settings):
    """The needs import (R-NEED-2) runs the same check: a renamed file or a zip bomb named
    .xlsx is refused before the workbook is opened; a real workbook still imports."""
    from openpyxl import Workbook

    from proposals.needs.imports import ImportRefused, read_file

    book = Workbook()
    book.active.append(["code", "kind"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_file("needs.xlsx", buffer.getvalue())[0] == ["code", "kind"]
    for content in (
        PDF,
        _docx(),
        _zip({"[Content_Types].xml": b"x", "xl/workbook.xml": b"\x00" * (3 * 1024 * 1024)}),
    ):
        with pytest.raises(ImportRefused):
            read_file("needs.xlsx", content)


def test_an_office_file_declaring_its_main_type_as_the_xml_default_is_accepted():
    content_types = (
        b'<Types><Default Extension="xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
    )
    sheet = _zip({"[Content_Types].xml": content_types, "xl/workbook.xml": b"<workbook/>"})
    assert validate_upload(upload("book.xlsx", sheet)).kind == "xlsx"
    _refused(upload("book.docx", sheet))


def test_the_api_route_refuses_a_renamed_program_with_a_field_message(client_for, team, engineer, media):
    """Same check on the API (multipart): 400 with the field's message, nothing stored."""
    opportunity = OpportunityFactory(team=team, presales_owner=engineer, stage="needs_analysis")
    requirement = needs.requirement_create(
        actor=engineer,
        opportunity=opportunity,
        data={"kind": "flexible", "category": "service", "description": "x"},
    )
    response = client_for(engineer).post(
        f"/api/v1/requirements/{requirement.pk}/confirm/",
        {"method": "scan", "confirmer_name": "王", "evidence": upload("scan.pdf", EXE)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "does not match" in response.json()["fields"]["evidence"][0]
    assert not any(media.rglob("*.*"))
