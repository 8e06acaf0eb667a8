"""Renderers for non-JSON API responses."""

from __future__ import annotations

import json

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Lets export endpoints answer ``Accept: text/csv``. The export itself returns a ready
    CSV string; anything else reaching this renderer is an error body, written as JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, str):
            return data.encode(self.charset)
        return json.dumps(data, ensure_ascii=False).encode(self.charset)
