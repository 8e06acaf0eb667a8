"""Shared setup of the document tests: a solution version with Chinese and English text, a
quote line with cost, and helpers that read a PDF back with poppler (pdftotext, pdffonts)."""

from __future__ import annotations

import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from opportunities.choices import Stage
from presales.documents import services
from presales.documents.models import Document
from proposals.models import SolutionVersion
from tests.factories import OpportunityFactory
from tests.proposals.solutions.factories import (
    QuoteLineFactory,
    SectionFactory,
    SolutionFactory,
    SolutionVersionFactory,
)

CHINESE = "智能制造能耗管理方案"


@pytest.fixture
def opportunity(team, engineer, sales_rep):
    return OpportunityFactory(
        team=team, presales_owner=engineer, sales_owner=sales_rep, stage=Stage.DEMO, amount=1_000_000
    )


@pytest.fixture
def make_version(opportunity, engineer):
    def make(status: str = "approved", body: str = f"<p>{CHINESE}：两条产线 energy saving 30%。</p>"):
        solution = SolutionFactory(opportunity=opportunity, created_by=engineer, title=f"{CHINESE} Energy")
        version = SolutionVersionFactory(solution=solution, number=1, author=engineer, status="draft")
        SectionFactory(solution_version=version, kind="background", body_html=body)
        QuoteLineFactory(
            solution_version=version,
            item="能耗监测终端 Energy meter",
            quantity=Decimal("10"),
            unit_cost=Decimal("700.00"),
            unit_price=Decimal("1000.00"),
        )
        # Decided after its content was written (an approved version's content is frozen).
        SolutionVersion.objects.filter(pk=version.pk).update(status=status)
        version.refresh_from_db()
        return version

    return make


def rendered(document: Document) -> Document:
    """Run the queued rendering as the worker would."""
    result = services.document_run(document_id=document.pk)
    assert result is not None
    return result


def _poppler(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            [tool, *args, str(path), "-"] if tool == "pdftotext" else [tool, str(path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def pdf_bytes(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def pdf_text(document: Document) -> str:
    return _poppler("pdftotext", pdf_bytes(document))


def pdf_fonts(document: Document) -> list[dict[str, str]]:
    """pdffonts' table as rows: name, type, emb, sub."""
    lines = _poppler("pdffonts", pdf_bytes(document)).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni object ID
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4]})
    return rows


def squeezed(text: str) -> str:
    """The text without any whitespace (rotated text extracts one glyph per line)."""
    return "".join(text.split())


def assert_cjk_pdf(document: Document) -> str:
    """The document rendered, its fonts embedded as subsets of Noto Sans CJK (issue 12);
    returns its text without whitespace for the caller's checks."""
    assert document.state == "done", document.error
    fonts = pdf_fonts(document)
    assert fonts and all(row["emb"] == "yes" and row["sub"] == "yes" for row in fonts), fonts
    assert all("Noto-Sans-CJK" in row["name"] for row in fonts), fonts
    return squeezed(pdf_text(document))
