"""Write one chunk of parsed CSV rows to the contacts of a workspace (merging duplicates).

A number already in the workspace, or seen earlier in the file, is the same contact: with
`on_duplicate: "merge"` the row updates it (name and notes if given, tags added, attributes
merged), with `"skip"` the row is counted as skipped. Opting out is one way: a row that says
opted out opts the contact out (audited with source "import"); a row that says false never opts
anyone back in (only the customer's START or an agent does).

New contacts, their tags, audit rows and error rows go in with one executemany statement each
(a chunk is about 1,000 rows); only contacts that already exist are loaded as ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.contacts.import_repository import ImportRepository
from finnegans.contacts.import_rows import RowError, RowValues
from finnegans.contacts.optout import set_opt_state
from finnegans.contacts.tags import link_tags, tag_ids_by_name
from finnegans.db.base import new_id
from finnegans.db.models import Contact, ContactImport, ContactOptEvent
from finnegans.kit.clock import utcnow


@dataclass
class ChunkCounts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0


def _combine(first: RowValues, later: RowValues) -> None:
    """Fold a later row for the same number into the first (the later values win)."""
    first.name = later.name or first.name
    first.notes = later.notes or first.notes
    first.tags += [t for t in later.tags if t not in first.tags]
    first.attributes.update(later.attributes)
    first.opt_out = first.opt_out or later.opt_out


def _merge(contact: Contact, values: RowValues) -> None:
    if values.name:
        contact.name = values.name
    if values.notes:
        contact.notes = values.notes
    if values.attributes:
        # A new dict, so the JSON column is seen as changed.
        contact.attributes = {**(contact.attributes or {}), **values.attributes}
    contact.updated_at = utcnow()


def _error_rows(imp: ContactImport, rows: list[RowValues | RowError]) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {"import_id": imp.id, "workspace_id": imp.workspace_id, "row_number": e.row,
         "phone": e.phone, "column_name": e.column, "value": e.value, "reason": e.reason,
         "created_at": now}
        for e in rows if isinstance(e, RowError)
    ]  # fmt: skip


async def apply_rows(
    session: AsyncSession,
    imp: ContactImport,
    rows: list[RowValues | RowError],
    add_tags: list[str],
) -> ChunkCounts:
    repo = ImportRepository(session)
    errors = _error_rows(imp, rows)
    counts = ChunkCounts(failed=len(errors))
    await repo.add_errors(errors)

    # One entry per number, in file order; repeats fold into it (or are skipped).
    skip = imp.options.get("on_duplicate") == "skip"
    by_number: dict[str, RowValues] = {}
    repeats = 0
    for values in rows:
        if isinstance(values, RowError):
            continue
        first = by_number.get(values.wa_id)
        if first is None:
            by_number[values.wa_id] = values
            continue
        repeats += 1
        if not skip:
            _combine(first, values)
    found = await repo.contacts_by_number(
        imp.workspace_id, list(by_number), [v.phone for v in by_number.values()]
    )
    known_wa = {c.wa_id: c for c in found if c.wa_id}
    known_phone = {c.phone: c for c in found if c.phone}

    now = utcnow()
    detail = f"{imp.filename[:200]} row"
    new_rows: list[dict[str, Any]] = []
    opt_events: list[dict[str, Any]] = []
    tagged: list[tuple[str, list[str]]] = []
    for values in by_number.values():
        contact = known_wa.get(values.wa_id) or known_phone.get(values.phone)
        if contact is None:
            contact_id = new_id()
            new_rows.append({
                "id": contact_id, "workspace_id": imp.workspace_id, "phone": values.phone,
                "wa_id": values.wa_id, "name": values.name, "notes": values.notes,
                "attributes": values.attributes, "opted_out": values.opt_out,
                "opted_out_at": now if values.opt_out else None, "created_at": now,
                "updated_at": now,
            })  # fmt: skip
            if values.opt_out:
                # What set_opt_state records, for contacts that are rows, not objects, yet.
                opt_events.append({
                    "id": new_id(), "workspace_id": imp.workspace_id, "contact_id": contact_id,
                    "action": "opt_out", "source": "import", "detail": f"{detail} {values.row}",
                    "actor_user_id": imp.created_by_user_id, "created_at": now,
                })  # fmt: skip
            counts.created += 1
        elif skip:
            counts.skipped += 1
            continue
        else:
            contact_id = contact.id
            _merge(contact, values)
            if values.opt_out:
                set_opt_state(session, contact, True, source="import",
                              detail=f"{detail} {values.row}",
                              actor_user_id=imp.created_by_user_id, at=now)  # fmt: skip
            counts.updated += 1
        tagged.append((contact_id, [*values.tags, *add_tags]))
    # Repeats of a number merged into the contact (or were skipped): each counts once.
    if skip:
        counts.skipped += repeats
    else:
        counts.updated += repeats

    if new_rows:
        await session.execute(insert(Contact), new_rows)
    if opt_events:
        await session.execute(insert(ContactOptEvent), opt_events)
    tag_ids = await tag_ids_by_name(session, imp.workspace_id, {n for _, ns in tagged for n in ns})
    links = {(cid, tag_ids[n]) for cid, names in tagged for n in names if n in tag_ids}
    await link_tags(session, sorted(links))
    await session.flush()
    return counts
