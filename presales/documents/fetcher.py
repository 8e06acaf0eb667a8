"""What WeasyPrint may load while rendering a document (issue 12): the project's own static
files, the stored uploads the document type names, and small inline ``data:`` images. Never
a network address, a ``file://`` path or anything else taken from user content (rich text with
``<img src="http://169.254.169.254/">`` or ``file:///etc/passwd`` renders without it).

Documents are rendered with ``base_url=BASE``, so ``{% static %}`` paths resolve under it and
are served from the static finders; nothing leaves the process.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE = "https://documents.invalid/"
MEDIA_PREFIX = "media/"
# An inline image larger than this is refused (a document is not a transport for blobs).
DATA_MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"})


def media_url(name: str) -> str:
    """The address under which a template embeds a stored file the type allows."""
    return f"{BASE}{MEDIA_PREFIX}{name}"


class SafeFetcher(URLFetcher):
    """Serves static files and the allowed stored files; refuses everything else (the
    refusals are kept in ``refused`` for the logs and the tests)."""

    def __init__(self, *, allowed_media: Iterable[str] = ()) -> None:
        super().__init__(allowed_protocols=("https", "data"), allow_redirects=False, timeout=1)
        self.allowed_media = {str(name) for name in allowed_media if name}
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return self._data(url)
        if url.startswith(BASE):
            path = unquote(urlsplit(url).path).lstrip("/")
            static_prefix = settings.STATIC_URL.lstrip("/")
            if path.startswith(static_prefix):
                return self._static(url, path.removeprefix(static_prefix))
            if path.startswith(MEDIA_PREFIX) and path.removeprefix(MEDIA_PREFIX) in self.allowed_media:
                return self._media(url, path.removeprefix(MEDIA_PREFIX))
        return self._refuse(url)

    def _refuse(self, url: str):
        self.refused.append(url[:200])
        raise ValueError(f"Not loaded in a document: {url[:200]}")

    def _data(self, url: str):
        media_type = url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
        if media_type not in IMAGE_TYPES or len(url) > DATA_MAX_BYTES * 4 // 3 + 100:
            return self._refuse(url)
        return super().fetch(url)

    def _static(self, url: str, relative: str):
        if ".." in Path(relative).parts:
            return self._refuse(url)
        found = finders.find(relative)
        if not found and settings.STATIC_ROOT:
            candidate = Path(settings.STATIC_ROOT) / relative
            found = str(candidate) if candidate.is_file() else None
        if not found:
            return self._refuse(url)
        path = Path(found if isinstance(found, str) else found[0])
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": _type_of(relative)})

    def _media(self, url: str, name: str):
        try:
            with default_storage.open(name, "rb") as handle:
                body = handle.read()
        except (FileNotFoundError, OSError):
            return self._refuse(url)
        return URLFetcherResponse(url, body=body, headers={"Content-Type": _type_of(name)})


def _type_of(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
