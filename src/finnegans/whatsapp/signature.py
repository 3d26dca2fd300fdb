"""Meta's webhook signature and wire format.

Meta signs the exact bytes it sends: compact JSON, ASCII only with lowercase `\\uXXXX` escapes
(emoji as surrogate pairs) and `/` escaped as `\\/` (PHP json_encode defaults). Verification
therefore always runs over the raw request bytes, never over re-serialised JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def meta_wire_json(payload: Any) -> bytes:
    """Serialise exactly as Meta does, so emulated webhooks are byte-faithful."""
    # Slashes only occur inside strings in JSON, so escaping them all is safe.
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")
    return text.encode("ascii")


def sign(body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 header value for `body`."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def verify(body: bytes, header: str | None, app_secret: str) -> bool:
    """Constant-time check of a signature header against the raw body."""
    if not header or not app_secret or not header.startswith(_PREFIX):
        return False
    return hmac.compare_digest(sign(body, app_secret), header.strip())
