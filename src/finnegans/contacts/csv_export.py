"""CSV out: the contacts export and an import's error report, streamed page by page.

Both are UTF-8 with a BOM (so Excel reads accents right) and CRLF line ends. Each page is read
in its own short read transaction and written out before the next is read, so memory stays
flat whatever the number of contacts. The export re-imports losslessly with the suggested
mapping: tags are joined with "|", booleans are true/false, numbers keep their digits, and
cells a spreadsheet would run as formulas get a leading "'" that the import takes off again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement

from finnegans.contacts.csv_files import guard_cell
from finnegans.contacts.import_repository import ImportRepository
from finnegans.contacts.repository import ContactRepository
from finnegans.db.models import Contact
from finnegans.db.session import Database

PAGE = 1000
BOM = "\ufeff"
FIXED_COLUMNS = (
    "phone", "name", "wa_id", "tags", "opted_out", "notes", "created_at", "last_activity_at",
)  # fmt: skip
ERROR_COLUMNS = ("row", "phone", "column", "value", "reason")


def _csv(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return guard_cell(str(value))


def _time(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z") if value is not None else ""


def _row(contact: Contact, tags: list[str], keys: Sequence[str]) -> list[str]:
    attributes = contact.attributes or {}
    return [
        contact.phone or "",
        guard_cell(contact.name or ""),
        contact.wa_id or "",
        "|".join(guard_cell(t) for t in tags),
        "true" if contact.opted_out else "false",
        guard_cell(contact.notes or ""),
        _time(contact.created_at),
        _time(contact.last_inbound_at),
        *(_value(attributes.get(key)) for key in keys),
    ]


async def export_contacts(
    db: Database, where: ColumnElement[bool], attribute_keys: Sequence[str]
) -> AsyncIterator[bytes]:
    """The selected contacts, oldest first, one page of rows at a time."""
    header = [*FIXED_COLUMNS, *(f"attribute:{key}" for key in attribute_keys)]
    yield BOM.encode("utf-8") + _csv([header])
    cursor: str | None = None
    while True:
        async with db.unit_of_work(write=False) as session:
            repo = ContactRepository(session)
            contacts, cursor = await repo.page(
                where, sort="created", order="asc", cursor=cursor, limit=PAGE
            )
            tags = await repo.tags_of([c.id for c in contacts])
        if contacts:
            yield _csv([_row(c, tags[c.id], attribute_keys) for c in contacts])
        if cursor is None:
            return


async def export_errors(db: Database, workspace_id: str, import_id: str) -> AsyncIterator[bytes]:
    """An import's bad rows in file order: row number, raw phone, column, value, reason."""
    yield BOM.encode("utf-8") + _csv([ERROR_COLUMNS])
    after = 0
    while True:
        async with db.unit_of_work(write=False) as session:
            errors = await ImportRepository(session).errors_page(
                workspace_id, import_id, after_row=after, limit=PAGE
            )
        if not errors:
            return
        yield _csv([
            [str(e.row_number), guard_cell(e.phone or ""), guard_cell(e.column_name or ""),
             guard_cell(e.value or ""), e.reason]
            for e in errors
        ])  # fmt: skip
        after = errors[-1].row_number
