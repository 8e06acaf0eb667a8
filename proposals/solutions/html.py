"""Rich text of solution sections (R-SOL-1): sanitised on save with nh3 (the Ammonia
sanitiser), and turned into plain text for diffs and the review form.

Kept: headings, paragraphs, emphasis, lists, tables, links (http, https, mailto; rel
"noopener noreferrer" added) and images whose ``src`` is https, http or a path on this site
(``/media/...``); no ``data:`` or ``javascript:`` URL, no script, style or event attribute.
"""

from __future__ import annotations

import html
import re

import nh3

TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span", "blockquote", "pre", "code",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
    "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "figure", "figcaption",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _safe_src(tag: str, attribute: str, value: str) -> str | None:
    """Images load only from http(s) or this site's own paths (no protocol-relative URL)."""
    if tag == "img" and attribute == "src":
        if value.startswith(("https://", "http://")) or (
            value.startswith("/") and not value.startswith("//")
        ):
            return value
        return None
    return value


def sanitize(body: str) -> str:
    """The stored form of a section's text."""
    return nh3.clean(
        body or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_safe_src,
        strip_comments=True,
    ).strip()


_BLOCK = re.compile(
    r"</?(p|div|h[1-6]|li|tr|br|hr|table|ul|ol|blockquote|pre|dt|dd|figure|figcaption)\b[^>]*>", re.I
)
_CELL = re.compile(r"</t[dh]>", re.I)
_TAG = re.compile(r"<[^>]+>")


def to_text(body: str) -> str:
    """Plain text of sanitised HTML: one line per block, cells separated by " | "."""
    text = _CELL.sub(" | ", body or "")
    text = _BLOCK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line.rstrip(" |") for line in lines if line.strip(" |"))
