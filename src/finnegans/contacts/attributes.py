"""Typed custom attributes: their definitions, and values checked against them on API writes.

Values live in `Contact.attributes` (JSON): numbers as JSON numbers, booleans as JSON booleans,
dates as "YYYY-MM-DD" strings, text as strings. Keys without a definition are text, which is
what flows' "set contact attribute" node writes (it does not go through here).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.contacts.repository import ContactRepository
from finnegans.contacts.schemas import (
    ATTRIBUTE_KEY,
    AttributeDefinitionIn,
    AttributeDefinitionPatchIn,
)
from finnegans.db.models import ContactAttributeDefinition
from finnegans.kit.errors import Conflict, NotFound, Unprocessable

MAX_TEXT = 1000
MAX_NUMBER = 1e15
_TRUE = frozenset({"true", "yes", "si", "sí", "1"})
_FALSE = frozenset({"false", "no", "0"})


def _bad(key: str, reason: str) -> Unprocessable:
    field = f"attributes.{key}"
    return Unprocessable(f"{field}: {reason}", fields={field: reason})


def coerce_value(key: str, type_: str, value: Any) -> Any:
    """The value as stored for an attribute of this type, or a 422 naming the attribute.

    Strings that clearly mean the type are accepted ("42", "true", "2026-05-01"), since CSV
    imports and forms send text.
    """
    if isinstance(value, dict | list):
        raise _bad(key, f"{type_} attributes hold a single value, not a list or object")
    if type_ == "number":
        if isinstance(value, bool):
            raise _bad(key, "is a number attribute: got a boolean")
        if isinstance(value, int | float):
            number = value
        else:
            try:
                number = float(str(value).strip().replace(",", "."))
            except ValueError:
                raise _bad(key, f"is a number attribute: {value!r} is not a number") from None
            if number.is_integer() and not any(c in str(value) for c in ".,eE"):
                number = int(number)
        # Beyond 1e15 numbers lose precision in JavaScript and in SQLite's JSON functions.
        if not math.isfinite(number) or abs(number) > MAX_NUMBER:
            raise _bad(key, f"is a number attribute: must be finite and within ±{MAX_NUMBER:.0e}")
        return number
    if type_ == "boolean":
        if isinstance(value, bool):
            return value
        folded = str(value).strip().casefold()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        raise _bad(key, f"is a boolean attribute: {value!r} is not true or false")
    if type_ == "date":
        text = str(value).strip()
        try:
            # A date-time ("2026-05-01T10:00:00Z", as some forms send) keeps its date.
            parsed = date.fromisoformat(text) if len(text) <= 10 else datetime.fromisoformat(text)
            return (parsed.date() if isinstance(parsed, datetime) else parsed).isoformat()
        except ValueError:
            raise _bad(key, f"is a date attribute: {value!r} is not a YYYY-MM-DD date") from None
    if isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = value if isinstance(value, str) else str(value)
    if len(text) > MAX_TEXT:
        raise _bad(key, f"text attributes hold at most {MAX_TEXT} characters")
    return text


def merged_attributes(
    current: dict[str, Any], changes: dict[str, Any], types: dict[str, str]
) -> dict[str, Any]:
    """The contact's attributes after a write: given keys set (null removes), others kept."""
    out = dict(current or {})
    for key, value in changes.items():
        if not ATTRIBUTE_KEY.match(key):
            raise _bad(key, "keys are 1 to 64 of A-Z, a-z, 0-9 and _, not starting with a digit")
        if value is None:
            out.pop(key, None)
            continue
        out[key] = coerce_value(key, types.get(key, "text"), value)
    return out


async def create_definition(
    session: AsyncSession, workspace_id: str, data: AttributeDefinitionIn
) -> ContactAttributeDefinition:
    repo = ContactRepository(session)
    if await repo.attribute_definition(workspace_id, key=data.key) is not None:
        raise Conflict(f"key: an attribute {data.key!r} already exists", fields={"key": "taken"})
    definition = ContactAttributeDefinition(
        workspace_id=workspace_id, key=data.key, label=(data.label or data.key).strip() or data.key,
        type=data.type,
    )  # fmt: skip
    session.add(definition)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(f"key: an attribute {data.key!r} already exists",
                       fields={"key": "taken"}) from None  # fmt: skip
    return definition


async def definition_or_404(
    session: AsyncSession, workspace_id: str, definition_id: str
) -> ContactAttributeDefinition:
    found = await ContactRepository(session).attribute_definition(
        workspace_id, definition_id=definition_id
    )
    if found is None:
        raise NotFound("No such contact attribute in this workspace")
    return found


async def update_definition(
    session: AsyncSession, workspace_id: str, definition_id: str, data: AttributeDefinitionPatchIn
) -> ContactAttributeDefinition:
    """Rename the label or change the type. Stored values are not converted: values that do not
    fit the new type stop matching typed filters until they are written again."""
    definition = await definition_or_404(session, workspace_id, definition_id)
    if data.label is not None:
        definition.label = data.label.strip() or definition.key
    if data.type is not None:
        definition.type = data.type
    await session.flush()
    return definition


async def delete_definition(session: AsyncSession, workspace_id: str, definition_id: str) -> None:
    """The values stay on the contacts, as text attributes."""
    definition = await definition_or_404(session, workspace_id, definition_id)
    await session.delete(definition)
    await session.flush()
