"""Exports of customer data: always logged (R-CUST-6), always masked per viewer."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.db import transaction

from presales.models import ExportLog


def export_csv(
    *,
    actor,
    resource: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    query: str = "",
    channel: str = "web",
) -> str:
    """Render rows as CSV (with a BOM so spreadsheet tools read Chinese) and log the export."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    with transaction.atomic():
        ExportLog.objects.create(user=actor, resource=resource, query=query, row_count=count, channel=channel)
    return buffer.getvalue()
