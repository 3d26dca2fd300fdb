"""Templates: checking template sends against the WABA's templates, and managing them."""

from __future__ import annotations

import re
from typing import Any

from finnegans.whatsapp.emulator.errors import GraphApiError, invalid_parameter, invalid_value
from finnegans.whatsapp.emulator.ids import new_numeric_id
from finnegans.whatsapp.emulator.state import Template

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
CATEGORIES = frozenset({"MARKETING", "UTILITY", "AUTHENTICATION"})
_MEDIA_FORMATS = frozenset({"IMAGE", "VIDEO", "DOCUMENT", "LOCATION"})


def _component(template: Template, kind: str) -> dict[str, Any] | None:
    return next((c for c in template.components if str(c.get("type")).upper() == kind), None)


def _expected(template: Template, kind: str) -> list[str]:
    component = _component(template, kind)
    if component is None:
        return []
    if kind == "HEADER" and str(component.get("format", "TEXT")).upper() in _MEDIA_FORMATS:
        return ["media"]
    return _PLACEHOLDER.findall(str(component.get("text", "")))


def check_template_send(
    template: Template | None, name: str, language: str, sent: dict[str, Any]
) -> None:
    """132001 for an unknown/unapproved template, 132000 for a parameter count mismatch."""
    if template is None or template.status != "APPROVED":
        raise GraphApiError(132001, f"template name ({name}) does not exist in {language}")
    given: dict[str, list[Any]] = {"HEADER": [], "BODY": []}
    for component in sent.get("components") or []:
        kind = str(component.get("type", "")).upper()
        if kind in given:
            given[kind] = list(component.get("parameters") or [])
    for kind in ("HEADER", "BODY"):
        expected, params = _expected(template, kind), given[kind]
        if len(expected) != len(params):
            raise GraphApiError(
                132000,
                f"{kind.lower()}: number of localizable_params ({len(params)}) does not match "
                f"the expected number of params ({len(expected)})",
            )
        if template.parameter_format == "NAMED" and kind == "BODY":
            names = {p.get("parameter_name") for p in params if isinstance(p, dict)}
            if names != set(expected):
                raise invalid_parameter(
                    "Param template.components[body].parameters: parameter_name is required "
                    f"and must match the template's named parameters {sorted(expected)}."
                )


def _param_text(param: Any) -> str:
    if not isinstance(param, dict):
        return ""
    kind = param.get("type")
    if kind == "text":
        return str(param.get("text", ""))
    if kind in ("currency", "date_time"):
        inner = param.get(kind)
        return str(inner.get("fallback_value", "")) if isinstance(inner, dict) else ""
    return ""


def render_template(template: Template, sent: dict[str, Any]) -> dict[str, Any]:
    """What the customer's phone shows: header/body/footer text and button labels."""
    params: dict[str, list[Any]] = {}
    for component in sent.get("components") or []:
        params[str(component.get("type", "")).upper()] = list(component.get("parameters") or [])

    def fill(kind: str) -> str | None:
        component = _component(template, kind)
        if component is None or "text" not in component:
            return None
        values = params.get(kind, [])
        names = _PLACEHOLDER.findall(str(component["text"]))
        mapping: dict[str, str] = {}
        for i, name in enumerate(names):
            named = next(
                (p for p in values if isinstance(p, dict) and p.get("parameter_name") == name),
                None,
            )
            mapping[name] = _param_text(named if named else values[i] if i < len(values) else {})
        return _PLACEHOLDER.sub(lambda m: mapping.get(m.group(1), m.group(0)), component["text"])

    buttons = _component(template, "BUTTONS")
    return {
        "header": fill("HEADER"),
        "body": fill("BODY") or "",
        "footer": fill("FOOTER"),
        "buttons": [
            {"type": b.get("type"), "text": b.get("text")}
            for b in (buttons.get("buttons", []) if buttons else [])
            if isinstance(b, dict)
        ],
    }


def quick_reply_payload(sent: dict[str, Any], template: Template | None, index: int) -> str:
    """A tapped quick reply's payload: the one set in the send, else the button label."""
    for component in sent.get("components") or []:
        if (
            str(component.get("type", "")).lower() == "button"
            and str(component.get("index")) == str(index)
            and component.get("parameters")
        ):
            return str(component["parameters"][0].get("payload", ""))
    return quick_reply_label(template, index)


def quick_reply_label(template: Template | None, index: int) -> str:
    buttons = _component(template, "BUTTONS") if template else None
    items = buttons.get("buttons", []) if buttons else []
    return str(items[index].get("text", "")) if 0 <= index < len(items) else ""


def new_template(body: Any, existing: list[Template]) -> Template:
    """Validate `POST /{waba_id}/message_templates`; the new template starts PENDING."""
    if not isinstance(body, dict):
        raise invalid_parameter("The request body must be a JSON object.")
    name, language, category = body.get("name"), body.get("language"), body.get("category")
    if not isinstance(name, str) or not _NAME.match(name):
        raise invalid_parameter("Param name must be lowercase letters, digits and underscores.")
    if not isinstance(language, str) or not language:
        raise GraphApiError(100, message="(#100) The parameter language is required.")
    if not isinstance(category, str) or category.upper() not in CATEGORIES:
        raise invalid_parameter(
            "Param category must be one of {AUTHENTICATION, MARKETING, UTILITY}."
        )
    components = body.get("components")
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        raise GraphApiError(100, message="(#100) The parameter components is required.")
    body_component = next((c for c in components if str(c.get("type")).upper() == "BODY"), None)
    if body_component is None:
        raise invalid_parameter("Param components must contain a BODY component.")
    if len(str(body_component.get("text", ""))) > 1024:
        raise invalid_value("Param components[BODY].text must be at most 1024 characters.")
    if any(t.name == name and t.language == language for t in existing):
        raise GraphApiError(
            100,
            f"There is already {language} content for this template.",
            subcode=2388024,
        )
    return Template(
        id=new_numeric_id(),
        name=name,
        language=language,
        category=category.upper(),
        status="PENDING",
        components=components,
        parameter_format=str(body.get("parameter_format", "POSITIONAL")).upper(),
    )
