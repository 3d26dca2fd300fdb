"""Validation of `POST /{phone_number_id}/messages` bodies with Meta's limits (reference §6).

Codes: 100 for structural problems (bad JSON, unknown values of enums, wrong types),
131008 for a missing required parameter, 131009 for a value outside Meta's limits, 131051 for
an unknown message type. `details` always names the offending parameter path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from finnegans.whatsapp.emulator.errors import (
    GraphApiError,
    invalid_parameter,
    invalid_value,
    missing_parameter,
)

MESSAGE_TYPES = frozenset(
    {
        "text",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "reaction",
        "template",
    }
)
MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})
INTERACTIVE_TYPES = frozenset(
    {
        "button",
        "list",
        "cta_url",
        "flow",
        "product",
        "product_list",
        "catalog_message",
        "location_request_message",
        "address_message",
        "call_permission_request",
    }
)
TEXT_MAX = 4096
CAPTION_MAX = 1024
INTERACTIVE_BODY_MAX = 1024
HEADER_TEXT_MAX = 60
FOOTER_MAX = 60
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_BUTTON_MAX = 20
LIST_SECTIONS_MAX = 10
LIST_ROWS_MAX = 10
SECTION_TITLE_MAX = 24
ROW_ID_MAX = 200
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
CTA_DISPLAY_TEXT_MAX = 20
BIZ_OPAQUE_MAX = 512
_URL = re.compile(r"^https?://\S+$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-.]+$")


@dataclass
class SendRequest:
    kind: Literal["message", "read"]
    body: dict[str, Any]
    to: str | None = None  # the raw `to` input (echoed as contacts[].input)
    recipient: str | None = None  # a BSUID given as `recipient`
    type: str = "text"
    message_id: str | None = None  # mark-as-read target
    typing: bool = False

    @property
    def content(self) -> Any:
        return self.body.get(self.type)

    @property
    def context_id(self) -> str | None:
        context = self.body.get("context")
        return context.get("message_id") if isinstance(context, dict) else None


def normalise_phone(raw: str) -> str:
    return re.sub(r"\D", "", raw)


def _obj(parent: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = parent.get(key)
    if value is None:
        raise missing_parameter(path)
    if not isinstance(value, dict):
        raise invalid_parameter(f"Param {path} must be a JSON object.")
    return value


def _str(
    parent: dict[str, Any],
    key: str,
    path: str,
    *,
    max_len: int | None = None,
    required: bool = True,
) -> str | None:
    value = parent.get(key)
    if value is None:
        if required:
            raise missing_parameter(path)
        return None
    if not isinstance(value, str):
        raise invalid_parameter(f"Param {path} must be a string.")
    if required and not value.strip():
        raise invalid_value(f"Param {path} must be a non-empty string.")
    if max_len is not None and len(value) > max_len:
        raise invalid_value(
            f"Param {path} is too long: at most {max_len} characters allowed (got {len(value)})."
        )
    return value


def _list(parent: dict[str, Any], key: str, path: str, lo: int, hi: int) -> list[Any]:
    value = parent.get(key)
    if value is None:
        raise missing_parameter(path)
    if not isinstance(value, list):
        raise invalid_parameter(f"Param {path} must be an array.")
    if not lo <= len(value) <= hi:
        raise invalid_value(
            f"Param {path} must have between {lo} and {hi} elements (got {len(value)})."
        )
    return value


def _url(parent: dict[str, Any], key: str, path: str) -> None:
    value = _str(parent, key, path)
    if value is None or not _URL.match(value):
        raise invalid_value(f"Param {path} must be a valid http(s) URL.")


def parse_send(body: Any) -> SendRequest:
    """Check a send body; raise `GraphApiError` exactly where Meta would refuse it."""
    if not isinstance(body, dict):
        raise invalid_parameter("The request body must be a JSON object.")
    product = body.get("messaging_product")
    if product is None:
        raise GraphApiError(100, message="(#100) The parameter messaging_product is required.")
    if product != "whatsapp":
        raise invalid_parameter("Param messaging_product must be 'whatsapp'.")
    if "status" in body:
        return _parse_read(body)
    recipient_type = body.get("recipient_type", "individual")
    if recipient_type not in ("individual", "group"):
        raise invalid_parameter("Param recipient_type must be one of {individual, group}.")
    if recipient_type == "group":
        raise invalid_parameter("Groups are not enabled for this phone number.")
    to, recipient = body.get("to"), body.get("recipient")
    if to is None and recipient is None:
        raise GraphApiError(100, message="(#100) The parameter to is required.")
    if to is not None and (not isinstance(to, str) or not _PHONE_CHARS.match(to)):
        raise invalid_parameter("Param to must be a phone number (digits, optional +).")
    if recipient is not None and not isinstance(recipient, str):
        raise invalid_parameter("Param recipient must be a string.")
    msg_type = body.get("type", "text")
    if not isinstance(msg_type, str) or msg_type not in MESSAGE_TYPES:
        raise GraphApiError(131051, f"Message type '{msg_type}' is not supported.")
    context = body.get("context")
    if context is not None:
        if not isinstance(context, dict):
            raise invalid_parameter("Param context must be a JSON object.")
        _str(context, "message_id", "context.message_id")
    _str(
        body,
        "biz_opaque_callback_data",
        "biz_opaque_callback_data",
        max_len=BIZ_OPAQUE_MAX,
        required=False,
    )
    request = SendRequest("message", body, to=to, recipient=recipient, type=msg_type)
    _CHECKS[msg_type](body, msg_type)
    return request


def _parse_read(body: dict[str, Any]) -> SendRequest:
    if body.get("status") != "read":
        raise invalid_parameter("Param status must be 'read'.")
    message_id = _str(body, "message_id", "message_id")
    typing = body.get("typing_indicator")
    if typing is not None and (not isinstance(typing, dict) or typing.get("type") != "text"):
        raise invalid_parameter("Param typing_indicator['type'] must be 'text'.")
    return SendRequest("read", body, message_id=message_id, typing=typing is not None)


def _check_text(body: dict[str, Any], _: str) -> None:
    text = _obj(body, "text", "text")
    _str(text, "body", "text.body", max_len=TEXT_MAX)
    if "preview_url" in text and not isinstance(text["preview_url"], bool):
        raise invalid_parameter("Param text.preview_url must be a boolean.")


def _check_media_object(media: dict[str, Any], path: str, media_type: str) -> None:
    has_id, has_link = "id" in media, "link" in media
    if has_id == has_link:
        raise invalid_parameter(f"Param {path} must contain exactly one of 'id' or 'link'.")
    if has_id:
        _str(media, "id", f"{path}.id")
    else:
        _url(media, "link", f"{path}.link")
    if "caption" in media:
        if media_type not in ("image", "video", "document"):
            raise invalid_parameter(f"Param {path}.caption is not allowed for {media_type}.")
        _str(media, "caption", f"{path}.caption", max_len=CAPTION_MAX, required=False)
    if "filename" in media and media_type != "document":
        raise invalid_parameter(f"Param {path}.filename is only allowed for documents.")


def _check_media(body: dict[str, Any], media_type: str) -> None:
    _check_media_object(_obj(body, media_type, media_type), media_type, media_type)


def _check_location(body: dict[str, Any], _: str) -> None:
    location = _obj(body, "location", "location")
    for key, bound in (("latitude", 90.0), ("longitude", 180.0)):
        raw = location.get(key)
        if raw is None:
            raise missing_parameter(f"location.{key}")
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise invalid_value(f"Param location.{key} must be a number.") from None
        if not -bound <= value <= bound:
            raise invalid_value(f"Param location.{key} must be between -{bound} and {bound}.")


def _check_contacts(body: dict[str, Any], _: str) -> None:
    contacts = _list(body, "contacts", "contacts", 1, 257)
    for i, contact in enumerate(contacts):
        if not isinstance(contact, dict):
            raise invalid_parameter(f"Param contacts[{i}] must be a JSON object.")
        name = _obj(contact, "name", f"contacts[{i}].name")
        _str(name, "formatted_name", f"contacts[{i}].name.formatted_name")


def _check_reaction(body: dict[str, Any], _: str) -> None:
    reaction = _obj(body, "reaction", "reaction")
    _str(reaction, "message_id", "reaction.message_id")
    emoji = reaction.get("emoji")
    if emoji is None:
        raise missing_parameter("reaction.emoji")
    if not isinstance(emoji, str):
        raise invalid_parameter("Param reaction.emoji must be a string.")


def _check_template(body: dict[str, Any], _: str) -> None:
    template = _obj(body, "template", "template")
    _str(template, "name", "template.name")
    language = _obj(template, "language", "template.language")
    _str(language, "code", "template.language.code")
    components = template.get("components", [])
    if not isinstance(components, list):
        raise invalid_parameter("Param template.components must be an array.")
    for i, component in enumerate(components):
        if not isinstance(component, dict) or not isinstance(component.get("type"), str):
            raise invalid_parameter(f"Param template.components[{i}].type is required.")
        params = component.get("parameters", [])
        if not isinstance(params, list):
            raise invalid_parameter(f"Param template.components[{i}].parameters must be an array.")


def _check_interactive(body: dict[str, Any], _: str) -> None:
    interactive = _obj(body, "interactive", "interactive")
    kind = _str(interactive, "type", "interactive.type")
    if kind not in INTERACTIVE_TYPES:
        raise invalid_parameter(
            f"Param interactive.type must be one of {{{', '.join(sorted(INTERACTIVE_TYPES))}}}."
        )
    needs_body = kind in ("button", "list", "cta_url", "flow", "product_list", "catalog_message")
    if needs_body or "body" in interactive:
        _str(
            _obj(interactive, "body", "interactive.body"),
            "text",
            "interactive.body.text",
            max_len=INTERACTIVE_BODY_MAX,
        )
    if "footer" in interactive:
        footer = _obj(interactive, "footer", "interactive.footer")
        _str(footer, "text", "interactive.footer.text", max_len=FOOTER_MAX)
    if "header" in interactive:
        _check_header(_obj(interactive, "header", "interactive.header"), kind)
    action = _obj(interactive, "action", "interactive.action")
    if kind == "button":
        _check_buttons(action)
    elif kind == "list":
        _check_list(action)
    elif kind == "cta_url":
        if action.get("name") != "cta_url":
            raise invalid_parameter("Param interactive.action.name must be 'cta_url'.")
        params = _obj(action, "parameters", "interactive.action.parameters")
        _str(
            params,
            "display_text",
            "interactive.action.parameters.display_text",
            max_len=CTA_DISPLAY_TEXT_MAX,
        )
        _url(params, "url", "interactive.action.parameters.url")
    elif kind == "flow":
        if action.get("name") != "flow":
            raise invalid_parameter("Param interactive.action.name must be 'flow'.")
        params = _obj(action, "parameters", "interactive.action.parameters")
        _str(params, "flow_cta", "interactive.action.parameters.flow_cta", max_len=30)
        if "flow_id" not in params and "flow_name" not in params:
            raise missing_parameter("interactive.action.parameters.flow_id")


def _check_header(header: dict[str, Any], kind: str) -> None:
    header_type = _str(header, "type", "interactive.header.type")
    allowed = ("text",) if kind == "list" else ("text", "image", "video", "document")
    if header_type not in allowed:
        raise invalid_parameter(
            f"Param interactive.header.type must be one of {{{', '.join(allowed)}}} for {kind}."
        )
    if header_type == "text":
        _str(header, "text", "interactive.header.text", max_len=HEADER_TEXT_MAX)
    else:
        path = f"interactive.header.{header_type}"
        _check_media_object(_obj(header, str(header_type), path), path, str(header_type))


def _check_buttons(action: dict[str, Any]) -> None:
    buttons = _list(action, "buttons", "interactive.action.buttons", 1, BUTTONS_MAX)
    ids: set[str] = set()
    titles: set[str] = set()
    for i, button in enumerate(buttons):
        path = f"interactive.action.buttons[{i}]"
        if not isinstance(button, dict):
            raise invalid_parameter(f"Param {path} must be a JSON object.")
        if button.get("type") != "reply":
            raise invalid_parameter(f"Param {path}.type must be 'reply'.")
        reply = _obj(button, "reply", f"{path}.reply")
        button_id = _str(reply, "id", f"{path}.reply.id", max_len=BUTTON_ID_MAX)
        title = _str(reply, "title", f"{path}.reply.title", max_len=BUTTON_TITLE_MAX)
        if button_id in ids or title in titles:
            raise invalid_value(f"Param {path}.reply: button ids and titles must be unique.")
        ids.add(str(button_id))
        titles.add(str(title))


def _check_list(action: dict[str, Any]) -> None:
    _str(action, "button", "interactive.action.button", max_len=LIST_BUTTON_MAX)
    sections = _list(action, "sections", "interactive.action.sections", 1, LIST_SECTIONS_MAX)
    row_ids: set[str] = set()
    total = 0
    for i, section in enumerate(sections):
        path = f"interactive.action.sections[{i}]"
        if not isinstance(section, dict):
            raise invalid_parameter(f"Param {path} must be a JSON object.")
        _str(
            section, "title", f"{path}.title", max_len=SECTION_TITLE_MAX, required=len(sections) > 1
        )
        rows = _list(section, "rows", f"{path}.rows", 1, LIST_ROWS_MAX)
        total += len(rows)
        if total > LIST_ROWS_MAX:
            all_rows = sum(len(s.get("rows") or []) for s in sections if isinstance(s, dict))
            raise invalid_value(
                "Param interactive.action.sections: total row count exceeds the maximum of "
                f"{LIST_ROWS_MAX} (got {all_rows})."
            )
        for j, row in enumerate(rows):
            row_path = f"{path}.rows[{j}]"
            if not isinstance(row, dict):
                raise invalid_parameter(f"Param {row_path} must be a JSON object.")
            row_id = _str(row, "id", f"{row_path}.id", max_len=ROW_ID_MAX)
            _str(row, "title", f"{row_path}.title", max_len=ROW_TITLE_MAX)
            _str(
                row,
                "description",
                f"{row_path}.description",
                max_len=ROW_DESCRIPTION_MAX,
                required=False,
            )
            if row_id in row_ids:
                raise invalid_value(f"Param {row_path}.id must be unique across sections.")
            row_ids.add(str(row_id))


_CHECKS = {
    "text": _check_text,
    "image": _check_media,
    "audio": _check_media,
    "video": _check_media,
    "document": _check_media,
    "sticker": _check_media,
    "location": _check_location,
    "contacts": _check_contacts,
    "interactive": _check_interactive,
    "reaction": _check_reaction,
    "template": _check_template,
}
