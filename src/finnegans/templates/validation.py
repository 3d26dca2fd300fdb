"""Meta's rules for a new template, checked before the Graph call so the answer names the field.

Shape and lengths are the schema's job (schemas.py); this module holds the rules that span
fields: one component of each kind, placeholders numbered 1..n or all named, an example for
every placeholder, a URL button's variable only at the end of its URL.
"""

from __future__ import annotations

import re
from typing import Any

from finnegans.kit.errors import BadRequest
from finnegans.templates.rendering import PLACEHOLDER, is_named, placeholders
from finnegans.templates.schemas import BodyIn, ButtonsIn, FooterIn, HeaderIn, TemplateCreateIn

_NAMED = re.compile(r"^[a-z][a-z0-9_]*$")
_URL = re.compile(r"^https?://[^\s{}]+", re.IGNORECASE)
MAX_QUICK_REPLIES = 10
MAX_URL_BUTTONS = 2
MAX_PHONE_BUTTONS = 1


def _fail(field: str, reason: str) -> BadRequest:
    return BadRequest(f"{field}: {reason}", fields={field: reason})


def _check_placeholders(field: str, text: str) -> list[str]:
    names = placeholders(text)
    if not names:
        return names
    if is_named(names):
        bad = [n for n in names if not _NAMED.match(n)]
        if bad:
            raise _fail(field, f"{{{{{bad[0]}}}}}: use either numbers ({{{{1}}}}) or lowercase "
                        "names (letters, digits, _) for every placeholder")  # fmt: skip
    elif sorted(int(n) for n in names) != list(range(1, len(names) + 1)):
        raise _fail(field, "positional placeholders must be numbered {{1}}, {{2}}, ... in order")
    if text.strip().startswith("{{") or text.strip().endswith("}}"):
        raise _fail(field, "must not start or end with a placeholder (Meta rejects it)")
    if re.search(r"\}\}\s*\{\{", text):
        raise _fail(field, "placeholders need text between them (Meta rejects {{1}}{{2}})")
    return names


def _check_examples(
    field: str, kind: str, names: list[str], example: dict[str, Any] | None
) -> None:
    if not names:
        return
    example = example or {}
    if is_named(names):
        given = example.get(f"{kind}_text_named_params")
        found = {
            str(i.get("param_name")): i.get("example") for i in given or [] if isinstance(i, dict)
        }
        missing = [n for n in names if not str(found.get(n) or "").strip()]
        if not isinstance(given, list) or missing:
            raise _fail(f"{field}.example", f"{kind}_text_named_params needs an example for "
                        + ", ".join(f"{{{{{n}}}}}" for n in missing or names))  # fmt: skip
        return
    values = example.get(f"{kind}_text")
    if kind == "body" and isinstance(values, list) and values and isinstance(values[0], list):
        values = values[0]
    if not isinstance(values, list) or len(values) != len(names):
        shape = '[["..."]]' if kind == "body" else '["..."]'
        raise _fail(f"{field}.example", f"{kind}_text: {shape} with one example per placeholder "
                    f"({len(names)} expected)")  # fmt: skip
    if any(not str(v).strip() for v in values):
        raise _fail(f"{field}.example", "examples must not be empty")


def _check_header(field: str, header: HeaderIn) -> list[str]:
    if header.format == "TEXT":
        if not header.text or not header.text.strip():
            raise _fail(f"{field}.text", "a TEXT header needs text")
        names = placeholders(header.text)
        if len(names) > 1:
            raise _fail(f"{field}.text", "a header takes at most one placeholder")
        if names and not is_named(names) and names != ["1"]:
            raise _fail(f"{field}.text", "the header's placeholder is {{1}}")
        _check_examples(field, "header", names, header.example)
        return names
    if header.text:
        raise _fail(f"{field}.text", f"a {header.format} header has no text")
    if header.format != "LOCATION":
        handles = (header.example or {}).get("header_handle")
        if not isinstance(handles, list) or not handles:
            raise _fail(f"{field}.example", f"header_handle: an example {header.format.lower()} "
                        "(a handle from Meta's upload API) is required")  # fmt: skip
    return []


def _check_buttons(field: str, block: ButtonsIn) -> None:
    counts = {"QUICK_REPLY": 0, "URL": 0, "PHONE_NUMBER": 0}
    for i, button in enumerate(block.buttons):
        where = f"{field}.buttons[{i}]"
        counts[button.type] += 1
        if button.type == "URL":
            url = button.url or ""
            if not _URL.match(url):
                raise _fail(f"{where}.url", "an http(s) URL is required")
            variables = PLACEHOLDER.findall(url)
            if variables and (variables != ["1"] or not url.endswith("{{1}}")):
                raise _fail(f"{where}.url", "only one variable, {{1}}, at the end of the URL")
            if variables and not (button.example and button.example[0].strip()):
                raise _fail(f"{where}.example", "a full example URL is required for {{1}}")
        elif button.type == "PHONE_NUMBER":
            if not button.phone_number or not re.match(r"^\+?[0-9]{6,19}$", button.phone_number):
                raise _fail(f"{where}.phone_number", "a phone number with country code")
        elif PLACEHOLDER.search(button.text):
            raise _fail(f"{where}.text", "button labels cannot have placeholders")
    limits = (("QUICK_REPLY", MAX_QUICK_REPLIES), ("URL", MAX_URL_BUTTONS),
              ("PHONE_NUMBER", MAX_PHONE_BUTTONS))  # fmt: skip
    for kind, limit in limits:
        if counts[kind] > limit:
            raise _fail(f"{field}.buttons", f"at most {limit} {kind} button(s)")


def check_new_template(data: TemplateCreateIn) -> tuple[list[dict[str, Any]], str]:
    """Meta's components for `data` and its parameter format; BadRequest naming the field."""
    seen: dict[str, int] = {}
    text_names: list[str] = []
    for i, component in enumerate(data.components):
        field = f"components[{i}]"
        if component.type in seen:
            raise _fail(field, f"only one {component.type} component")
        seen[component.type] = i
        if isinstance(component, HeaderIn):
            text_names += _check_header(field, component)
        elif isinstance(component, BodyIn):
            names = _check_placeholders(f"{field}.text", component.text)
            _check_examples(field, "body", names, component.example)
            text_names += names
        elif isinstance(component, FooterIn):
            if PLACEHOLDER.search(component.text):
                raise _fail(f"{field}.text", "a footer cannot have placeholders")
        elif isinstance(component, ButtonsIn):
            _check_buttons(field, component)
    if "BODY" not in seen:
        raise _fail("components", "a BODY component is required")
    if text_names and is_named(text_names) and not all(_NAMED.match(n) for n in text_names):
        raise _fail("components", "use either numbered or named placeholders, not both")
    components = [c.model_dump(exclude_none=True) for c in data.components]
    return components, "named" if is_named(text_names) else "positional"
