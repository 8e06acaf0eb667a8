"""Rendering a registered document to PDF with WeasyPrint (issue 12).

The template is rendered under the document's language (a customer copy may be in another
language than the reader's interface), inside the common layout ``documents/base.html``:
branding, page header and footer with the document number, version and "page N of M", the
DRAFT watermark on anything not approved, and the CJK font named per language so that
Chinese text is embedded as a subset of Noto Sans CJK (the system's fonts-noto-cjk).
"""

from __future__ import annotations

import contextlib
import resource
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import CSS, HTML

from presales.documents.fetcher import BASE, SafeFetcher, media_url
from presales.documents.models import Branding
from presales.documents.registry import DocumentType

# The CJK family per language (../shared/STACK.md): generic sans-serif would pick a font by
# what is installed; naming it makes the PDFs identical on every machine with the fonts.
FONTS = {"zh-hans": "Noto Sans CJK SC", "zh-hant": "Noto Sans CJK TC", "en": "Noto Sans CJK SC"}
MARK_PAGE, MARK_PAGES = "\x01", "\x02"
# The watermark of anything not approved, in the document's language (issue 12).
WATERMARKS = {"zh-hans": "草稿", "zh-hant": "草稿", "en": "DRAFT"}


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    refused: list[str]


def css_escape(text: str) -> str:
    """``text`` safe inside a CSS double-quoted string in a ``<style>`` element (spaces
    kept): quotes and backslashes escaped, ``<`` and ``>`` as CSS escapes so that no user
    text can close the element."""
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("<", "\\3c ")
        .replace(">", "\\3e ")
        .replace("\n", " ")
        .replace("\r", " ")
    )


def css_string(value: Any) -> str:
    """``value`` as the inside of a CSS double-quoted string (header and footer texts), its
    runs of whitespace folded to one space."""
    return css_escape(" ".join(str(value or "").split()))


def page_counter_css() -> str:
    """The translated "Page N of M" as a CSS ``content`` value with the two counters."""
    text = _("Page %(page)s of %(pages)s") % {"page": MARK_PAGE, "pages": MARK_PAGES}
    parts = []
    for chunk in text.replace(MARK_PAGES, "\x00pages\x00").replace(MARK_PAGE, "\x00page\x00").split("\x00"):
        if chunk in ("page", "pages"):
            parts.append(f"counter({chunk})")
        elif chunk:
            parts.append(f'"{css_escape(chunk)}"')
    return " ".join(parts)


def layout_context(doc_type: DocumentType, obj: Any, *, variant: str, language: str) -> dict[str, Any]:
    """What ``documents/base.html`` needs besides the type's own context."""
    branding = Branding.current()
    final = bool(doc_type.final(obj))
    return {
        "language": language,
        "font": FONTS.get(language, FONTS["zh-hans"]),
        "branding": branding,
        "company": branding.company_name(language) or _("Our company"),
        "footer": branding.footer(language),
        "logo_url": media_url(str(branding.logo.name)) if branding.logo else "",
        "number": doc_type.number(obj),
        "title": doc_type.title(obj),
        "final": final,
        "watermark": "" if final else WATERMARKS.get(language, "DRAFT"),
        "page_counter": page_counter_css(),
        "generated_at": timezone.localtime(),
        "variant": variant,
        "doc_type": doc_type,
    }


@contextlib.contextmanager
def memory_ceiling(megabytes: int) -> Iterator[None]:
    """Cap this process's address space at its current size plus ``megabytes`` while the
    block runs (a runaway document fails with MemoryError instead of taking the worker);
    the previous limit is restored afterwards. No-op where the platform has no RLIMIT_AS."""
    if megabytes <= 0 or not hasattr(resource, "RLIMIT_AS"):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[0]) * resource.getpagesize()
    ceiling = current + megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@dataclass(frozen=True)
class Source:
    """A document ready for WeasyPrint: its HTML, and the CSS that depends on the document
    (font, branding colours, page-margin texts), given as a stylesheet rather than inline so
    that no template carries a ``<style>`` (the project's templates have none, CSP)."""

    html: str
    css: str


def page_css(context: dict[str, Any]) -> str:
    """The document's own rules: its CJK font, the branding colours (validated #RRGGBB), the
    header (company; number and version) and footer (footer text; "page N of M")."""
    branding = context["branding"]
    right = str(context.get("number") or "")
    if context.get("version_label"):
        right = f"{right} · {context['version_label']}"
    return f"""
html {{ font-family: "{css_escape(context["font"])}", "Noto Sans CJK SC", sans-serif; }}
:root {{ --primary: {branding.primary_colour}; --accent: {branding.accent_colour}; }}
@page {{
  @top-left {{ content: "{css_string(context.get("company"))}"; }}
  @top-right {{ content: "{css_string(right)}"; }}
  @bottom-left {{ content: "{css_string(context.get("footer"))}"; }}
  @bottom-right {{ content: {context["page_counter"]}; }}
}}
@page :first {{ @top-left {{ content: none; }} @top-right {{ content: none; }} }}
"""


def document_source(doc_type: DocumentType, obj: Any, *, variant: str, language: str, user: Any) -> Source:
    with translation.override(language):
        context = {
            **layout_context(doc_type, obj, variant=variant, language=language),
            **doc_type.context(obj, variant, user),
        }
        return Source(html=render_to_string(doc_type.template, context), css=page_css(context))


def html_to_pdf(source: Source, *, allowed_media: list[str]) -> Rendered:
    """WeasyPrint on ``source`` with the safe fetcher; fonts are embedded as subsets."""
    fetcher = SafeFetcher(allowed_media=allowed_media)
    html = HTML(string=source.html, base_url=BASE, url_fetcher=fetcher)
    document = html.render(stylesheets=[CSS(string=source.css, url_fetcher=fetcher)])
    pdf = document.write_pdf()
    return Rendered(pdf=pdf, pages=len(document.pages), refused=list(fetcher.refused))


def render_document(
    doc_type: DocumentType,
    obj: Any,
    *,
    variant: str,
    language: str,
    user: Any,
    progress: Callable[[int], None] = lambda percent: None,
) -> Rendered:
    """The PDF of ``obj`` as ``doc_type`` in ``language``; ``progress`` is told how far."""
    source = document_source(doc_type, obj, variant=variant, language=language, user=user)
    progress(30)
    branding = Branding.current()
    allowed = [*doc_type.media(obj), *([str(branding.logo.name)] if branding.logo else [])]
    return html_to_pdf(source, allowed_media=allowed)
