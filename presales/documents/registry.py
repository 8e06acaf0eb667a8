"""The kinds of document the product renders to PDF (issue 12), registered by the apps that
own their records: the solution document by ``proposals``, the review forms by ``reviews``,
contract sheets by ``bids``, the scorecard later by ``kpi``. The core renders, stores, serves
and logs them without importing any of those apps.

A :class:`DocumentType` says which record it is made from, who may have it, what it shows
and what makes two renderings the same file (``fingerprint``): a re-download of an unchanged
source is the stored file; a changed source (or branding) makes a new one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Variant:
    """One form of a document, e.g. the customer copy and the internal copy of a solution.
    ``for_customer``: it may leave the company (it is logged when sent, R-SOL-5 applies)."""

    key: str
    label: Any
    for_customer: bool = False


@dataclass(frozen=True)
class DocumentType:
    """``visible(user)`` – the records the user may see (a hidden one is a 404);
    ``refusals(user, obj, variant)`` – reasons the user may not have this variant now
    (e.g. R-SOL-5: no customer copy of an unapproved version), checked when asked for and
    again at every download; ``context(obj, variant, user)`` – the template's context, built under
    the document's language for the user who asked (what else they may see, e.g. cases); ``fingerprint(obj)`` – changes whenever what the document shows
    changes; ``number(obj)`` – the document number in the header; ``final(obj)`` – approved
    (otherwise every page carries the DRAFT watermark); ``media(obj)`` – stored files the
    document may embed (images); everything else is refused by the fetcher."""

    key: str
    label: Any
    model: str  # "app_label.ModelName"
    template: str
    visible: Callable[[Any], QuerySet[Any]]
    context: Callable[[Any, str, Any], dict[str, Any]]
    fingerprint: Callable[[Any], str]
    number: Callable[[Any], str]
    final: Callable[[Any], bool]
    variants: Sequence[Variant] = (Variant("standard", "standard"),)
    refusals: Callable[[Any, Any, str], list[str]] = lambda user, obj, variant: []
    media: Callable[[Any], Sequence[str]] = lambda obj: ()
    title: Callable[[Any], str] = str
    extra: dict[str, Any] = field(default_factory=dict)

    def variant(self, key: str) -> Variant | None:
        return next((v for v in self.variants if v.key == key), None)

    def model_label(self) -> str:
        return self.model.lower()


_TYPES: dict[str, DocumentType] = {}


def register_document_type(doc_type: DocumentType) -> DocumentType:
    _TYPES[doc_type.key] = doc_type
    return doc_type


def document_type(key: str) -> DocumentType | None:
    return _TYPES.get(key)


def document_types() -> list[DocumentType]:
    return sorted(_TYPES.values(), key=lambda t: t.key)


def types_for(obj: Model) -> list[DocumentType]:
    """The document types made from ``obj``'s model (the buttons a record page shows)."""
    label = obj._meta.label_lower
    return [t for t in document_types() if t.model_label() == label]
