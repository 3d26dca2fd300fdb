"""Meta's documented limits for outbound messages (reference §6) and the checks that apply them.

Checking locally turns a round trip that ends in a terminal `(#100) Invalid parameter` into an
immediate, precise `MessageValidationError` that names the field and the limit.
"""

from __future__ import annotations

from collections.abc import Sized

from finnegans.whatsapp.graph.errors import MessageValidationError

TEXT_BODY_MAX = 4096

INTERACTIVE_BODY_MAX = 1024  # reply buttons, CTA URL
INTERACTIVE_HEADER_TEXT_MAX = 60
INTERACTIVE_FOOTER_MAX = 60

REPLY_BUTTONS_MAX = 3
REPLY_BUTTON_TITLE_MAX = 20
REPLY_BUTTON_ID_MAX = 256

# Meta's list-message doc says 4096; the v23 OpenAPI file says 1024. We follow the doc (the
# newer source); a longer body comes back from Meta as a terminal (#100).
LIST_BODY_MAX = 4096
LIST_BUTTON_LABEL_MAX = 20
LIST_SECTIONS_MAX = 10
LIST_ROWS_TOTAL_MAX = 10
LIST_SECTION_TITLE_MAX = 24
LIST_ROW_ID_MAX = 200
LIST_ROW_TITLE_MAX = 24
LIST_ROW_DESCRIPTION_MAX = 72

CTA_DISPLAY_TEXT_MAX = 20

MEDIA_CAPTION_MAX = 1024
CONTACTS_MAX = 5

TEMPLATE_BUTTONS_MAX = 10  # a template has at most 10 buttons, so indexes are 0..9


def check_text(field: str, value: str | None, maximum: int, *, required: bool = True) -> None:
    """Refuse a missing/blank required text and any text longer than `maximum` characters."""
    if value is None or value == "":
        if required:
            raise MessageValidationError(f"{field}: is required")
        return
    if not value.strip():
        raise MessageValidationError(f"{field}: must not be blank")
    # Meta counts characters (code points), which is what len() does for str.
    if len(value) > maximum:
        raise MessageValidationError(f"{field}: at most {maximum} characters (got {len(value)})")


def check_required(field: str, value: str | None) -> None:
    """Refuse a missing or blank value that has no documented length limit (ids, filenames)."""
    if value is None or not value.strip():
        raise MessageValidationError(f"{field}: is required")


def check_count(field: str, items: Sized, maximum: int, what: str, *, minimum: int = 1) -> None:
    """Refuse fewer than `minimum` or more than `maximum` items, e.g. "at most 3 reply buttons"."""
    count = len(items)
    if count < minimum:
        raise MessageValidationError(f"{field}: at least {minimum} {what} (got {count})")
    if count > maximum:
        raise MessageValidationError(f"{field}: at most {maximum} {what} (got {count})")


def check_unique(field: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise MessageValidationError(f"{field}: must be unique ({value!r} repeats)")
        seen.add(value)


def check_http_url(field: str, url: str) -> None:
    if not url or not url.strip():
        raise MessageValidationError(f"{field}: is required")
    if not url.lower().startswith(("https://", "http://")):
        raise MessageValidationError(f"{field}: must be an http(s) URL")
