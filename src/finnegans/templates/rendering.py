"""What a template needs, and what it looks like and sends once filled in. Pure: no database.

Shared by the inbox, the preview endpoint and, later, broadcasts and flows. A template's
parameters are addressed by *keys* a form can show and a caller can fill:

* ``body.1`` / ``body.first_name``   a body placeholder (positional ``{{1}}`` or named)
* ``header.1`` / ``header.name``     a text header placeholder
* ``header.image`` (``video``, ``document``, ``location``) a media or location header
* ``button.0``                        the URL suffix of the dynamic URL button at index 0

Values are plain strings the caller has already rendered (a broadcast fills
``{{contact.name}}`` itself, per recipient), so ``prepare`` once and call ``graph_template``
for every recipient without re-reading the components.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from finnegans.whatsapp.graph.errors import MessageValidationError
from finnegans.whatsapp.graph.messages import MediaRef, Payload
from finnegans.whatsapp.graph.templates import (
    body_component,
    header_component,
    location_param,
    media_param,
    text_param,
    url_button,
)

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
MEDIA_FORMATS = ("image", "video", "document")
_MEDIA_ID = re.compile(r"^[0-9]{1,64}$")
_LATLNG = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
TEXT_PARAM_MAX = 1024  # Meta refuses longer body parameter values

ParamType = Literal["text", "image", "video", "document", "location"]
Component = Literal["header", "body", "button"]


@dataclass(frozen=True, slots=True)
class TemplateDefinition:
    """The parts of a stored template that rendering needs (components as Meta returns them)."""

    name: str
    language: str
    components: Sequence[Mapping[str, Any]]
    parameter_format: str = "positional"  # or "named"


@dataclass(frozen=True, slots=True)
class Parameter:
    key: str
    component: Component
    name: str  # the placeholder ("1", "first_name"), the media format, or the button index
    type: ParamType
    example: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}"


class ParameterProblems(ValueError):
    """The given parameters do not fit the template; `problems` names each one."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    def fields(self) -> dict[str, str]:
        return {f"parameters.{p.key}": p.reason for p in self.problems}


@dataclass(frozen=True, slots=True)
class RenderedButton:
    type: str  # QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, ...
    text: str
    url: str | None = None
    phone_number: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """What the customer's phone shows; unfilled placeholders stay visible as {{name}}."""

    header: str | None = None
    header_media: dict[str, str] | None = None  # {"type": "image", "link" | "id": ...}
    body: str = ""
    footer: str | None = None
    buttons: list[RenderedButton] = field(default_factory=list)


def placeholders(text: str) -> list[str]:
    """The distinct placeholder names in order of first appearance."""
    seen: list[str] = []
    for name in PLACEHOLDER.findall(text):
        if name not in seen:
            seen.append(name)
    return seen


def is_named(names: Sequence[str]) -> bool:
    return any(not n.isdigit() for n in names)


def _component(components: Sequence[Mapping[str, Any]], kind: str) -> Mapping[str, Any] | None:
    return next((c for c in components if str(c.get("type", "")).upper() == kind), None)


def _ordered(names: list[str]) -> list[str]:
    # Positional parameters are sent in the order of their numbers, not of their appearance.
    return sorted(names, key=int) if names and not is_named(names) else names


def _examples(component: Mapping[str, Any], kind: str, names: list[str]) -> dict[str, str]:
    example = component.get("example")
    if not isinstance(example, Mapping):
        return {}
    named = example.get(f"{kind}_text_named_params")
    if isinstance(named, list):
        return {
            str(item.get("param_name")): str(item.get("example"))
            for item in named
            if isinstance(item, Mapping) and item.get("param_name") is not None
        }
    values = example.get(f"{kind}_text")
    if kind == "body" and isinstance(values, list) and values and isinstance(values[0], list):
        values = values[0]  # body_text is a list of example rows
    if not isinstance(values, list):
        return {}
    return {name: str(values[i]) for i, name in enumerate(names) if i < len(values)}


def _text_parameters(component: Mapping[str, Any] | None, kind: Component) -> list[Parameter]:
    if component is None:
        return []
    names = _ordered(placeholders(str(component.get("text") or "")))
    examples = _examples(component, kind, names)
    return [Parameter(f"{kind}.{n}", kind, n, "text", examples.get(n)) for n in names]


def _header_parameters(header: Mapping[str, Any] | None) -> list[Parameter]:
    if header is None:
        return []
    fmt = str(header.get("format") or "TEXT").lower()
    if fmt in (*MEDIA_FORMATS, "location"):
        example = header.get("example")
        handles = example.get("header_handle") if isinstance(example, Mapping) else None
        sample = str(handles[0]) if isinstance(handles, list) and handles else None
        return [Parameter(f"header.{fmt}", "header", fmt, fmt, sample)]  # type: ignore[arg-type]
    return _text_parameters(header, "header")


def _buttons(components: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    block = _component(components, "BUTTONS")
    items = block.get("buttons") if block is not None else None
    return [b for b in items if isinstance(b, Mapping)] if isinstance(items, list) else []


def _button_parameters(components: Sequence[Mapping[str, Any]]) -> list[Parameter]:
    found: list[Parameter] = []
    for index, button in enumerate(_buttons(components)):
        if str(button.get("type", "")).upper() == "URL" and PLACEHOLDER.search(
            str(button.get("url") or "")
        ):
            example = button.get("example")
            sample = example[0] if isinstance(example, list) and example else example
            found.append(Parameter(f"button.{index}", "button", str(index), "text",
                                   str(sample) if sample else None))  # fmt: skip
    return found


def _substitute(text: str, kind: str, values: Mapping[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        value = values.get(f"{kind}.{match.group(1)}")
        return value if value else match.group(0)

    return PLACEHOLDER.sub(fill, text)


def _fill_url(url: str, suffix: str | None) -> str:
    # A function, not a replacement string: a suffix may hold backslashes.
    return PLACEHOLDER.sub(lambda match: suffix or match.group(0), url)


def _media_ref(value: str) -> MediaRef:
    value = value.strip()
    return MediaRef.by_id(value) if _MEDIA_ID.match(value) else MediaRef.by_link(value)


class PreparedTemplate:
    """A template read once; check, render and build sends for any number of recipients."""

    def __init__(self, definition: TemplateDefinition) -> None:
        self.definition = definition
        components = list(definition.components)
        self._header = _component(components, "HEADER")
        self._body = _component(components, "BODY")
        self._footer = _component(components, "FOOTER")
        self._buttons = _buttons(components)
        self.parameters: list[Parameter] = [
            *_header_parameters(self._header),
            *_text_parameters(self._body, "body"),
            *_button_parameters(components),
        ]
        self.named = definition.parameter_format.lower() == "named" or is_named(
            [p.name for p in self.parameters if p.component != "button" and p.type == "text"]
        )
        self._by_key = {p.key: p for p in self.parameters}

    # ----- checking ----------------------------------------------------------------------

    def check(self, values: Mapping[str, str]) -> list[Problem]:
        """Every missing, empty, unknown or malformed parameter, in the template's order."""
        problems: list[Problem] = []
        for param in self.parameters:
            value = values.get(param.key)
            if value is None:
                problems.append(Problem(param.key, "missing"))
            elif not str(value).strip():
                problems.append(Problem(param.key, "must not be empty"))
            else:
                reason = _invalid(param, str(value))
                if reason:
                    problems.append(Problem(param.key, reason))
        problems.extend(
            Problem(key, "not a parameter of this template")
            for key in values
            if key not in self._by_key
        )
        return problems

    def values_from_components(self, components: Sequence[Mapping[str, Any]]) -> dict[str, str]:
        """Read Graph send components (as an API client wrote them) back into keyed values."""
        values: dict[str, str] = {}
        ordered = {
            kind: [p.name for p in self.parameters if p.component == kind and p.type == "text"]
            for kind in ("header", "body")
        }
        for component in components:
            kind = str(component.get("type", "")).lower()
            params = [p for p in component.get("parameters") or [] if isinstance(p, Mapping)]
            if kind in ("header", "body"):
                for i, param in enumerate(params):
                    ptype = str(param.get("type", ""))
                    if kind == "header" and ptype in (*MEDIA_FORMATS, "location"):
                        values[f"header.{ptype}"] = _media_value(param, ptype)
                        continue
                    names = ordered[kind]
                    name = param.get("parameter_name") or (
                        names[i] if i < len(names) else str(i + 1)
                    )
                    values[f"{kind}.{name}"] = _text_value(param)
            elif kind == "button" and str(component.get("sub_type", "")).lower() == "url":
                values[f"button.{component.get('index')}"] = (
                    _text_value(params[0]) if params else ""
                )
        return values

    # ----- output -------------------------------------------------------------------------

    def render(self, values: Mapping[str, str]) -> Rendered:
        header_text: str | None = None
        header_media: dict[str, str] | None = None
        if self._header is not None:
            fmt = str(self._header.get("format") or "TEXT").lower()
            value = values.get(f"header.{fmt}")
            if fmt in MEDIA_FORMATS:
                ref = _media_ref(value) if value else None
                header_media = {"type": fmt}
                if ref is not None:
                    header_media |= {"id": ref.id} if ref.id else {"link": str(ref.link)}
            elif fmt == "location":
                header_media = {"type": "location", **({"location": value} if value else {})}
            else:
                header_text = _substitute(str(self._header.get("text") or ""), "header", values)
        buttons = []
        for index, button in enumerate(self._buttons):
            url = button.get("url")
            suffix = values.get(f"button.{index}")
            buttons.append(RenderedButton(
                type=str(button.get("type", "")).upper(), text=str(button.get("text") or ""),
                url=_fill_url(str(url), suffix) if url else None,
                phone_number=str(button["phone_number"]) if button.get("phone_number") else None,
            ))  # fmt: skip
        return Rendered(
            header=header_text,
            header_media=header_media,
            body=_substitute(str((self._body or {}).get("text") or ""), "body", values),
            footer=str(self._footer.get("text")) if self._footer and self._footer.get("text")
            else None,
            buttons=buttons,
        )  # fmt: skip

    def graph_components(self, values: Mapping[str, str]) -> list[Payload]:
        """The send's `components`; raises ParameterProblems before building anything."""
        problems = self.check(values)
        if problems:
            raise ParameterProblems(problems)
        components: list[Payload] = []
        try:
            header = [p for p in self.parameters if p.component == "header"]
            if header:
                components.append(header_component(self._param(header[0], values[header[0].key])))
            body = [self._param(p, values[p.key]) for p in self.parameters if p.component == "body"]
            if body:
                components.append(body_component(*body))
            for param in self.parameters:
                if param.component == "button":
                    components.append(url_button(int(param.name), values[param.key]))
        except MessageValidationError as exc:
            raise ParameterProblems([Problem("template", str(exc))]) from exc
        return components

    def graph_template(self, values: Mapping[str, str]) -> Payload:
        """The exact `template` object of a Graph send: `{name, language: {code}, components}`."""
        template: Payload = {
            "name": self.definition.name,
            "language": {"code": self.definition.language},
        }
        components = self.graph_components(values)
        if components:  # as graph.templates.template_message: no empty list
            template["components"] = components
        return template

    def _param(self, param: Parameter, value: str) -> Payload:
        if param.type in MEDIA_FORMATS:
            return media_param(param.type, _media_ref(value))  # type: ignore[arg-type]
        if param.type == "location":
            match = _LATLNG.match(value)
            assert match is not None  # noqa: S101 - check() refused anything else
            return location_param(float(match.group(1)), float(match.group(2)))
        return text_param(value, name=param.name if self.named else None)


def prepare(definition: TemplateDefinition) -> PreparedTemplate:
    return PreparedTemplate(definition)


def _invalid(param: Parameter, value: str) -> str | None:
    if param.type in MEDIA_FORMATS:
        if _MEDIA_ID.match(value.strip()) or re.match(r"^https?://\S+$", value.strip()):
            return None
        return f"an http(s) link or an uploaded media id of the {param.type} expected"
    if param.type == "location":
        return None if _LATLNG.match(value) else '"latitude,longitude" expected'
    if len(value) > TEXT_PARAM_MAX:
        return f"at most {TEXT_PARAM_MAX} characters (got {len(value)})"
    if param.component == "body" and ("\n" in value or "\t" in value or "    " in value):
        # Meta answers 132018 for these inside body parameters.
        return "no new lines, tabs or more than 3 consecutive spaces"
    return None


def _text_value(param: Mapping[str, Any]) -> str:
    ptype = param.get("type")
    if ptype == "text":
        return str(param.get("text") or "")
    if ptype in ("currency", "date_time"):
        inner = param.get(ptype)
        return str(inner.get("fallback_value") or "") if isinstance(inner, Mapping) else ""
    return str(param.get("text") or param.get("payload") or "")


def _media_value(param: Mapping[str, Any], ptype: str) -> str:
    inner = param.get(ptype)
    if not isinstance(inner, Mapping):
        return ""
    if ptype == "location":
        return f"{inner.get('latitude')},{inner.get('longitude')}"
    return str(inner.get("id") or inner.get("link") or "")
