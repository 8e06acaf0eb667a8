"""Uploads, everywhere (issue 11): one check, one naming rule, one download path.

- :func:`validate_upload` checks a file a user sends: not empty, at most
  ``settings.UPLOAD_MAX_BYTES`` (env ``UPLOAD_MAX_MB``, 20 MB by default), its type detected
  from its CONTENT (the first bytes; for the Office formats the zip's parts) and the
  extension agreeing with it: a PDF renamed ``.exe`` and a program renamed ``.pdf`` are both
  refused. Zip-based files (docx/xlsx/pptx) are read from the central directory and
  decompressed in memory, chunk by chunk, never to disk, and refused past
  ``UPLOAD_ZIP_MAX_ENTRIES`` entries, ``UPLOAD_ZIP_MAX_BYTES`` uncompressed or a
  compression ratio above ``UPLOAD_ZIP_MAX_RATIO`` (a zip bomb).
- :func:`stored_name` is the name a file is stored under: a random uuid4 with the detected
  extension, never the client's name. Files live under ``MEDIA_ROOT`` (``var/media`` by
  default, outside the code and ``STATIC_ROOT``); whitenoise serves ``STATIC_ROOT`` only and
  ``django.conf.urls.static.static`` serves media only when ``DEBUG`` is on, so in
  production a file is reachable only through a view that calls :func:`serve_download`.
- :func:`serve_download` answers with the file AFTER the caller checked that the user may
  see the record: ``Content-Disposition: attachment``, ``X-Content-Type-Options: nosniff``,
  a generic content type, and one :class:`presales.core.models.DownloadLog` row.

Services call :func:`validate_upload` (so the web form, the API and any other route go
through it); views call :func:`serve_download`.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import models
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from presales.core.errors import DomainError
from presales.core.models import DownloadLog

MB = 1024 * 1024


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_bytes() -> int:
    return _setting("UPLOAD_MAX_BYTES", 20 * MB)


# The kinds this project accepts: kind -> (extensions, content type served).
KINDS: dict[str, tuple[frozenset[str], str]] = {
    "pdf": (frozenset({"pdf"}), "application/pdf"),
    "png": (frozenset({"png"}), "image/png"),
    "jpeg": (frozenset({"jpg", "jpeg"}), "image/jpeg"),
    "docx": (
        frozenset({"docx"}),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (frozenset({"xlsx"}), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": (
        frozenset({"pptx"}),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "msg": (frozenset({"msg"}), "application/vnd.ms-outlook"),
    # A saved e-mail is text too: a .txt holding one is accepted.
    "eml": (frozenset({"eml", "txt"}), "message/rfc822"),
    "txt": (frozenset({"txt"}), "text/plain"),
}

# Every extension of the kinds above (a caller narrows it with ``allowed``).
ALL_EXTENSIONS = frozenset(ext for exts, _type in KINDS.values() for ext in exts)
DOCUMENT_EXTENSIONS = frozenset({"pdf", "png", "jpg", "jpeg", "docx", "xlsx", "pptx"})

# The Office Open XML main part of each zip-based kind.
_OOXML_MAIN_PART = {
    "docx": ("word/document.xml", b"wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", b"spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", b"presentationml.presentation.main+xml"),
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_LINE = re.compile(rb"^[A-Za-z0-9-]{1,76}:[ \t]?")
_MAIL_HEADERS = (b"from:", b"to:", b"subject:", b"date:", b"received:", b"message-id:", b"mime-version:")
_HEAD = 8192


@dataclass(frozen=True)
class Upload:
    """A checked upload: its detected kind, the extension to store it under, the type to
    serve it with."""

    kind: str
    extension: str
    content_type: str


def _refuse(field: str, message: str) -> DomainError:
    return DomainError(fields={field: [message]}, code="upload_refused")


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # A multi-byte character may be cut at the end of the sample.
            head.decode(encoding) if len(head) < _HEAD else head[:-4].decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _is_email(head: bytes) -> bool:
    """A saved e-mail (RFC 822): text starting with header lines, among them mail headers."""
    if not _is_text(head):
        return False
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    headers: list[bytes] = []
    for line in lines[:200]:
        if not line:
            break
        if line[:1] in (b" ", b"\t") and headers:
            continue  # a folded header
        if not _HEADER_LINE.match(line):
            return False
        headers.append(line.split(b":", 1)[0].lower() + b":")
    return any(h in _MAIL_HEADERS for h in headers)


def _zip_kind(file: IO[bytes], field: str) -> str:
    """The Office kind of a zip, checked against zip bombs; a zip that is not one of the
    Office formats (or is damaged) is refused."""
    max_entries = _setting("UPLOAD_ZIP_MAX_ENTRIES", 1000)
    max_total = _setting("UPLOAD_ZIP_MAX_BYTES", 100 * MB)
    max_ratio = _setting("UPLOAD_ZIP_MAX_RATIO", 100)
    bomb = _("The archive expands to too much data; it is refused.")
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > max_entries:
                raise _refuse(field, bomb)
            declared = sum(e.file_size for e in entries)
            compressed = sum(e.compress_size for e in entries) or 1
            if declared > max_total or (declared > MB and declared / compressed > max_ratio):
                raise _refuse(field, bomb)
            # The declared sizes may lie: decompress (in memory, by chunks) and count.
            total = 0
            for entry in entries:
                with archive.open(entry) as member:
                    while chunk := member.read(64 * 1024):
                        total += len(chunk)
                        if total > max_total or (total > MB and total / compressed > max_ratio):
                            raise _refuse(field, bomb)
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names:
                return ""
            content_types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
        return ""
    # The main part is there and [Content_Types].xml gives it the format's main type (as an
    # override of that part or, as some writers do, the default of every .xml part).
    for kind, (part, main_type) in _OOXML_MAIN_PART.items():
        if part in names and main_type in content_types:
            return kind
    return ""


def detect(file: IO[bytes], *, field: str = "file") -> str:
    """The kind of ``file`` from its content ("" when none of :data:`KINDS`)."""
    file.seek(0)
    head = file.read(_HEAD)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return "pdf"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "png"
        if head.startswith(b"\xff\xd8\xff"):
            return "jpeg"
        if head.startswith(_OLE):
            return "msg"
        if head.startswith(b"PK\x03\x04"):
            return _zip_kind(file, field)
        if _is_email(head):
            return "eml"
        if _is_text(head):
            return "txt"
        return ""
    finally:
        file.seek(0)


def validate_upload(
    file: Any,
    *,
    field: str = "file",
    allowed: frozenset[str] | None = None,
    limit: int | None = None,
) -> Upload:
    """Check an uploaded file (a Django ``UploadedFile`` or ``File``); raise a
    :class:`DomainError` on ``field`` when it is refused. ``allowed`` narrows the extensions
    (default: every kind of :data:`KINDS`); ``limit`` lowers the size limit."""
    if file is None:
        raise _refuse(field, _("Choose a file to upload."))
    allowed = ALL_EXTENSIONS if allowed is None else allowed
    extension = _extension(str(getattr(file, "name", "") or ""))
    if extension not in allowed:
        raise _refuse(
            field,
            _("This type of file is not accepted; upload one of: %(types)s.")
            % {"types": ", ".join(f".{e}" for e in sorted(allowed))},
        )
    size = getattr(file, "size", None)
    ceiling = min(limit, max_bytes()) if limit is not None else max_bytes()
    if size is None or size > ceiling:
        raise _refuse(field, _("The file is larger than %(size)s MB.") % {"size": f"{ceiling / MB:g}"})
    if size == 0:
        raise _refuse(field, _("The file is empty."))
    kind = detect(file, field=field)
    exts, content_type = KINDS.get(kind, (frozenset(), ""))
    if extension not in exts:
        raise _refuse(field, _("The file's content does not match its name (.%(ext)s).") % {"ext": extension})
    return Upload(kind=kind, extension=extension, content_type=content_type)


def stored_name(upload: Upload) -> str:
    """The name to store a checked upload under: random, unguessable, never the client's."""
    return f"{uuid.uuid4().hex}.{upload.extension}"


def save_upload(field_file: Any, file: Any, upload: Upload) -> None:
    """Store ``file`` on a model's ``FieldFile`` under :func:`stored_name` (the model row is
    saved by the caller)."""
    field_file.save(stored_name(upload), file, save=False)


def serve_download(request: Any, *, obj: models.Model, field_file: Any, filename: str) -> FileResponse:
    """The file of ``obj`` as an attachment, logged. The CALLER has checked that
    ``request.user`` may see ``obj`` (a hidden record is a 404 before this is called)."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    DownloadLog.objects.create(
        user=request.user,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        file_name=filename[:255],
        stored_name=str(field_file.name)[:300],
    )
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
