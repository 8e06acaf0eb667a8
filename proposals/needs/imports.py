"""Requirements in and out of spreadsheets (R-NEED-2): bulk paste (tab-separated, from
Excel), CSV and Excel import with a row-by-row error report (nothing saved when any row is
invalid: ``requirements_create_many`` is one transaction), the template, and exports.

Headings and choice values are accepted as the English codes, the English labels and the
Chinese labels, traditional and simplified (剛性/刚性, 柔性, 潛在/潜在 …).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from presales.core.csvfile import safe_cell, write_csv
from presales.core.errors import DomainError
from presales.core.uploads import validate_upload
from proposals.choices import Feasibility, Priority, RequirementCategory, RequirementKind
from proposals.models import Requirement
from proposals.needs.services import requirements_create_many

MAX_ROWS = 1000
MAX_BYTES = 5 * 1024 * 1024

# column -> the headings that name it (lower-cased)
COLUMNS: dict[str, tuple[str, ...]] = {
    "kind": ("kind", "type", "需求類型", "需求类型", "類型", "类型"),
    "category": ("category", "類別", "类别", "分類", "分类"),
    "description": ("description", "需求描述", "描述"),
    "quantity": ("quantity", "數量", "数量"),
    "priority": ("priority", "優先級", "优先级"),
    "key_metric": ("key metric", "key_metric", "關鍵指標", "关键指标"),
    "feasibility": ("feasibility", "可行性"),
    "feasibility_note": ("feasibility note", "feasibility_note", "可行性說明", "可行性说明"),
    "alternative": ("alternative", "agreed alternative", "替代方案"),
}
TEMPLATE_HEADER = [
    "kind",
    "category",
    "description",
    "quantity",
    "priority",
    "key_metric",
    "feasibility",
    "feasibility_note",
    "alternative",
]

CHINESE: dict[str, dict[str, tuple[str, ...]]] = {
    "kind": {
        RequirementKind.RIGID: ("剛性", "刚性", "硬性"),
        RequirementKind.FLEXIBLE: ("柔性",),
        RequirementKind.LATENT: ("潛在", "潜在"),
    },
    "category": {
        RequirementCategory.FUNCTION: ("功能",),
        RequirementCategory.PERFORMANCE: ("性能",),
        RequirementCategory.INTERFACE: ("接口", "介面"),
        RequirementCategory.SECURITY: ("安全",),
        RequirementCategory.QUALITY: ("質量", "质量", "品質"),
        RequirementCategory.DELIVERY: ("交付",),
        RequirementCategory.SERVICE: ("服務", "服务"),
    },
    "priority": {
        Priority.HIGH: ("高",),
        Priority.MEDIUM: ("中",),
        Priority.LOW: ("低",),
    },
    "feasibility": {
        Feasibility.FEASIBLE: ("可行",),
        Feasibility.NEEDS_RD: ("需研發", "需研发", "需要研發", "需要研发", "needs r&d"),
        Feasibility.NOT_FEASIBLE: ("不可行",),
    },
}
CHOICES = {
    "kind": RequirementKind,
    "category": RequirementCategory,
    "priority": Priority,
    "feasibility": Feasibility,
}


def _choice_map(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value, label in CHOICES[name].choices:
        out[str(value).lower()] = value
        out[str(label).lower()] = value
    for value, words in CHINESE[name].items():
        for word in words:
            out[word.lower()] = value
    return out


class ImportRefused(DomainError):
    """The file or paste cannot be read as a table at all (no row errors to report)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="unreadable", fields={"file": [message]})


def _column_of(heading: Any) -> str | None:
    text = str(heading or "").strip().lower()
    for name, names in COLUMNS.items():
        if text in names:
            return name
    return None


def parse_table(table: list[list[Any]]) -> tuple[list[dict[str, Any]], dict[int, list[str]]]:
    """Rows of cells (the first the headings) as service input, and the errors of each row
    (1-based data row numbers) found before the services see them (unknown choices)."""
    table = [row for row in table if any(str(c or "").strip() for c in row)]
    if not table:
        raise ImportRefused(_("The table is empty."))
    header = [_column_of(h) for h in table[0]]
    if "description" not in header:
        raise ImportRefused(_("The first row must name the columns; a “description” column is required."))
    if len(table) - 1 > MAX_ROWS:
        raise ImportRefused(_("At most %(n)s rows at a time.") % {"n": MAX_ROWS})
    maps = {name: _choice_map(name) for name in CHOICES}
    rows: list[dict[str, Any]] = []
    errors: dict[int, list[str]] = {}
    for number, cells in enumerate(table[1:], start=1):
        data: dict[str, Any] = {}
        problems: list[str] = []
        for column, cell in zip(header, cells, strict=False):
            if column is None:
                continue
            text = str(cell if cell is not None else "").strip()
            if column in maps:
                if not text:
                    continue
                value = maps[column].get(text.lower())
                if value is None:
                    problems.append(
                        _("%(column)s: unknown value “%(value)s”.") % {"column": column, "value": text}
                    )
                else:
                    data[column] = value
            elif column == "quantity":
                if text:
                    try:
                        data[column] = Decimal(text.replace(",", ""))
                    except InvalidOperation:
                        problems.append(_("quantity: “%(value)s” is not a number.") % {"value": text})
            else:
                data[column] = text
        data.setdefault("kind", RequirementKind.RIGID)
        data.setdefault("category", RequirementCategory.FUNCTION)
        rows.append(data)
        if problems:
            errors[number] = problems
    return rows, errors


def read_paste(text: str) -> list[list[Any]]:
    """Tab-separated text as Excel copies it (quoted cells may hold line breaks)."""
    return [list(row) for row in csv.reader(io.StringIO(text.strip("\n")), delimiter="\t")]


def read_file(name: str, content: bytes) -> list[list[Any]]:
    """A CSV (UTF-8, with or without BOM; GB18030 accepted) or an .xlsx workbook's first sheet."""
    if len(content) > MAX_BYTES:
        raise ImportRefused(_("The file is larger than 5 MB."))
    lower = name.lower()
    if lower.endswith(".xlsx"):
        # Checked like every upload (a zip bomb or a renamed file never reaches openpyxl).
        try:
            validate_upload(ContentFile(content, name=name), field="file", allowed=frozenset({"xlsx"}))
        except DomainError as exc:
            raise ImportRefused(_("This is not a readable Excel (.xlsx) file.")) from exc
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise ImportRefused(_("This is not a readable Excel (.xlsx) file.")) from exc
        sheet = workbook.worksheets[0]
        table = [
            list(row) for _n, row in zip(range(MAX_ROWS + 2), sheet.iter_rows(values_only=True), strict=False)
        ]
        workbook.close()
        return table
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportRefused(_("The CSV file must be UTF-8 encoded."))
        return [list(row) for row in csv.reader(io.StringIO(text))]
    raise ImportRefused(_("Upload a .csv or .xlsx file."))


def export_rows(requirements: Iterable[Requirement]) -> tuple[list[str], list[list[Any]]]:
    header = [
        "number",
        *TEMPLATE_HEADER,
        "confirmation_status",
        "confirmed_by",
        "confirmation_method",
        "confirmed_at",
    ]
    rows = [
        [
            r.code,
            r.kind,
            r.category,
            r.description,
            r.quantity,
            r.priority,
            r.key_metric,
            r.feasibility,
            r.feasibility_note,
            r.alternative,
            r.confirmation_status,
            r.confirmed_by_name,
            r.confirmation_method,
            r.confirmed_at.isoformat() if r.confirmed_at else "",
        ]
        for r in requirements
    ]
    return header, rows


def to_csv(requirements: Iterable[Requirement]) -> str:
    header, rows = export_rows(requirements)
    stream = io.StringIO()
    write_csv(stream, header, rows)
    return stream.getvalue()


def to_xlsx(requirements: Iterable[Requirement] | None = None) -> bytes:
    """The requirements as a workbook; without requirements, the import template."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "requirements"
    if requirements is None:
        sheet.append(TEMPLATE_HEADER)
        sheet.append(["剛性", "性能", "降低生產線能耗30%", None, "高", "能耗 -30%", "可行", "", ""])
    else:
        header, rows = export_rows(requirements)
        sheet.append(header)
        for row in rows:
            sheet.append([safe_cell(c) if isinstance(c, str) else c for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class _Rollback(Exception):
    """Raised inside the import's transaction to undo every row when any row is invalid."""


def import_table(*, actor: Any, opportunity: Any, table: list[list[Any]]) -> list[Requirement]:
    """Import the rows of ``table`` (headings first) as requirements: all of them, or none
    with a row-by-row report (``DomainError`` code ``invalid_rows``, fields ``row <n>``)."""
    rows, errors = parse_table(table)
    report: dict[str, list[str]] = {f"row {n}": list(msgs) for n, msgs in errors.items()}
    created: list[Requirement] = []
    try:
        with transaction.atomic():
            created = requirements_create_many(actor=actor, opportunity=opportunity, rows=rows)
            if report:
                raise _Rollback
    except _Rollback:
        pass
    except DomainError as exc:
        if exc.code != "invalid_rows":
            raise
        for key, messages in exc.fields.items():
            row, _dot, field = key.partition(".")
            report.setdefault(row, []).extend(f"{field}: {m}" for m in messages)
    if report:
        ordered = dict(sorted(report.items(), key=lambda kv: int(kv[0].split()[1])))
        raise DomainError(
            _("No row was imported: correct the rows listed."), code="invalid_rows", fields=ordered
        )
    return created
