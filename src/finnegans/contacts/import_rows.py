"""One CSV row to contact values, or the reason it cannot be imported (pure: no database).

A row with any bad value is not imported at all (never half a contact): its error names the
column, the raw value and why. Empty cells change nothing on an existing contact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from finnegans.contacts.attributes import coerce_value
from finnegans.contacts.csv_files import unguard_cell
from finnegans.contacts.import_mapping import Plan
from finnegans.contacts.phones import normalize_phone, wa_id_of
from finnegans.contacts.schemas import MAX_TAGS
from finnegans.kit.errors import ApiError

MAX_PHONE = 40
MAX_NAME = 255
MAX_NOTES = 10_000
MAX_TAG = 64
_TRUE = frozenset({"true", "yes", "y", "si", "sí", "1", "x", "opted out", "opted_out", "baja"})
_FALSE = frozenset({"false", "no", "n", "0", ""})
_TAG_SPLIT = re.compile(r"[;,]")


@dataclass
class RowValues:
    row: int
    phone: str  # E.164
    wa_id: str
    name: str | None = None
    notes: str | None = None
    tags: list[str] = field(default_factory=list)
    opt_out: bool = False  # True opts the contact out; an import never opts anyone back in
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class RowError:
    row: int
    phone: str | None
    column: str | None
    value: str | None
    reason: str


def split_tags(cell: str) -> list[str]:
    """The export joins tags with "|"; hand-made files often use ";" or ",".

    A cell with a "|" is split on "|" only, so a tag with a comma survives a round trip.
    """
    parts = cell.split("|") if "|" in cell else _TAG_SPLIT.split(cell)
    out: list[str] = []
    for part in parts:
        name = part.strip()
        if name and name not in out:
            out.append(name)
    return out


def _reason(exc: ApiError, field_name: str) -> str:
    # Library messages start with their own field name ("phone: ..."); the error row has
    # the column already, so the reason reads on its own.
    return exc.message.removeprefix(f"{field_name}: ")


class _Bad(Exception):
    def __init__(self, column: int, reason: str) -> None:
        self.column = column
        self.reason = reason


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return unguard_cell(cells[index].strip())


def parse_row(
    row: int, cells: list[str], plan: Plan, headers: list[str], default_country: str | None
) -> RowValues | RowError:
    raw_phone = _cell(cells, plan.phone)

    def error(column: int, reason: str) -> RowError:
        value = _cell(cells, column)
        name = headers[column] if column < len(headers) else f"column {column + 1}"
        return RowError(row, raw_phone[:64] or None, name[:255] or None, value[:255] or None,
                        reason[:500])  # fmt: skip

    try:
        return _values(row, cells, plan, default_country, raw_phone)
    except _Bad as bad:
        return error(bad.column, bad.reason)


def _values(
    row: int, cells: list[str], plan: Plan, default_country: str | None, raw_phone: str
) -> RowValues:
    if not raw_phone:
        raise _Bad(plan.phone, "the phone is empty")
    if len(raw_phone) > MAX_PHONE:
        raise _Bad(plan.phone, f"the phone is longer than {MAX_PHONE} characters")
    try:
        phone = normalize_phone(raw_phone, default_country)
    except ApiError as exc:
        raise _Bad(plan.phone, _reason(exc, "phone")) from None
    values = RowValues(row=row, phone=phone, wa_id=wa_id_of(phone))
    name = _cell(cells, plan.name)
    if len(name) > MAX_NAME:
        raise _Bad(plan.name or 0, f"the name is longer than {MAX_NAME} characters")
    values.name = name or None
    notes = _cell(cells, plan.notes)
    if len(notes) > MAX_NOTES:
        raise _Bad(plan.notes or 0, f"the notes are longer than {MAX_NOTES} characters")
    values.notes = notes or None
    for index in plan.tags:
        for tag in split_tags(_cell(cells, index)):
            if len(tag) > MAX_TAG:
                raise _Bad(index, f"the tag {tag[:20]!r}… is longer than {MAX_TAG} characters")
            if tag not in values.tags:
                values.tags.append(tag)
        if len(values.tags) > MAX_TAGS:
            raise _Bad(index, f"a contact has at most {MAX_TAGS} tags")
    if plan.opted_out is not None:
        said = _cell(cells, plan.opted_out).casefold()
        if said in _TRUE:
            values.opt_out = True
        elif said not in _FALSE:
            raise _Bad(plan.opted_out, f"{said!r} is not true or false")
    for index, key, type_ in plan.attributes:
        text = _cell(cells, index)
        if not text:
            continue
        try:
            values.attributes[key] = coerce_value(key, type_, text)
        except ApiError as exc:
            raise _Bad(index, f"{key} {_reason(exc, f'attributes.{key}')}") from None
    return values
