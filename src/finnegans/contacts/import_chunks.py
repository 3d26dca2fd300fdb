"""Write one chunk of parsed CSV rows to the contacts of a workspace (merging duplicates).

A number already in the workspace, or seen earlier in the file, is the same contact: with
`on_duplicate: "merge"` the row updates it (name and notes if given, tags added, attributes
merged), with `"skip"` the row is counted as skipped. Opting out is one way: a row that says
opted out opts the contact out (audited with source "import"); a row that says false never opts
anyone back in (only the customer's START or an agent does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.contacts.import_repository import ImportRepository
from finnegans.contacts.import_rows import RowError, RowValues
from finnegans.contacts.optout import set_opt_state
from finnegans.contacts.tags import link_tags, tag_ids_by_name
from finnegans.db.base import new_id
from finnegans.db.models import Contact, ContactImport
from finnegans.kit.clock import utcnow


@dataclass
class ChunkCounts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0


def _merge(contact: Contact, values: RowValues) -> None:
    if values.name:
        contact.name = values.name
    if values.notes:
        contact.notes = values.notes
    if values.attributes:
        # A new dict, so the JSON column is seen as changed.
        contact.attributes = {**(contact.attributes or {}), **values.attributes}
    contact.updated_at = utcnow()


async def apply_rows(
    session: AsyncSession,
    imp: ContactImport,
    rows: list[RowValues | RowError],
    add_tags: list[str],
) -> ChunkCounts:
    counts = ChunkCounts()
    repo = ImportRepository(session)
    errors: list[dict[str, Any]] = []
    good: list[RowValues] = []
    for parsed in rows:
        if isinstance(parsed, RowError):
            errors.append({"import_id": imp.id, "workspace_id": imp.workspace_id,
                           "row_number": parsed.row, "phone": parsed.phone,
                           "column_name": parsed.column, "value": parsed.value,
                           "reason": parsed.reason, "created_at": utcnow()})  # fmt: skip
        else:
            good.append(parsed)
    counts.failed = len(errors)
    await repo.add_errors(errors)

    found = await repo.contacts_by_number(
        imp.workspace_id, [v.wa_id for v in good], [v.phone for v in good]
    )
    by_wa_id = {c.wa_id: c for c in found if c.wa_id}
    by_phone = {c.phone: c for c in found if c.phone}
    skip = imp.options.get("on_duplicate") == "skip"
    now = utcnow()
    touched: list[tuple[Contact, RowValues]] = []
    for values in good:
        contact = by_wa_id.get(values.wa_id) or by_phone.get(values.phone)
        if contact is None:
            contact = Contact(
                id=new_id(), workspace_id=imp.workspace_id, phone=values.phone,
                wa_id=values.wa_id, name=values.name, notes=values.notes,
                attributes=dict(values.attributes), opted_out=False, created_at=now,
                updated_at=now,
            )  # fmt: skip
            session.add(contact)
            by_wa_id[values.wa_id] = contact
            by_phone[values.phone] = contact
            counts.created += 1
        elif skip:
            counts.skipped += 1
            continue
        else:
            _merge(contact, values)
            counts.updated += 1
        touched.append((contact, values))
    # Contacts first: opt-out audit rows and tag links refer to them.
    await session.flush()

    names = {name for _, values in touched for name in values.tags} | set(add_tags)
    tag_ids = await tag_ids_by_name(session, imp.workspace_id, names)
    links: set[tuple[str, str]] = set()
    for contact, values in touched:
        for name in [*values.tags, *add_tags]:
            if name in tag_ids:
                links.add((contact.id, tag_ids[name]))
        if values.opt_out:
            set_opt_state(session, contact, True, source="import",
                          detail=f"{imp.filename[:200]} row {values.row}",
                          actor_user_id=imp.created_by_user_id, at=now)  # fmt: skip
    await link_tags(session, sorted(links))
    await session.flush()
    return counts
