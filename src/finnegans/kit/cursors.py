"""Opaque keyset cursors: the last row's sort values, base64url-encoded JSON.

Lists page by keyset ("after this row"), never by offset, so a deep page costs what the first
does and rows added meanwhile never shift a page. The cursor is opaque to clients; a cursor that
this API did not produce is a 400 naming the parameter.
"""

from __future__ import annotations

import base64
import json

from finnegans.kit.errors import BadRequest


def encode_cursor(*values: str) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int, name: str = "cursor") -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError):
        values = None
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(isinstance(v, str) for v in values)
    ):
        raise BadRequest(f"{name}: not a cursor this API returned", fields={name: "invalid"})
    return values
