"""CSV and NDJSON for bulk consumers; JSON is DRF's own renderer.

A list endpoint names its CSV columns (`csv_columns` on the view: header and a function of one
serialized item), so a spreadsheet gets one flat row per record with figures in the page's
words. Paging links travel in the `Link` header (see pagination.py), not in the body.
"""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework.renderers import BaseRenderer


def _items(data):
    """The records of a response: a page's results, a list, or one object."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return data["results"]
    if isinstance(data, list):
        return data
    return [data]


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        columns = getattr(view, "csv_columns", None)
        items = _items(data)
        if not columns:
            keys = list(dict.fromkeys(key for item in items for key in item))
            columns = [(key, lambda item, key=key: item.get(key)) for key in keys]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([header for header, _value in columns])
        for item in items:
            writer.writerow([_cell(value(item)) for _header, value in columns])
        # A byte-order mark so spreadsheet programs read the UTF-8 (Chinese names, "Ⅲ").
        return ("\ufeff" + buffer.getvalue()).encode(self.charset)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    text = str(value)
    # Spreadsheet formula injection: a cell must never start a formula.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


class NDJSONRenderer(BaseRenderer):
    """Newline-delimited JSON: one record per line (https://github.com/ndjson/ndjson-spec)."""

    media_type = "application/x-ndjson"
    format = "ndjson"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        lines = [
            json.dumps(item, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":"))
            for item in _items(data)
        ]
        return "".join(line + "\n" for line in lines).encode(self.charset)
