"""Builders for the JSON body of `POST /<version>/<phone_number_id>/messages` (reference §6).

Every builder validates against Meta's limits first and raises `MessageValidationError`, so a
message that Meta would refuse never costs a request. Each returns a plain dict ready for
`GraphClient.send`. `reply_to` (a wamid) turns any message into a contextual reply (§6.7).
Interactive messages live in `interactive.py`, templates in `templates.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from finnegans.whatsapp.graph.errors import MessageValidationError
from finnegans.whatsapp.graph.limits import (
    CONTACTS_MAX,
    MEDIA_CAPTION_MAX,
    TEXT_BODY_MAX,
    check_count,
    check_http_url,
    check_required,
    check_text,
)

Payload = dict[str, Any]
MediaType = Literal["image", "audio", "video", "document", "sticker"]

# Business-scoped user ids look like "US.13491208655302741918" or "US.ENT.…" (reference §3.1);
# Meta wants them in "recipient" instead of "to".
_BSUID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]+$")
# Meta accepts "+", "-", "(", ")" and spaces in phone numbers (§6.11).
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]*$")
_CAPTIONED: frozenset[str] = frozenset({"image", "video", "document"})


def is_bsuid(recipient: str) -> bool:
    return bool(_BSUID.match(recipient))


def recipient_fields(to: str) -> Payload:
    """`{"to": phone}` for a phone number / wa_id, `{"recipient": bsuid}` for a BSUID."""
    to = to.strip() if to else ""
    if not to:
        raise MessageValidationError("to: is required")
    if is_bsuid(to):
        return {"recipient": to}
    if not _PHONE.match(to):
        raise MessageValidationError(f"to: not a phone number, wa_id or BSUID ({to!r})")
    return {"to": to}


def message_payload(
    to: str, message_type: str, content: Any, *, reply_to: str | None = None
) -> Payload:
    """The common envelope around one message object, in Meta's documented key order."""
    payload: Payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **recipient_fields(to),
        "type": message_type,
        message_type: content,
    }
    if reply_to is not None:
        check_required("context.message_id", reply_to)
        payload["context"] = {"message_id": reply_to}
    return payload


@dataclass(frozen=True, slots=True)
class MediaRef:
    """An uploaded media id or a public http(s) link; exactly one of the two."""

    id: str | None = None
    link: str | None = None

    @classmethod
    def by_id(cls, media_id: str) -> MediaRef:
        return cls(id=media_id)

    @classmethod
    def by_link(cls, url: str) -> MediaRef:
        return cls(link=url)

    def to_json(self, field: str) -> Payload:
        if (self.id is None) == (self.link is None):
            raise MessageValidationError(f"{field}: give exactly one of id or link")
        if self.id is not None:
            check_required(f"{field}.id", self.id)
            return {"id": self.id}
        assert self.link is not None  # noqa: S101 - narrowed by the check above
        check_http_url(f"{field}.link", self.link)
        return {"link": self.link}


def text_message(
    to: str, body: str, *, preview_url: bool = False, reply_to: str | None = None
) -> Payload:
    check_text("text.body", body, TEXT_BODY_MAX)
    return message_payload(
        to, "text", {"preview_url": preview_url, "body": body}, reply_to=reply_to
    )


def media_message(
    to: str,
    media_type: MediaType,
    media: MediaRef,
    *,
    caption: str | None = None,
    filename: str | None = None,
    reply_to: str | None = None,
) -> Payload:
    """Image, audio, video, document or sticker; captions only where Meta shows them."""
    content = media.to_json(media_type)
    if caption is not None:
        if media_type not in _CAPTIONED:
            raise MessageValidationError(f"{media_type}.caption: not allowed for {media_type}")
        check_text(f"{media_type}.caption", caption, MEDIA_CAPTION_MAX)
        content["caption"] = caption
    if filename is not None:
        if media_type != "document":
            raise MessageValidationError(f"{media_type}.filename: only documents have a filename")
        check_required("document.filename", filename)
        content["filename"] = filename
    return message_payload(to, media_type, content, reply_to=reply_to)


def image_message(
    to: str, media: MediaRef, *, caption: str | None = None, reply_to: str | None = None
) -> Payload:
    return media_message(to, "image", media, caption=caption, reply_to=reply_to)


def video_message(
    to: str, media: MediaRef, *, caption: str | None = None, reply_to: str | None = None
) -> Payload:
    return media_message(to, "video", media, caption=caption, reply_to=reply_to)


def audio_message(to: str, media: MediaRef, *, reply_to: str | None = None) -> Payload:
    return media_message(to, "audio", media, reply_to=reply_to)


def sticker_message(to: str, media: MediaRef, *, reply_to: str | None = None) -> Payload:
    return media_message(to, "sticker", media, reply_to=reply_to)


def document_message(
    to: str,
    media: MediaRef,
    *,
    caption: str | None = None,
    filename: str | None = None,
    reply_to: str | None = None,
) -> Payload:
    return media_message(
        to, "document", media, caption=caption, filename=filename, reply_to=reply_to
    )


def location_message(
    to: str,
    latitude: float,
    longitude: float,
    *,
    name: str | None = None,
    address: str | None = None,
    reply_to: str | None = None,
) -> Payload:
    if not -90.0 <= latitude <= 90.0:
        raise MessageValidationError(f"location.latitude: must be within -90..90 (got {latitude})")
    if not -180.0 <= longitude <= 180.0:
        raise MessageValidationError(
            f"location.longitude: must be within -180..180 (got {longitude})"
        )
    content: Payload = {"latitude": latitude, "longitude": longitude}
    if name is not None:
        content["name"] = name
    if address is not None:
        content["address"] = address
    return message_payload(to, "location", content, reply_to=reply_to)


def contacts_message(
    to: str, contacts: Sequence[Mapping[str, Any]], *, reply_to: str | None = None
) -> Payload:
    """Contact cards in Meta's shape (name, phones, emails, org, addresses, urls, birthday)."""
    check_count("contacts", contacts, CONTACTS_MAX, "contacts")
    for index, contact in enumerate(contacts):
        name = contact.get("name")
        formatted = name.get("formatted_name") if isinstance(name, Mapping) else None
        if not isinstance(formatted, str) or not formatted.strip():
            raise MessageValidationError(f"contacts[{index}].name.formatted_name: is required")
    return message_payload(to, "contacts", [dict(c) for c in contacts], reply_to=reply_to)


def reaction_message(to: str, message_id: str, emoji: str) -> Payload:
    """React to a message; an empty `emoji` removes an earlier reaction."""
    check_required("reaction.message_id", message_id)
    return message_payload(to, "reaction", {"message_id": message_id, "emoji": emoji})


def remove_reaction_message(to: str, message_id: str) -> Payload:
    return reaction_message(to, message_id, "")


def mark_read_payload(message_id: str, *, typing_indicator: bool = False) -> Payload:
    """Mark a received message read; with `typing_indicator` also show "typing…" (§6.9)."""
    check_required("message_id", message_id)
    payload: Payload = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
    if typing_indicator:
        payload["typing_indicator"] = {"type": "text"}
    return payload
