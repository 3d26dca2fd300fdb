"""Identifiers shaped like Meta's: wamids, numeric object ids, fbtrace ids."""

from __future__ import annotations

import base64
import secrets

_TRACE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def new_wamid(wa_id: str, *, inbound: bool) -> str:
    """`wamid.` + base64 of Meta's framing around the user's number and a random hex tag.

    Real wamids decode to `\\x1c\\x18<len><wa_id>\\x15\\x02\\x00<dir>\\x18<len><HEX>\\x00`,
    where the direction byte is 0x12 for messages from the user and 0x11 for business sends.
    """
    number = wa_id.encode()[:255]
    tag = secrets.token_hex(10 if inbound else 9).upper().encode()
    direction = b"\x12" if inbound else b"\x11"
    raw = (
        b"\x1c\x18"
        + bytes([len(number)])
        + number
        + b"\x15\x02\x00"
        + direction
        + b"\x18"
        + bytes([len(tag)])
        + tag
        + b"\x00"
    )
    return "wamid." + base64.b64encode(raw).decode("ascii")


def new_numeric_id(digits: int = 16) -> str:
    """A Graph object id (media, template, WABA, phone number): digits, no leading zero."""
    first = str(secrets.randbelow(9) + 1)
    rest = "".join(str(secrets.randbelow(10)) for _ in range(digits - 1))
    return first + rest


def new_fbtrace_id() -> str:
    return "".join(secrets.choice(_TRACE_ALPHABET) for _ in range(23))


def new_token(prefix: str = "EAAG") -> str:
    return prefix + secrets.token_urlsafe(48)
