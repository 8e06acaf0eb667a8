"""Writing CSV that spreadsheet tools open safely (R-CUST-6 exports, the API's text/csv).

A text cell that a spreadsheet would read as a formula (``=HYPERLINK(...)``, ``+1+1``,
``-2+3``, ``@SUM(...)``, or one starting with a tab or a carriage return) is written with a
leading single quote, as OWASP's "CSV Injection" guidance says: the spreadsheet shows it as
text and runs nothing. Leading whitespace does not hide the character (`` =1+1`` is quoted
too), and the full-width forms (＝ ＋ － ＠) that Chinese input methods type are treated like
their ASCII twins. Numbers (int, Decimal, float) are not text and stay numbers, so a
negative amount is still a number in the sheet.

Every CSV the project writes goes through :func:`write_csv` (the export files and immediate
exports, presales/exports/services.py; the API renderer, presales/api/renderers.py).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from django.utils.functional import Promise

# Characters that make a spreadsheet read a cell as a formula or a command.
FORMULA_START = frozenset("=+-@＝＋－＠")
# Control characters that some tools strip before reading the rest as a formula.
CONTROL_START = frozenset("\t\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet evaluates: text that could start a formula
    gets a leading ``'``; anything that is not text (numbers, None) is returned unchanged."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str) or not value:
        return value
    if value[0] in CONTROL_START or value.lstrip()[:1] in FORMULA_START:
        return "'" + value
    return value


def write_csv(
    stream: IO[str],
    header: Sequence[Any] | None,
    rows: Iterable[Sequence[Any]],
    *,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write a UTF-8 CSV with a BOM (so spreadsheet tools read Chinese) to ``stream``: the
    header (none if ``None``), then ``rows``, every text cell neutralised by :func:`safe_cell`. ``on_row(count)``
    is called after each row. Returns the number of rows."""
    stream.write("\ufeff")
    writer = csv.writer(stream)
    if header is not None:
        writer.writerow([safe_cell(str(h)) for h in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
        if on_row is not None:
            on_row(count)
    return count
