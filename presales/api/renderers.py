"""Renderers for non-JSON API responses."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

from rest_framework.renderers import BaseRenderer

from presales.core.csvfile import write_csv


class CSVRenderer(BaseRenderer):
    """Lets endpoints answer ``Accept: text/csv``.

    - a ready CSV string (the export endpoints: presales/exports/services.py already wrote
      it with :func:`presales.core.csvfile.write_csv`) is passed through;
    - a list of rows (mappings or sequences) is written with the same ``write_csv``, so a
      text cell that a spreadsheet would run as a formula is neutralised here too;
    - anything else reaching this renderer is an error body, written as JSON.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, str):
            return data.encode(self.charset)
        if isinstance(data, list | tuple):
            return self._rows(data).encode(self.charset)
        return json.dumps(data, ensure_ascii=False).encode(self.charset)

    @staticmethod
    def _rows(data) -> str:
        buffer = io.StringIO()
        if data and all(isinstance(row, Mapping) for row in data):
            header = list(dict.fromkeys(key for row in data for key in row))
            write_csv(buffer, header, ([row.get(key, "") for key in header] for row in data))
        else:
            write_csv(buffer, None, data)  # rows without names: no header line
        return buffer.getvalue()
