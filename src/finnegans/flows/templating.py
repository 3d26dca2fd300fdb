"""`{{...}}` placeholders in node texts (docs/flows.md §4).

`{{name}}` is a variable, `{{a.b.0.c}}` (or `{{a.b[0].c}}`) follows objects and lists,
`{{name|fallback}}` uses the fallback when the value is missing or empty, `{{context.x}}` is the
original builder's spelling of `{{x}}`. Missing values render as "", objects as JSON; unlike
the original, nothing renders as "[object Object]".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from finnegans.flows.engine_types import ContactView

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}")
_INDEX = re.compile(r"\[\s*(\d+)\s*\]")
MISSING: Any = object()


def build_scope(variables: Mapping[str, Any], contact: ContactView | None) -> dict[str, Any]:
    """What templates and conditions can see: the session variables plus `contact`."""
    scope = dict(variables)
    if contact is not None:
        scope["contact"] = contact.to_scope()
    return scope


def split_path(path: str) -> list[str]:
    """ "a.b[0].c" → ["a", "b", "0", "c"]."""
    return [part for part in _INDEX.sub(r".\1", path).split(".") if part != ""]


def resolve(scope: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path, or MISSING. A leading `context.` is ignored (original)."""
    parts = split_path(path.strip())
    if parts and parts[0] == "context":
        parts = parts[1:]
    if not parts:
        return MISSING
    return lookup(scope, parts)


def lookup(value: Any, parts: Sequence[str]) -> Any:
    for part in parts:
        if isinstance(value, Mapping):
            if part not in value:
                return MISSING
            value = value[part]
        elif isinstance(value, list | tuple) and part.isdigit():
            index = int(part)
            if index >= len(value):
                return MISSING
            value = value[index]
        else:
            return MISSING
    return value


def to_text(value: Any) -> str:
    """How a value appears in a message: JS-like scalars, JSON for objects, "" for nothing."""
    if value is None or value is MISSING:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def json_escape(text: str) -> str:
    """Escape a value for use *inside* a JSON string literal (HTTP bodies)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def render(
    template: str,
    scope: Mapping[str, Any],
    *,
    escape: Callable[[str], str] | None = None,
) -> str:
    """Replace every `{{path|default}}`; `escape` is applied to each inserted value."""
    if not template or "{{" not in template:
        return template or ""

    def replace(match: re.Match[str]) -> str:
        text = to_text(resolve(scope, match.group(1)))
        if text == "" and match.group(2) is not None:
            text = match.group(2).strip()
        return escape(text) if escape is not None else text

    return _PLACEHOLDER.sub(replace, template)


def set_path(variables: dict[str, Any], path: str, value: Any) -> None:
    """Set `a.b.c`, creating (or replacing non-object) intermediate levels (original setByPath)."""
    parts = split_path(path.strip())
    if parts and parts[0] == "context" and len(parts) > 1:
        parts = parts[1:]
    if not parts:
        return
    target = variables
    for part in parts[:-1]:
        nested = target.get(part)
        if not isinstance(nested, dict):
            nested = {}
            target[part] = nested
        target = nested
    target[parts[-1]] = value
