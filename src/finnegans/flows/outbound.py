"""Graph payloads for what nodes send, built with the shared builders in whatsapp/graph.

Every builder checks Meta's limits and raises `MessageValidationError`; the engine turns that
into an `errored` session naming the node, so a message Meta would refuse is never queued.
The only payload without a shared builder is the WhatsApp Flow message (reference §6.4 lists
`flow` among the interactive types); it is assembled here from the same envelope and limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from finnegans.whatsapp.graph.errors import MessageValidationError
from finnegans.whatsapp.graph.interactive import (
    ListRow,
    ListSection,
    ReplyButton,
    TextHeader,
    cta_url_message,
    list_message,
    reply_buttons_message,
)
from finnegans.whatsapp.graph.limits import (
    CTA_DISPLAY_TEXT_MAX,
    INTERACTIVE_BODY_MAX,
    INTERACTIVE_FOOTER_MAX,
    INTERACTIVE_HEADER_TEXT_MAX,
    REPLY_BUTTONS_MAX,
    check_required,
    check_text,
)
from finnegans.whatsapp.graph.messages import MediaRef, Payload, media_message, message_payload
from finnegans.whatsapp.graph.templates import (
    body_component,
    header_component,
    media_param,
    quick_reply_button,
    template_message,
    text_param,
    url_button,
)

DEFAULT_LIST_BUTTON = "Options"
FLOW_MESSAGE_VERSION = "3"


def option_id(index: int) -> str:
    return f"opt-{index}"


def choices_message(
    to: str,
    body: str,
    titles: Sequence[str],
    *,
    header: str | None = None,
    footer: str | None = None,
    button_text: str | None = None,
    as_list: bool = False,
) -> Payload:
    """Up to 3 choices as reply buttons, else (or when asked) a list message; ids `opt-<i>`."""
    text_header = TextHeader(header) if header else None
    if len(titles) <= REPLY_BUTTONS_MAX and not as_list:
        buttons = [ReplyButton(option_id(i), title) for i, title in enumerate(titles)]
        return reply_buttons_message(to, body, buttons, header=text_header, footer=footer)
    rows = [ListRow(option_id(i), title) for i, title in enumerate(titles)]
    return list_message(
        to,
        body,
        button_text or DEFAULT_LIST_BUTTON,
        [ListSection(rows=rows)],
        header=header,
        footer=footer,
    )


@dataclass(frozen=True)
class Row:
    title: str
    description: str | None = None


@dataclass(frozen=True)
class Section:
    title: str | None
    rows: Sequence[Row]


def sections_message(
    to: str,
    body: str,
    button: str,
    sections: Sequence[Section],
    *,
    header: str | None = None,
    footer: str | None = None,
) -> Payload:
    """A `list` node: row i (counted across sections) has the id `opt-<i>`."""
    built: list[ListSection] = []
    index = 0
    for section in sections:
        rows = []
        for row in section.rows:
            rows.append(ListRow(option_id(index), row.title, row.description or None))
            index += 1
        built.append(ListSection(rows=rows, title=section.title or None))
    return list_message(to, body, button, built, header=header, footer=footer)


def cta_message(
    to: str, body: str, label: str, url: str, *, header: str | None, footer: str | None
) -> Payload:
    text_header = TextHeader(header) if header else None
    return cta_url_message(to, body, label, url, header=text_header, footer=footer)


def media_ref(value: str) -> MediaRef:
    """An http(s) link, or else an uploaded media id."""
    if value.strip().lower().startswith(("http://", "https://")):
        return MediaRef.by_link(value.strip())
    return MediaRef.by_id(value.strip())


def media_payload(
    to: str,
    media_type: str,
    *,
    media_id: str | None,
    url: str | None,
    caption: str | None,
    filename: str | None,
) -> Payload:
    """By media id when there is one (the original preferred it), else by link."""
    if media_type not in ("image", "video", "audio", "document"):
        raise MessageValidationError(f"mediaType: unsupported {media_type!r}")
    if media_id:
        ref = MediaRef.by_id(media_id)
    elif url:
        ref = MediaRef.by_link(url)
    else:
        raise MessageValidationError("url: a media url or id is required")
    return media_message(
        to,
        media_type,  # type: ignore[arg-type]  # checked just above
        ref,
        caption=caption if caption and media_type != "audio" else None,
        filename=filename if filename and media_type == "document" else None,
    )


@dataclass(frozen=True)
class TemplateParameter:
    component: str  # body | header | button
    type: str  # text | image | video | document | payload
    value: str  # already rendered
    sub_type: str | None = None  # quick_reply | url (buttons)
    index: int | None = None  # button position 0..9


def _param(parameter: TemplateParameter) -> dict[str, Any]:
    if parameter.type in ("image", "video", "document"):
        return media_param(parameter.type, media_ref(parameter.value))  # type: ignore[arg-type]
    return text_param(parameter.value)


def template_components(parameters: Sequence[TemplateParameter]) -> list[dict[str, Any]]:
    """Group parameters by component (buttons also by index), in list order (docs §2)."""
    groups: dict[tuple[str, int | None], list[TemplateParameter]] = {}
    next_button = 0
    for parameter in parameters:
        component = parameter.component
        if component not in ("body", "header", "button"):
            raise MessageValidationError(f"parameters: unknown component {component!r}")
        index = None
        if component == "button":
            index = parameter.index if parameter.index is not None else next_button
            next_button = max(next_button, index + 1)
        groups.setdefault((component, index), []).append(parameter)
    components: list[dict[str, Any]] = []
    for (component, index), group in groups.items():
        if component == "header":
            components.append(header_component(_param(group[0])))
        elif component == "body":
            components.append(body_component(*(_param(p) for p in group)))
        else:
            first = group[0]
            assert index is not None  # noqa: S101 - buttons always get an index above
            if (first.sub_type or "quick_reply") == "url":
                button = url_button(index, first.value)
            else:
                button = quick_reply_button(index, first.value)
            components.append(button)
    return components


def template_payload(
    to: str, name: str, language: str, parameters: Sequence[TemplateParameter]
) -> Payload:
    return template_message(to, name, language, template_components(parameters))


def flow_payload(
    to: str,
    *,
    body: str,
    flow_id: str,
    cta: str,
    action: str = "navigate",
    screen: str | None = None,
    mode: str = "published",
    header: str | None = None,
    footer: str | None = None,
) -> Payload:
    """An interactive `flow` message that opens a published (or draft) WhatsApp Flow."""
    check_text("body.text", body, INTERACTIVE_BODY_MAX)
    check_required("action.parameters.flow_id", flow_id)
    check_text("action.parameters.flow_cta", cta, CTA_DISPLAY_TEXT_MAX)
    if action not in ("navigate", "data_exchange"):
        raise MessageValidationError(f"action.parameters.flow_action: unknown {action!r}")
    parameters: dict[str, Any] = {
        "flow_message_version": FLOW_MESSAGE_VERSION,
        "flow_id": flow_id,
        "flow_cta": cta,
        "flow_action": action,
    }
    if action == "navigate" and screen:
        parameters["flow_action_payload"] = {"screen": screen}
    if mode == "draft":
        parameters["mode"] = "draft"
    content: dict[str, Any] = {"type": "flow"}
    if header:
        check_text("header.text", header, INTERACTIVE_HEADER_TEXT_MAX)
        content["header"] = {"type": "text", "text": header}
    content["body"] = {"text": body}
    if footer:
        check_text("footer.text", footer, INTERACTIVE_FOOTER_MAX)
        content["footer"] = {"text": footer}
    content["action"] = {"name": "flow", "parameters": parameters}
    return message_payload(to, "interactive", content)
