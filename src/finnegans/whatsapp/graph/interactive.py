"""Interactive messages: reply buttons, lists and CTA URL buttons (reference §6.2 to §6.4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from finnegans.whatsapp.graph.errors import MessageValidationError
from finnegans.whatsapp.graph.limits import (
    CTA_DISPLAY_TEXT_MAX,
    INTERACTIVE_BODY_MAX,
    INTERACTIVE_FOOTER_MAX,
    INTERACTIVE_HEADER_TEXT_MAX,
    LIST_BODY_MAX,
    LIST_BUTTON_LABEL_MAX,
    LIST_ROW_DESCRIPTION_MAX,
    LIST_ROW_ID_MAX,
    LIST_ROW_TITLE_MAX,
    LIST_ROWS_TOTAL_MAX,
    LIST_SECTION_TITLE_MAX,
    LIST_SECTIONS_MAX,
    REPLY_BUTTON_ID_MAX,
    REPLY_BUTTON_TITLE_MAX,
    REPLY_BUTTONS_MAX,
    check_count,
    check_http_url,
    check_required,
    check_text,
    check_unique,
)
from finnegans.whatsapp.graph.messages import MediaRef, Payload, message_payload


@dataclass(frozen=True, slots=True)
class TextHeader:
    text: str


@dataclass(frozen=True, slots=True)
class MediaHeader:
    media_type: Literal["image", "video", "document"]
    media: MediaRef
    filename: str | None = None  # documents only


Header = TextHeader | MediaHeader


@dataclass(frozen=True, slots=True)
class ReplyButton:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class ListRow:
    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ListSection:
    rows: Sequence[ListRow]
    title: str | None = None  # required by Meta when there is more than one section


def _header_json(header: Header) -> Payload:
    if isinstance(header, TextHeader):
        check_text("header.text", header.text, INTERACTIVE_HEADER_TEXT_MAX)
        return {"type": "text", "text": header.text}
    media = header.media.to_json(f"header.{header.media_type}")
    if header.filename is not None:
        if header.media_type != "document":
            raise MessageValidationError("header.filename: only document headers have one")
        check_required("header.document.filename", header.filename)
        media["filename"] = header.filename
    return {"type": header.media_type, header.media_type: media}


def _interactive(
    to: str,
    kind: str,
    body: str,
    action: Payload,
    *,
    header: Header | None,
    footer: str | None,
    reply_to: str | None,
) -> Payload:
    content: Payload = {"type": kind}
    if header is not None:
        content["header"] = _header_json(header)
    content["body"] = {"text": body}
    if footer is not None:
        check_text("footer.text", footer, INTERACTIVE_FOOTER_MAX)
        content["footer"] = {"text": footer}
    content["action"] = action
    return message_payload(to, "interactive", content, reply_to=reply_to)


def reply_buttons_message(
    to: str,
    body: str,
    buttons: Sequence[ReplyButton],
    *,
    header: Header | None = None,
    footer: str | None = None,
    reply_to: str | None = None,
) -> Payload:
    """1 to 3 quick-reply buttons; a tap comes back as `interactive.button_reply {id,title}`."""
    check_text("body.text", body, INTERACTIVE_BODY_MAX)
    check_count("buttons", buttons, REPLY_BUTTONS_MAX, "reply buttons")
    for index, button in enumerate(buttons):
        check_text(f"buttons[{index}].title", button.title, REPLY_BUTTON_TITLE_MAX)
        check_text(f"buttons[{index}].id", button.id, REPLY_BUTTON_ID_MAX)
        if button.id != button.id.strip():
            raise MessageValidationError(
                f"buttons[{index}].id: no leading or trailing spaces allowed"
            )
    check_unique("buttons[].id", [b.id for b in buttons])
    check_unique("buttons[].title", [b.title for b in buttons])
    action: Payload = {
        "buttons": [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in buttons]
    }
    return _interactive(to, "button", body, action, header=header, footer=footer, reply_to=reply_to)


def list_message(
    to: str,
    body: str,
    button: str,
    sections: Sequence[ListSection],
    *,
    header: str | None = None,
    footer: str | None = None,
    reply_to: str | None = None,
) -> Payload:
    """A menu of up to 10 rows in up to 10 sections; lists only take a text header."""
    check_text("body.text", body, LIST_BODY_MAX)
    check_text("action.button", button, LIST_BUTTON_LABEL_MAX)
    check_count("sections", sections, LIST_SECTIONS_MAX, "sections")
    all_rows = [row for section in sections for row in section.rows]
    check_count("sections[].rows", all_rows, LIST_ROWS_TOTAL_MAX, "rows in total")
    sections_json: list[Payload] = []
    for s_index, section in enumerate(sections):
        field = f"sections[{s_index}]"
        check_text(f"{field}.title", section.title, LIST_SECTION_TITLE_MAX, required=False)
        if len(sections) > 1 and not section.title:
            raise MessageValidationError(f"{field}.title: is required when there are 2+ sections")
        check_count(f"{field}.rows", section.rows, LIST_ROWS_TOTAL_MAX, "rows")
        rows_json: list[Payload] = []
        for r_index, row in enumerate(section.rows):
            row_field = f"{field}.rows[{r_index}]"
            check_text(f"{row_field}.id", row.id, LIST_ROW_ID_MAX)
            check_text(f"{row_field}.title", row.title, LIST_ROW_TITLE_MAX)
            check_text(
                f"{row_field}.description",
                row.description,
                LIST_ROW_DESCRIPTION_MAX,
                required=False,
            )
            row_json: Payload = {"id": row.id, "title": row.title}
            if row.description:
                row_json["description"] = row.description
            rows_json.append(row_json)
        section_json: Payload = {"title": section.title} if section.title else {}
        section_json["rows"] = rows_json
        sections_json.append(section_json)
    check_unique("sections[].rows[].id", [row.id for row in all_rows])
    action: Payload = {"button": button, "sections": sections_json}
    text_header = TextHeader(header) if header is not None else None
    return _interactive(
        to, "list", body, action, header=text_header, footer=footer, reply_to=reply_to
    )


def cta_url_message(
    to: str,
    body: str,
    display_text: str,
    url: str,
    *,
    header: Header | None = None,
    footer: str | None = None,
    reply_to: str | None = None,
) -> Payload:
    """One button that opens a URL; Meta sends no webhook when it is tapped."""
    check_text("body.text", body, INTERACTIVE_BODY_MAX)
    check_text("action.parameters.display_text", display_text, CTA_DISPLAY_TEXT_MAX)
    check_http_url("action.parameters.url", url)
    action: Payload = {
        "name": "cta_url",
        "parameters": {"display_text": display_text, "url": url},
    }
    return _interactive(
        to, "cta_url", body, action, header=header, footer=footer, reply_to=reply_to
    )
