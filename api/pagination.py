"""Paging that scales: an opaque cursor over a unique, indexed key (the slug), no COUNT.

`page_size` is capped; a malformed cursor, a page size out of range or a cursor that was not
made by this API is a 400 with a message, never a 404 or a 500. The `next` and `previous`
links are in the JSON body and, for every format (CSV and NDJSON too), in the `Link` header.
"""

import binascii
import re
from base64 import b64decode
from urllib.parse import parse_qs

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_POSITION = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")


class SlugCursorPagination(CursorPagination):
    ordering = ("slug",)
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    invalid_cursor_message = (
        "Invalid cursor: use the `next` or `previous` link of a page exactly as given."
    )

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"page_size must be a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def decode_cursor(self, request):
        """DRF's cursor, checked: made of our keys only, with a slug as its position."""
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None
        invalid = ValidationError({"cursor": [self.invalid_cursor_message]})
        try:
            tokens = parse_qs(
                b64decode(encoded.encode("ascii")).decode("ascii"), strict_parsing=True
            )
        except (ValueError, UnicodeError, binascii.Error):
            raise invalid from None
        if not tokens or set(tokens) - {"o", "r", "p"} or any(len(v) != 1 for v in tokens.values()):
            raise invalid
        position = tokens.get("p", [None])[0]
        if position is not None and not _POSITION.match(position):
            raise invalid
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise invalid from None

    def get_ordering(self, request, queryset, view):
        return self.ordering

    def get_paginated_response(self, data):
        response = Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page; null on the last page.",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The previous page; null on the first page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The opaque cursor from a page's `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Records per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})."
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
