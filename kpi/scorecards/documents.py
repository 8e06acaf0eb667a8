"""The scorecard as a PDF (R-KPI-2: 绩效考核评分表, exported as a document) through the core's
document framework, and as an Excel workbook. Both show what the pages show: the frozen snapshot
of a signed scorecard, the live figures of an open one (watermarked DRAFT in the PDF)."""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from kpi.models.scorecards import Scorecard, ScorecardStatus
from kpi.scorecards.services import scorecard_figures
from presales.documents.registry import DocumentType, register_document_type


def _visible(user: Any):
    return Scorecard.objects.visible_to(user).select_related("team", "template")


def _figures_key(scorecard: Scorecard) -> str:
    figures = dict(scorecard_figures(scorecard))
    figures.pop("computed_at", None)
    return hashlib.sha256(json.dumps(figures, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _fingerprint(scorecard: Scorecard) -> str:
    if scorecard.status == ScorecardStatus.SIGNED:
        return f"{scorecard.pk}:{scorecard.version}:signed"
    comments = scorecard.comments.count()
    return f"{scorecard.pk}:{scorecard.version}:{comments}:{_figures_key(scorecard)}"


def _context(scorecard: Scorecard, variant: str, user: Any) -> dict[str, Any]:
    return {
        "scorecard": scorecard,
        "figures": scorecard_figures(scorecard),
        "comments": list(scorecard.comments.select_related("author")),
    }


def register() -> None:
    register_document_type(
        DocumentType(
            key="scorecard",
            label=gettext_lazy("Scorecard"),
            model="kpi.Scorecard",
            template="kpi/scorecards/document_scorecard.html",
            visible=_visible,
            context=_context,
            fingerprint=_fingerprint,
            number=lambda scorecard: f"KPI-{scorecard.period}-{scorecard.pk:05d}",
            final=lambda scorecard: scorecard.status == ScorecardStatus.SIGNED,
            title=lambda scorecard: str(scorecard),
        )
    )


def _number(text: str | None) -> float | None:
    return None if text is None else float(Decimal(text))


def scorecard_workbook(scorecard: Scorecard) -> bytes:
    """The scorecard as an .xlsx: the header (部门, 职位, 姓名, 考核时间), one row per item with
    its figures, the section totals and the total."""
    figures = scorecard_figures(scorecard)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Scorecard")[:31]
    bold = Font(bold=True)
    sheet.append([_("Department"), scorecard.department, _("Position"), scorecard.position])
    sheet.append([_("Name"), scorecard.person_name, _("Appraisal period"), scorecard.period])
    sheet.append([_("Status"), scorecard.get_status_display(), _("Total score"), _number(figures["total"])])
    sheet.append([])
    header = [
        _("Section"),
        _("Item"),
        _("Weight (%)"),
        _("Target"),
        _("Value"),
        _("Numerator"),
        _("Denominator"),
        _("Rating"),
        _("Score"),
        _("Weighted score"),
        _("Definition"),
    ]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for line in figures["lines"]:
        section = figures["sections"].get(line["section"], {}).get("label", line["section"])
        sheet.append(
            [
                section,
                line["label"],
                _number(line["weight"]),
                _number(line.get("target")),
                _number(line.get("value")),
                _number(line.get("numerator")),
                _number(line.get("denominator")),
                _number(line.get("rating")),
                _number(line.get("score")),
                _number(line.get("weighted")),
                line.get("definition", ""),
            ]
        )
    sheet.append([])
    for section in figures["sections"].values():
        sheet.append(
            [
                section["label"],
                "",
                _number(section["weight"]),
                "",
                "",
                "",
                "",
                "",
                "",
                _number(section["score"]),
            ]
        )
    sheet.append([_("Total"), "", 100, "", "", "", "", "", "", _number(figures["total"])])
    sheet[sheet.max_row][0].font = bold
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
