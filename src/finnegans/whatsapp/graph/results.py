"""What the Graph API answers, parsed defensively: Meta's shapes vary between versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import httpx

from finnegans.whatsapp.graph.errors import GraphError


@dataclass(frozen=True, slots=True)
class SendResult:
    """Meta accepted the message (accepted ≠ delivered: statuses arrive by webhook)."""

    wamid: str
    input: str | None  # what we sent in "to", echoed
    wa_id: str | None  # normalised WhatsApp id; may differ from input (Brazil, Mexico)
    message_status: str | None = None  # template pacing: accepted | held_for_quality_assessment


class MediaInfo(NamedTuple):
    url: str  # expires after 5 minutes; download with the bearer token
    mime_type: str
    sha256: str
    file_size: int | None
    id: str


class TemplateCreated(NamedTuple):
    id: str
    status: str  # usually PENDING; the verdict arrives as message_template_status_update
    category: str


def json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise GraphError(
            http_status=response.status_code, code=None, message="Graph answer is not a JSON object"
        )
    return body


def send_result(response: httpx.Response) -> SendResult | None:
    try:
        body = response.json()
    except ValueError:
        return None
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not messages or not isinstance(messages[0], dict):
        return None
    wamid = messages[0].get("id")
    if not isinstance(wamid, str) or not wamid:
        return None
    contacts = body.get("contacts")
    contact = contacts[0] if isinstance(contacts, list) and contacts else {}
    contact = contact if isinstance(contact, dict) else {}
    status = messages[0].get("message_status")
    return SendResult(
        wamid=wamid,
        input=contact.get("input"),
        wa_id=contact.get("wa_id"),
        message_status=status if isinstance(status, str) else None,
    )


def media_info(body: dict[str, Any], media_id: str) -> MediaInfo:
    size = body.get("file_size")  # a string in the OpenAPI file, a number in older answers
    if "url" not in body:
        raise GraphError(http_status=200, code=None, message="media answer has no url")
    return MediaInfo(
        url=str(body["url"]),
        mime_type=str(body.get("mime_type", "")),
        sha256=str(body.get("sha256", "")),
        file_size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
        id=str(body.get("id", media_id)),
    )
