"""Template sends (reference §6.8): the only messages allowed outside the 24-hour window.

Components and parameters are plain dicts in Meta's shape; the helpers below build the common
ones so callers don't hand-write `{"type": "currency", "currency": {...}}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from finnegans.whatsapp.graph.errors import MessageValidationError
from finnegans.whatsapp.graph.limits import TEMPLATE_BUTTONS_MAX, check_required
from finnegans.whatsapp.graph.messages import MediaRef, Payload, message_payload


def _named(param: Payload, name: str | None) -> Payload:
    # Named templates ({{first_name}}) need parameter_name on every parameter; Meta answers
    # "(#100) Invalid parameter" without it. Positional templates ({{1}}) must omit it.
    if name is None:
        return param
    check_required("parameter_name", name)
    return {"type": param["type"], "parameter_name": name, **param}


def text_param(text: str, *, name: str | None = None) -> Payload:
    if text is None or text == "":
        raise MessageValidationError("parameters[].text: is required")
    return _named({"type": "text", "text": text}, name)


def currency_param(
    fallback_value: str, code: str, amount_1000: int, *, name: str | None = None
) -> Payload:
    """`amount_1000` is the amount times 1000 (e.g. 12.34 USD → 12340)."""
    check_required("currency.fallback_value", fallback_value)
    if len(code) != 3 or not code.isalpha():
        raise MessageValidationError(f"currency.code: an ISO 4217 code expected (got {code!r})")
    currency = {"fallback_value": fallback_value, "code": code.upper(), "amount_1000": amount_1000}
    return _named({"type": "currency", "currency": currency}, name)


def date_time_param(fallback_value: str, *, name: str | None = None) -> Payload:
    check_required("date_time.fallback_value", fallback_value)
    return _named({"type": "date_time", "date_time": {"fallback_value": fallback_value}}, name)


def media_param(
    media_type: Literal["image", "video", "document"],
    media: MediaRef,
    *,
    filename: str | None = None,
) -> Payload:
    """A media header parameter (document headers are PDF only on Meta's side)."""
    content = media.to_json(f"header.{media_type}")
    if filename is not None:
        if media_type != "document":
            raise MessageValidationError("header.filename: only document headers have one")
        content["filename"] = filename
    return {"type": media_type, media_type: content}


def location_param(
    latitude: float, longitude: float, *, name: str | None = None, address: str | None = None
) -> Payload:
    location: Payload = {"latitude": latitude, "longitude": longitude}
    if name is not None:
        location["name"] = name
    if address is not None:
        location["address"] = address
    return {"type": "location", "location": location}


def header_component(parameter: Payload) -> Payload:
    """A header takes a single parameter: text, media or location."""
    return {"type": "header", "parameters": [parameter]}


def body_component(*parameters: Payload) -> Payload:
    named = ["parameter_name" in p for p in parameters]
    if any(named) and not all(named):
        raise MessageValidationError(
            "body.parameters: use either all named or all positional parameters"
        )
    return {"type": "body", "parameters": list(parameters)}


def quick_reply_button(index: int, payload: str) -> Payload:
    """The payload comes back in the user's `button` message when they tap it."""
    check_required(f"buttons[{index}].payload", payload)
    return _button("quick_reply", index, [{"type": "payload", "payload": payload}])


def url_button(index: int, suffix: str) -> Payload:
    """`suffix` replaces the {{1}} at the end of a dynamic URL button."""
    check_required(f"buttons[{index}].text", suffix)
    return _button("url", index, [{"type": "text", "text": suffix}])


def _button(sub_type: str, index: int, parameters: list[Payload]) -> Payload:
    if not 0 <= index < TEMPLATE_BUTTONS_MAX:
        raise MessageValidationError(
            f"buttons.index: must be within 0..{TEMPLATE_BUTTONS_MAX - 1} (got {index})"
        )
    # Meta wants the position as a string.
    return {"type": "button", "sub_type": sub_type, "index": str(index), "parameters": parameters}


def template_message(
    to: str,
    name: str,
    language: str,
    components: Sequence[Mapping[str, Any]] = (),
    *,
    reply_to: str | None = None,
) -> Payload:
    """Send an approved template; `language` must match an approved translation (e.g. en_US)."""
    check_required("template.name", name)
    check_required("template.language.code", language)
    indexes = [str(c.get("index")) for c in components if c.get("type") == "button"]
    if len(indexes) != len(set(indexes)):
        raise MessageValidationError("template.components: button indexes must be unique")
    template: Payload = {"name": name, "language": {"code": language}}
    if components:
        template["components"] = [dict(c) for c in components]
    return message_payload(to, "template", template, reply_to=reply_to)
